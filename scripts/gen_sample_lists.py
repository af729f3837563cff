#!/usr/bin/env python3
"""Write deterministic, synthetic sample packages of untrustworthy-information lists (Art. 12).

    python scripts/gen_sample_lists.py --out content/lists --seed 20261130 \
        [--scale N] [--as-of 2026-11-30] [--with-errors]

The packages follow the lists input contract (docs: content/lists/README.md): one folder per
package with `datapackage.json`, `records.csv` and the optional `withdrawals.csv` and
`objections.csv`. Columns come from the catalogue schemas, providers and authorities from
`catalogue/departments.yaml`, so the data can never drift from the catalogue unnoticed.

Every name, code and number is invented. Identifiers are well formed (GB 32100 credit codes with
their GB 11714 organisation codes, GB 11643 ID numbers), so that only the rows deliberately
broken by `--with-errors` fail validation.

Determinism: one `random.Random` per list, seeded from `--seed`, and per-entity generators seeded
from strings (which Python hashes with SHA-512, independent of PYTHONHASHSEED). Nothing reads
the clock; every date is computed from `--as-of`. Rows are streamed to disk as they are made, so
memory stays flat at a million rows.
"""

from __future__ import annotations

import argparse
import calendar
import codecs
import csv
import datetime as dt
import functools
import io
import json
import shutil
import string
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run with any Python: the identifiers module is plain Python

from generator.lists.identifiers import (  # noqa: E402
    USCC_ALPHABET,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

DEFAULT_SEED = 20261130
DEFAULT_AS_OF = "2026-11-30"
BASE_SX02_ROWS = 1500  # the committed sample; --scale N replaces it
WITHDRAWAL_COLUMNS = (
    "decision_number",
    "subject_id",
    "reason",
    "withdrawal_number",
    "withdrawal_date",
)
OBJECTION_COLUMNS = ("decision_number", "subject_id", "received", "status")
NO_END = dt.date(2099, 12, 31)  # "no end" in the national formats

# --- calendar ---------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def days_before(day: dt.date, days: int) -> dt.date:
    return day - dt.timedelta(days=days)


def wan(hundredths: int) -> str:
    """An amount in 万元 with two decimals, from an integer number of hundredths (no float drift)."""
    sign = "-" if hundredths < 0 else ""
    hundredths = abs(hundredths)
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def yuan(amount: int) -> str:
    return f"{amount}元"


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    uscc: str
    level: str
    district: str


@dataclass(frozen=True)
class ItemInfo:
    code: str
    name: str
    disclosure: str
    category: str
    providers: tuple[str, ...]
    schema: str
    fields: tuple[str, ...]
    severities: tuple[str, ...]  # the `severity` column's allowed values, if it has one


@dataclass(frozen=True)
class Catalogue:
    depts: dict[str, Dept]
    items: dict[str, ItemInfo]  # the in-force edition's items, by code

    def dept(self, code: str) -> Dept:
        if code not in self.depts:
            raise SystemExit(f"department {code} is not in catalogue/departments.yaml")
        return self.depts[code]

    def item(self, code: str) -> ItemInfo:
        if code not in self.items:
            raise SystemExit(f"item {code} is not in the in-force catalogue edition")
        return self.items[code]


def _yaml(path: Path) -> Any:
    # libyaml's loader when available: the catalogue is read on every run.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def load_catalogue(root: Path, as_of: dt.date) -> Catalogue:
    """Read what the sample needs from catalogue/: departments, and the in-force edition's items."""
    cat = root / "catalogue"
    depts = {
        d["code"]: Dept(
            d["code"], d["name"]["zh-CN"], str(d["uscc"]), d["level"], str(d["district"])
        )
        for d in _yaml(cat / "departments.yaml")["departments"]
    }
    # The edition in force: approved, effective by as-of, the latest such.
    in_force: tuple[dt.date, Path] | None = None
    for edition_dir in sorted((cat / "editions").iterdir()):
        meta = _yaml(edition_dir / "edition.yaml")
        effective = meta.get("effective_date")
        approved = meta.get("status") == "approved" and effective and effective <= as_of
        if approved and (in_force is None or effective > in_force[0]):
            in_force = (effective, edition_dir)
    if in_force is None:
        raise SystemExit(f"no catalogue edition is in force on {as_of}")
    items: dict[str, ItemInfo] = {}
    for path in sorted((in_force[1] / "items").glob("*.yaml")):
        item = _yaml(path)
        if item.get("category") != "untrustworthy" or not item.get("schema"):
            continue
        schema = _yaml(cat / "schemas" / f"{item['schema']}.yaml")
        items[item["code"]] = ItemInfo(
            code=item["code"],
            name=item["name"]["zh-CN"],
            disclosure=item["disclosure"],
            category=item["category"],
            providers=tuple(item["providers"]),
            schema=item["schema"],
            fields=tuple(f["name"] for f in schema["fields"]),
            severities=next(
                (
                    tuple((f.get("constraints") or {}).get("enum") or ())
                    for f in schema["fields"]
                    if f["name"] == "severity"
                ),
                (),
            ),
        )
    return Catalogue(depts, items)


# --- vocabulary -------------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """`name:group+group …` pairs: an industry and the violation groups it is exposed to."""
    return tuple((w.split(":")[0], w.split(":")[1].replace("+", " ")) for w in text.split())


# Tianjin's districts: division code, name, and the one- or two-character abbreviation used in
# document numbers (津滨… for Binhai, 津和… for Heping).
DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("120101", "和平区", "和"),
    ("120102", "河东区", "东"),
    ("120103", "河西区", "西"),
    ("120104", "南开区", "南开"),
    ("120105", "河北区", "北"),
    ("120106", "红桥区", "红"),
    ("120110", "东丽区", "丽"),
    ("120111", "西青区", "青"),
    ("120112", "津南区", "津南"),
    ("120113", "北辰区", "辰"),
    ("120114", "武清区", "武"),
    ("120115", "宝坻区", "宝"),
    ("120116", "滨海新区", "滨"),
    ("120117", "宁河区", "宁"),
    ("120118", "静海区", "静"),
    ("120119", "蓟州区", "蓟"),
)
DISTRICT_NAME = {code: name for code, name, _ in DISTRICTS}
DISTRICT_ABBR = {code: abbr for code, _, abbr in DISTRICTS}
DISTRICT_CODES = tuple(code for code, _, _ in DISTRICTS)
# Binhai is the largest economy; the municipal bureaus see it most often.
DISTRICT_WEIGHTS = tuple(4 if code == "120116" else 1 for code in DISTRICT_CODES)
# Birthplaces of people not born in Tianjin (Hebei, Shandong, Henan, Heilongjiang, Anhui).
OTHER_DIVISIONS = ("130102", "130603", "370102", "371302", "410105", "230103", "340104")

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤"
    "尹黎易常武乔贺赖龚文"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛")
# Given-name characters of natural-person subjects and of legal representatives are disjoint,
# so that a person whose name must be masked never shares it with a representative, whose name
# is published: a scan of the built site for unmasked names then has no false alarms.
GIVEN_SUBJECT = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国志海燕文玉红春"
GIVEN_REP = "堃喆昇淼晓宇浩鹏飞婷雪琳俊斌辉峰凯博然欣悦佳子梓涵睿思怡晨阳泽轩桂英兰凤秀永福庆德"
STEM_CHARS = "鑫瑞泰华盛达源丰恒宏安隆兴嘉祥德福利通信诚和润金宝鼎昌顺永广汇聚博创优新海卓诺宇辰远洲星航正合益凯美佳腾晟昊琪"
PLACE_STEMS = words("海河 渤海 津门 滨城 沽上 北洋 大沽 津沽 蓟北 泰达 北塘 杨柳青")

MARKET_INDUSTRIES = tagged(
    "食品:food 餐饮管理:food 超市:food 商贸:food+goods 农产品:food 酒业:food 茶业:food "
    "医药:drug 大药房:drug 医疗器械:drug 健康管理:drug+ad 五金交电:goods 服装:goods 家具:goods "
    "汽车销售服务:goods 电子商务:goods+ad 国际贸易:goods 文化传媒:ad 广告:ad 教育科技:ad "
    "信息技术:ad 生物科技:drug+ad 物业管理:estate 物流:estate"
)
BUILD_INDUSTRIES = tagged(
    "建筑工程:build 建设工程:build 装饰工程:build 市政工程:build 建筑劳务:build "
    "房地产开发:build 园林绿化工程:build 钢结构工程:build 机电安装工程:build"
)
PLANT_INDUSTRIES = tagged(
    "化工:plant 金属制品:plant 机械制造:plant 混凝土:plant 印染:plant 汽车维修:plant "
    "塑料制品:plant 铸造:plant 电镀:plant 家具制造:plant 包装材料:plant"
)
SECTORS = {"market": MARKET_INDUSTRIES, "build": BUILD_INDUSTRIES, "plant": PLANT_INDUSTRIES}
SECTOR_INDEX = {"market": 0, "build": 1, "plant": 2, "shop": 3}
SHOPS = tagged(
    "便利店:food+goods 小吃店:food 烧烤店:food 水果店:food 副食店:food 家常菜馆:food 面馆:food "
    "烟酒店:food 五金店:goods 服装店:goods 手机配件店:goods 理发店:ad"
)

# A few names that occur nowhere else, so that substring search (琉璃鲸, 鹭影…) can be shown.
# Keyed by (district, index): small indexes are drawn most often, so they do turn up.
UNIQUE_COMPANIES: dict[tuple[str, int], tuple[str, str]] = {
    ("120101", 0): ("天津市和平区琉璃鲸文化传媒有限公司", "ad"),
    ("120101", 1): ("天津五大道红砖咖啡有限公司", "food"),
    ("120116", 0): ("天津滨海新区蔚蓝深潜海洋科技有限公司", "ad"),
    ("120116", 1): ("天津港湾鹭影食品有限公司", "food"),
    ("120116", 3): ("天津北塘渔火餐饮管理有限责任公司", "food"),
    ("120104", 0): ("天津南开墨砚轩文化用品有限公司", "goods"),
    ("120103", 0): ("天津麒麟阁老字号糕点有限责任公司", "food"),
    ("120113", 0): ("天津青檀云栖生物科技有限公司", "drug ad"),
}

# Fillers for the facts of a case.
FOODS = words(
    "散装白酒 鲜切面 熟牛肉 豆芽 韭菜 芹菜 糕点 卤制品 速冻饺子 酱腌菜 鸡蛋 猪肉 花生油 麻花 熟食"
)
FOOD_TESTS = words(
    "菌落总数 大肠菌群 过氧化值 酸价 铅（以Pb计） 二氧化硫残留量 毒死蜱 腐霉利 恩诺沙星 "
    "苯甲酸及其钠盐 甜蜜素 6-苄基腺嘌呤"
)
GOODS = words(
    "电动自行车用充电器 儿童服装 电线电缆 转换插座 不锈钢保温杯 塑料购物袋 电暖器 安全帽 "
    "车用尿素溶液 燃气灶具 童鞋"
)
GOODS_TESTS = words("标志和说明 纤维含量 导体电阻 绝缘厚度 防触电保护 pH值 冲击吸收性能 尿素含量")
CLAIMS = words(
    "国家级产品 治疗高血压 7天瘦10斤 百分百有效 全网销量第一 零风险高回报 包过包拿证 根治失眠"
)
BRANDS = words("蓝鲸 金穗 海燕 雪峰 飞燕 长青藤 白玉兰 红双喜")
EQUIPMENT = words("乘客电梯 叉车 燃气锅炉 储气罐 桥式起重机")
PLACES = words("和平路 鞍山道 古文化街 南市食品街 西北角 小白楼 大胡同 滨江道")
TRADES = words("烧烤 水果 早点 服装 手机配件 小商品")
DEVICES = words("一次性使用无菌注射器 医用外科口罩 血糖试纸 电子血压计 角膜接触镜")
DRUGS = words("阿莫西林胶囊 复方甘草片 板蓝根颗粒 维生素C片 布洛芬缓释胶囊")
DOCS = words("股东会决议 住所使用证明 验资报告 法定代表人签字")
FILLERS = {
    "food": FOODS,
    "food_test": FOOD_TESTS,
    "goods": GOODS,
    "goods_test": GOODS_TESTS,
    "claim": CLAIMS,
    "brand": BRANDS,
    "equipment": EQUIPMENT,
    "place": PLACES,
    "trade": TRADES,
    "device": DEVICES,
    "drug": DRUGS,
    "doc": DOCS,
}


@dataclass(frozen=True)
class Violation:
    """One kind of market-regulation violation and the penalties it draws."""

    wfxw: str  # type of violation
    facts: str  # template for cf_sy; placeholders are filled from `fact_values`
    basis: str  # cf_yj
    groups: str  # company groups exposed to it (see MARKET_INDUSTRIES), "any" for all
    fine: tuple[int, int]  # fine range, hundredths of 万元
    confiscate: bool  # whether illegal gains are confiscated too
    serious: str  # the serious form's extra penalty (licence revoked…), "" if none
    warning_ok: bool = False  # a warning alone is a possible penalty
    persons: bool = False  # also committed by natural persons


VIOLATIONS: tuple[Violation, ...] = (
    Violation(
        "销售不符合食品安全标准的食品",
        "经查，当事人于{period}销售的{food}经抽样检验，{food_test}项目不符合食品安全国家标准，"
        "检验结论为不合格。上述食品货值金额{value}，违法所得{gain}。",
        "《中华人民共和国食品安全法》第三十四条第（二）项、第一百二十四条第一款第（一）项",
        "food",
        (500, 1500),
        True,
        "吊销食品经营许可证",
    ),
    Violation(
        "经营超过保质期的食品",
        "经查，当事人经营场所内存放、销售超过保质期的{food}共计{qty}件，货值金额{value}。",
        "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
        "food",
        (500, 1000),
        True,
        "",
        persons=True,
    ),
    Violation(
        "未取得食品经营许可从事食品经营活动",
        "经查，当事人未取得食品经营许可，自{period}在其经营场所从事{food}销售活动，"
        "违法所得{gain}。",
        "《中华人民共和国食品安全法》第三十五条第一款、第一百二十二条第一款",
        "food",
        (500, 1000),
        True,
        "",
    ),
    Violation(
        "未按规定执行进货查验记录制度",
        "经查，当事人采购{food}时未查验供货者的许可证和食品出厂检验合格证明，"
        "未如实记录进货信息，经责令改正后仍未改正。",
        "《中华人民共和国食品安全法》第五十三条、第一百二十六条第一款第（三）项",
        "food",
        (50, 200),
        False,
        "",
        warning_ok=True,
    ),
    Violation(
        "发布虚假广告",
        "经查，当事人通过其网络店铺和微信公众号发布含有“{claim}”等内容的广告，"
        "无法提供证明材料，构成虚假广告。广告费用{value}。",
        "《中华人民共和国广告法》第二十八条第二款第（二）项、第五十五条第一款",
        "ad",
        (100, 3000),
        False,
        "",
    ),
    Violation(
        "虚假或者引人误解的商业宣传",
        "经查，当事人在其经营场所及网络平台宣传其产品“{claim}”，与实际情况不符，欺骗、误导消费者。",
        "《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款",
        "ad goods drug",
        (200, 5000),
        False,
        "",
    ),
    Violation(
        "销售不合格产品",
        "经查，当事人销售的{goods}经监督抽查检验，{goods_test}项目不合格，"
        "货值金额{value}，违法所得{gain}。",
        "《中华人民共和国产品质量法》第三十九条、第四十九条",
        "goods",
        (50, 1000),
        True,
        "",
    ),
    Violation(
        "侵犯注册商标专用权",
        "经查，当事人销售的{goods}使用了与“{brand}”注册商标相同的商标，经商标注册人鉴定为侵权商品，"
        "共计{qty}件，货值金额{value}。",
        "《中华人民共和国商标法》第五十七条第（三）项、第六十条第二款",
        "goods",
        (50, 2500),
        True,
        "",
        persons=True,
    ),
    Violation(
        "不按规定明码标价",
        "经查，当事人经营场所内销售的{qty}种商品未按规定标示价格。",
        "《中华人民共和国价格法》第十三条第一款、第四十二条；《明码标价和禁止价格欺诈规定》第二十一条",
        "any",
        (5, 50),
        False,
        "",
        warning_ok=True,
    ),
    Violation(
        "使用未经定期检验的特种设备",
        "经查，当事人使用的{equipment}超过检验有效期未申报定期检验，仍继续使用。",
        "《中华人民共和国特种设备安全法》第四十条第三款、第八十四条第（一）项",
        "estate food goods",
        (300, 3000),
        False,
        "",
    ),
    Violation(
        "提交虚假材料取得公司登记",
        "经查，当事人在办理变更登记时提交虚假的{doc}，取得公司登记。",
        "《中华人民共和国公司法》第二百五十条",
        "any",
        (500, 5000),
        False,
        "吊销营业执照",
    ),
    Violation(
        "使用未经检定的计量器具",
        "经查，当事人在经营中使用的{qty}台电子计价秤未按照规定申请强制检定。",
        "《中华人民共和国计量法》第九条、《中华人民共和国计量法实施细则》第四十三条",
        "food",
        (10, 100),
        False,
        "",
        warning_ok=True,
    ),
    Violation(
        "经营无合格证明文件的医疗器械",
        "经查，当事人购进并销售的{device}无合格证明文件，货值金额{value}，违法所得{gain}。",
        "《医疗器械监督管理条例》第五十五条、第八十六条第（三）项",
        "drug",
        (200, 2000),
        True,
        "吊销医疗器械经营许可证",
    ),
    Violation(
        "销售劣药",
        "经查，当事人销售的{drug}经检验{goods_test}项不符合规定，按劣药论处，货值金额{value}。",
        "《中华人民共和国药品管理法》第九十八条第三款、第一百一十七条第一款",
        "drug",
        (1000, 5000),
        True,
        "责令停产停业整顿",
    ),
    Violation(
        "从事无照经营",
        "经查，当事人未依法取得营业执照，擅自在{place}从事{trade}经营活动，违法所得{gain}。",
        "《无证无照经营查处办法》第二条、第十三条",
        "food goods",
        (10, 100),
        True,
        "",
        persons=True,
    ),
    Violation(
        "未在网店首页显著位置公示营业执照信息",
        "经查，当事人通过网络平台经营，未在其网店首页显著位置持续公示营业执照信息。",
        "《中华人民共和国电子商务法》第十五条第一款、第七十六条第一款第（一）项",
        "ad goods",
        (20, 100),
        False,
        "",
        warning_ok=True,
    ),
)
PERSON_VIOLATIONS = tuple(v for v in VIOLATIONS if v.persons)


def fitting_violations(org: Org) -> tuple[Violation, ...]:
    """The violations an organisation of its trade can commit (no company law for a shop)."""
    return _fitting(org.groups, org.category)


@functools.cache
def _fitting(groups: str, category: str) -> tuple[Violation, ...]:
    trades = set(groups.split())
    return tuple(
        v
        for v in VIOLATIONS
        if (v.groups == "any" or trades & set(v.groups.split()))
        and not (category == "个体工商户" and "公司" in v.wfxw)
    )


WARNING_VIOLATIONS = tuple(v for v in VIOLATIONS if v.warning_ok)

MINOR_REMARKS = (
    "当事人主动消除违法行为危害后果，依法从轻处罚。",
    "当事人主动减轻违法行为危害后果，依法减轻处罚。",
    "违法行为轻微并及时改正，依法从轻处罚。",
)


# --- identities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str


@dataclass(frozen=True)
class Org:
    name: str
    uscc: str
    category: str  # 法人及非法人组织 | 个体工商户
    rep: Person  # legal representative, or the operator of an individual business
    groups: str  # violation groups it is exposed to


def base31(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, rest = divmod(value, 31)
        digits.append(USCC_ALPHABET[rest])
    return "".join(reversed(digits))


def make_uscc(kind: str, division: str, index: int, modern: bool) -> str:
    """A well-formed credit code, injective in `index`: 9 (market regulation) + type + division
    + organisation code (with its GB 11714 check) + GB 32100 check."""
    # A multiplier coprime to the code space turns the index into a scattered but unique body.
    if modern:
        space = 4 * 31**4
        k = (index * 7919 + 12345) % space
        body = "MA0" + "5678"[k % 4] + base31(k // 4, 4)
    else:
        body = f"{(index * 7919 + 10_000_000) % 100_000_000:08d}"
    first17 = "9" + kind + division + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def resident_id(division: str, born: dt.date, sequence: int) -> str:
    first17 = f"{division}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def person_name(rng: Random, given_chars: str, rare: bool = False) -> str:
    surname = rng.choice(COMPOUND) if rng.random() < 0.02 else rng.choice(SURNAMES)
    given = "".join(rng.choice(given_chars) for _ in range(1 if rng.random() < 0.3 else 2))
    if rare and rng.random() < 0.01:
        # 䶮 is in GB18030 but not in GBK: a name that only the declared encoding can carry.
        given = given[:-1] + "䶮"
    return surname + given


_BORN_FROM = dt.date(1955, 1, 1)
_BORN_DAYS = (dt.date(2000, 12, 31) - _BORN_FROM).days + 1  # 16801 = 53 x 317


class Identities:
    """Subjects derived from (district, index) alone, so none has to be remembered: the same
    index is the same company in every list and every run, and memory stays flat."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one instance per run
    def person(self, district: str, index: int) -> Person:
        """A natural person with a unique, valid ID number (birth day and sequence from index)."""
        rng = Random(f"{self.seed}:person:{district}:{index}")
        offset = (index * 7919 + 4321) % _BORN_DAYS
        born = _BORN_FROM + dt.timedelta(days=offset)
        # 7 is invertible mod 1000, so the sequence differs for every index with that birth day.
        sequence = (index // _BORN_DAYS) * 7 + offset * 37
        return Person(person_name(rng, GIVEN_SUBJECT), resident_id(district, born, sequence))

    def representative(self, rng: Random) -> Person:
        """A legal representative: random, and never published, so uniqueness does not matter."""
        division = (
            rng.choice(OTHER_DIVISIONS) if rng.random() < 0.25 else rng.choice(DISTRICT_CODES)
        )
        born = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(38 * 365))
        name = person_name(rng, GIVEN_REP, rare=True)
        return Person(name, resident_id(division, born, rng.randrange(1000)))

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one instance per run
    def company(self, district: str, index: int, sector: str) -> Org:
        rng = Random(f"{self.seed}:company:{sector}:{district}:{index}")
        # Each sector has its own index space within the same code space.
        code_index = index * len(SECTOR_INDEX) + SECTOR_INDEX[sector]
        uscc = make_uscc("1", district, code_index, modern=rng.random() < 0.7)
        rep = self.representative(rng)
        if sector == "market" and (district, index) in UNIQUE_COMPANIES:
            name, groups = UNIQUE_COMPANIES[(district, index)]
            return Org(name, uscc, "法人及非法人组织", rep, groups)
        industry, groups = rng.choice(SECTORS[sector])
        stem = (
            rng.choice(PLACE_STEMS)
            if rng.random() < 0.15
            else "".join(rng.sample(STEM_CHARS, 2 if rng.random() < 0.85 else 3))
        )
        form = "有限责任公司" if rng.random() < 0.15 else "有限公司"
        shape = rng.random()
        if shape < 0.45:
            name = f"天津{stem}{industry}{form}"
        elif shape < 0.65:
            name = f"天津市{stem}{industry}{form}"
        elif shape < 0.9:
            name = f"天津市{DISTRICT_NAME[district]}{stem}{industry}{form}"
        else:
            name = f"{stem}（天津）{industry}{form}"
        return Org(name, uscc, "法人及非法人组织", rep, groups)

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one instance per run
    def shop(self, district: str, index: int) -> Org:
        """An individual business (个体工商户): type 2 credit code, run by its operator."""
        rng = Random(f"{self.seed}:shop:{district}:{index}")
        code_index = index * len(SECTOR_INDEX) + SECTOR_INDEX["shop"]
        uscc = make_uscc("2", district, code_index, modern=rng.random() < 0.8)
        operator = self.representative(rng)
        kind, groups = rng.choice(SHOPS)
        style = rng.random()
        if style < 0.4:
            trade_name = operator.name[0] + "记"
        elif style < 0.7:
            trade_name = rng.choice(STEM_CHARS) * 2
        else:
            trade_name = "".join(rng.sample(STEM_CHARS, 2))
        name = f"天津市{DISTRICT_NAME[district]}{trade_name}{kind}"
        return Org(name, uscc, "个体工商户", operator, groups)


# --- writing packages -------------------------------------------------------------------------


class CsvFile:
    """One CSV file written row by row in a fixed encoding and line ending."""

    def __init__(
        self, path: Path, header: Sequence[str], encoding: str, bom: bool, newline: str
    ) -> None:
        self.fh = path.open("wb")
        self.encoding = encoding
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator=newline)
        self.rows = 0
        if bom:
            self.fh.write(codecs.BOM_UTF8)
        self._write(header, encoding)

    def _write(self, values: Sequence[str], encoding: str) -> None:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        self.fh.write(self.buffer.getvalue().encode(encoding))

    def write(self, values: Sequence[str], encoding: str | None = None) -> None:
        self._write(values, encoding or self.encoding)
        self.rows += 1

    def close(self) -> None:
        self.fh.close()


class Package:
    """A list package being written: records now, withdrawals and objections when first needed."""

    def __init__(
        self,
        out: Path,
        item: ItemInfo,
        provider: Dept,
        extracted: dt.date,
        *,
        encoding: str = "utf-8",
        bom: bool = False,
        crlf: bool = False,
    ) -> None:
        self.name = f"{provider.code}-{item.code}".lower()
        self.item, self.provider, self.extracted = item, provider, extracted
        self.folder = out / self.name
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.encoding = encoding
        self.records = CsvFile(
            self.folder / "records.csv", item.fields, encoding, bom, "\r\n" if crlf else "\n"
        )
        self.extra: dict[str, CsvFile] = {}

    def record(self, row: dict[str, str], encoding: str | None = None) -> None:
        if len(row) != len(self.item.fields):
            extra = sorted(set(row) - set(self.item.fields))
            raise SystemExit(f"{self.item.code}: row has fields the schema lacks: {extra}")
        self.records.write([row[name] for name in self.item.fields], encoding)

    def _side(self, resource: str, header: Sequence[str], values: Sequence[str]) -> None:
        if resource not in self.extra:
            self.extra[resource] = CsvFile(
                self.folder / f"{resource}.csv", header, self.encoding, False, "\n"
            )
        self.extra[resource].write(values)

    def withdrawal(self, number: str, subject: str, reason: str, doc: str, day: dt.date) -> None:
        self._side(
            "withdrawals", WITHDRAWAL_COLUMNS, (number, subject, reason, doc, day.isoformat())
        )

    def objection(self, number: str, subject: str, received: dt.date, status: str) -> None:
        self._side("objections", OBJECTION_COLUMNS, (number, subject, received.isoformat(), status))

    def close(self) -> dict[str, int]:
        self.records.close()
        resources = [self._resource("records")]
        for name in ("withdrawals", "objections"):
            if name in self.extra:
                self.extra[name].close()
                resources.append(self._resource(name))
        descriptor = {
            "name": self.name,
            "title": f"{self.provider.name}：{self.item.name}",
            "description": "合成的样例数据，不涉及真实主体。Synthetic sample data: "
            "every name, code and number is invented (scripts/gen_sample_lists.py).",
            "catalogue_item": self.item.code,
            "provider": self.provider.code,
            "extracted": self.extracted.isoformat(),
            "resources": resources,
        }
        text = json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (self.folder / "datapackage.json").write_text(text, encoding="utf-8")
        counts = {"records": self.records.rows}
        counts.update({name: f.rows for name, f in self.extra.items()})
        return counts

    def _resource(self, name: str) -> dict[str, str]:
        resource = {"name": name, "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv"}
        if self.encoding != "utf-8":
            resource["encoding"] = self.encoding  # only declared when it is not the default
        return resource


# --- planning ---------------------------------------------------------------------------------


class Plan:
    """Draws scenarios without replacement, so that each occurs exactly as often as planned while
    they are spread at random through the file; memory is one counter per scenario."""

    def __init__(self, rng: Random, counts: dict[str, int]) -> None:
        self.rng = rng
        self.left = {name: n for name, n in counts.items() if n > 0}
        self.total = sum(self.left.values())

    def __iter__(self) -> Iterator[str]:
        while self.total:
            scenario = self._find(self.rng.randrange(self.total))
            self.left[scenario] -= 1
            self.total -= 1
            yield scenario

    def _find(self, pick: int) -> str:
        for scenario, n in self.left.items():
            if pick < n:
                return scenario
            pick -= n
        raise AssertionError("pick beyond the total")


def scaled(n: int, base: int, per_base: float, floor: int) -> int:
    """`per_base` rows out of `base`, scaled to `n`, and never fewer than `floor`."""
    return max(floor, round(n * per_base / base))


def skewed_index(rng: Random, pool: int) -> int:
    """Small indexes are drawn more often: a few repeat offenders, a long tail of one-offs."""
    return min(pool - 1, int(pool * rng.random() ** 1.3))


class Numbers:
    """Document-number counters per (prefix, year): unique, increasing, with realistic gaps."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.next: dict[tuple[str, int], int] = {}

    def take(self, prefix: str, year: int, start: int = 1, step: int = 3) -> int:
        key = (prefix, year)
        number = self.next.get(key, start + self.rng.randrange(step))
        self.next[key] = number + 1 + self.rng.randrange(step)
        return number

    def document(self, prefix: str, year: int) -> str:
        """An administrative document number: 津滨市监罚〔2026〕45号."""
        return f"{prefix}〔{year}〕{self.take(prefix, year)}号"


# --- context shared by the lists ---------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    out: Path
    seed: int
    as_of: dt.date
    latest: dt.date  # latest decision date in the data: a few days before the extraction
    catalogue: Catalogue
    people: Identities
    sx02_rows: int
    with_errors: bool

    def rng(self, name: str) -> Random:
        return Random(f"{self.seed}:{name}")

    def scale(self, per_1500: float, floor: int) -> int:
        return scaled(self.sx02_rows, BASE_SX02_ROWS, per_1500, floor)


def pick_district(rng: Random, dept: Dept) -> str:
    if dept.level == "district":
        return dept.district
    return rng.choices(DISTRICT_CODES, DISTRICT_WEIGHTS)[0]


def doc_prefix(dept: Dept) -> str:
    """津市监 for the municipal bureau, 津滨市监 for Binhai's, 津和市监 for Heping's."""
    return "津市监" if dept.level == "municipal" else f"津{DISTRICT_ABBR[dept.district]}市监"


def government_prefix(dept: Dept) -> str:
    """Reconsideration goes to the government at the bureau's level: 津政复决 / 津滨政复决."""
    return "津政复决" if dept.level == "municipal" else f"津{DISTRICT_ABBR[dept.district]}政复决"


def unknown_authority_uscc() -> str:
    """A valid credit code that belongs to no department (for --with-errors)."""
    first17 = "11120000MB1999999"
    return first17 + uscc_check_char(first17)


def broken_id(rng: Random, division: str, kind: str) -> str:
    """An ID number with a wrong check character, or with 30 February as its birth date."""
    if kind == "birth":
        first17 = f"{division}19900230{rng.randrange(1000):03d}"
        return first17 + resident_id_check_char(first17)
    good = resident_id(division, dt.date(1980, 5, 17), rng.randrange(1000))
    wrong = "10X98765432".replace(good[-1], "")
    return good[:-1] + rng.choice(wrong)


def pilot_uscc(uscc: str) -> str:
    """The same code with a wrong check character: early pilot codes look like this (a warning)."""
    return uscc[:-1] + next(c for c in "0123456789" if c != uscc[-1])


# --- SX-02: administrative penalties -----------------------------------------------------------

SX02_SPECIAL = {
    # scenario: (rows per 1,500, floor). Everything else is an ordinary, publishable penalty.
    "expired": (200, 6),
    "simplified": (55, 4),
    "minor": (50, 4),
    "natural-person": (40, 4),
    "warning-only": (25, 4),
    "repaired": (25, 4),
    "early-repair": (2, 2),
    "revoked": (8, 3),
    "corrected": (6, 3),
    "objection-under_review": (6, 3),
    "objection-upheld": (4, 3),
    "objection-rejected": (6, 3),
    "duplicate": (20, 3),  # written twice: district package and municipal package
}
# Rows that fail validation or are rejected: the build reports errors and exits 1, so these
# are written only with --with-errors (tests and benchmarks), never into the committed sample.
SX02_ERRORS = (
    "no-number",  # rejected: no-legal-document
    "no-date",  # rejected: no-legal-document
    "error-uscc-format",
    "error-uscc-pilot",  # a warning, not an error
    "error-id-check",
    "error-id-birth",
    "error-future-date",
    "error-end-before-start",
    "error-negative-amount",
    "error-unknown-authority",
    "error-missing-name",
    "error-bad-enum",
    "error-bad-date",
    "error-bad-boolean",
    "error-undeclared-encoding",
)
SX02_PROVIDERS = (("TJ-SCJG", 35), ("BH-SCJG", 40), ("HP-SCJG", 25))
SX02_DISTRICT_PROVIDERS = ("BH-SCJG", "HP-SCJG")


@dataclass
class Side:
    """What a generated row brings along besides itself."""

    withdrawal: tuple[str, str, dt.date] | None = None  # reason, document number, date
    objection: tuple[dt.date, str] | None = None  # received, status
    encoding: str | None = None  # write this row in another encoding (a deliberate error)


class Sx02:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("SX-02")
        self.numbers = Numbers(self.rng)
        self.item = ctx.catalogue.item("SX-02")
        self.pool_district = max(40, ctx.sx02_rows // 4)
        self.pool_municipal = max(20, ctx.sx02_rows // 40)

    def plan(self) -> dict[str, int]:
        counts = {name: self.ctx.scale(*share) for name, share in SX02_SPECIAL.items()}
        if "minor" not in self.item.severities:
            # A warning alone belongs to the minor tier, which is not published. Without a
            # `minor` severity the row could only claim a published tier, so leave it out.
            counts["warning-only"] = 0
        if self.ctx.with_errors:
            counts.update({name: self.ctx.scale(1, 1) for name in SX02_ERRORS})
        # A duplicate is two rows; the rest of the N rows are ordinary penalties.
        normal = self.ctx.sx02_rows - sum(counts.values()) - counts["duplicate"]
        if normal < 1:
            raise SystemExit(f"--scale {self.ctx.sx02_rows} is too small for every outcome")
        return {"normal": normal, **counts}

    def write(self) -> list[tuple[str, dict[str, int]]]:
        ctx = self.ctx
        packages = {
            "TJ-SCJG": Package(
                ctx.out, self.item, ctx.catalogue.dept("TJ-SCJG"), days_before(ctx.as_of, 2)
            ),
            # A district exporting UTF-8 with a byte-order mark, as Excel does.
            "BH-SCJG": Package(
                ctx.out, self.item, ctx.catalogue.dept("BH-SCJG"), days_before(ctx.as_of, 1),
                bom=True,
            ),
            # A district whose system still exports GB18030, declared in the descriptor.
            "HP-SCJG": Package(
                ctx.out, self.item, ctx.catalogue.dept("HP-SCJG"), days_before(ctx.as_of, 3),
                encoding="gb18030",
            ),
        }  # fmt: skip
        codes = [code for code, _ in SX02_PROVIDERS]
        weights = [w for _, w in SX02_PROVIDERS]
        for scenario in Plan(self.rng, self.plan()):
            if scenario == "duplicate":
                provider = self.rng.choice(SX02_DISTRICT_PROVIDERS)
            elif scenario == "error-undeclared-encoding":
                provider = "BH-SCJG"  # GB18030 bytes in a UTF-8 file
            else:
                provider = self.rng.choices(codes, weights)[0]
            dept = ctx.catalogue.dept(provider)
            row, side = self.row(dept, scenario)
            package = packages[provider]
            package.record(row, side.encoding)
            if scenario == "duplicate":
                # The district pushed it to the municipal platform, which exports it again.
                packages["TJ-SCJG"].record(row)
            subject = row["cf_xdr_shxym"] or row["cf_xdr_zjhm"]
            if side.withdrawal:
                reason, doc, day = side.withdrawal
                package.withdrawal(row["cf_wsh"], subject, reason, doc, day)
            if side.objection:
                received, status = side.objection
                package.objection(row["cf_wsh"], subject, received, status)
        return [(p.name, p.close()) for p in packages.values()]

    # -- one row --

    def row(self, dept: Dept, scenario: str) -> tuple[dict[str, str], Side]:
        rng, ctx = self.rng, self.ctx
        side = Side()
        district = pick_district(rng, dept)
        pool = self.pool_district if dept.level == "district" else self.pool_municipal
        index = skewed_index(rng, pool)
        person: Person | None = None
        org: Org | None = None
        if scenario in ("natural-person", "error-id-check", "error-id-birth"):
            person = ctx.people.person(district, index)
            if scenario != "natural-person":
                kind = "check" if scenario == "error-id-check" else "birth"
                person = Person(person.name, broken_id(rng, district, kind))
        elif rng.random() < 0.2:
            org = ctx.people.shop(district, index)
        else:
            org = ctx.people.company(district, index, "market")

        # The violation and the penalty.
        if scenario in ("warning-only", "simplified"):
            violation = rng.choice(WARNING_VIOLATIONS)
        elif person is not None:
            violation = rng.choice(PERSON_VIOLATIONS)
        else:
            assert org is not None
            violation = rng.choice(fitting_violations(org))
        serious = (
            scenario in ("normal", "expired", "repaired", "objection-rejected")
            and bool(violation.serious)
            and rng.random() < 0.45
        ) or (scenario == "normal" and rng.random() < 0.08)
        severity = "minor" if scenario == "warning-only" else "serious" if serious else "general"

        decided, end = self.dates(scenario, severity)
        lo, hi = violation.fine
        fine = rng.randint(lo, hi) // 5 * 5
        if scenario == "minor":
            fine = max(5, lo // 2 // 5 * 5)  # mitigated: at or below the lower limit
        # Illegal gains in yuan, as the facts state them; the column has them in 万元.
        gain_yuan = rng.randint(200, 30000) if violation.confiscate else 0
        gains = max(1, round(gain_yuan / 100)) if gain_yuan else 0
        kinds: list[str] = []
        if scenario == "warning-only":
            kinds, fine, gains = ["警告"], 0, 0
        elif scenario == "simplified":
            # On-the-spot decisions: a warning or a fine of at most 3,000 yuan (Art. 51).
            if rng.random() < 0.4:
                kinds, fine, gains = ["警告"], 0, 0
            else:
                kinds, fine, gains = ["罚款"], rng.choice((5, 10, 20, 30)), 0
        else:
            if violation.warning_ok and rng.random() < 0.3:
                kinds.append("警告")
            if gains:
                kinds.append("没收违法所得")
            kinds.append("罚款")
        licence = ""
        if serious and violation.serious:
            extra = "吊销许可证件" if "吊销" in violation.serious else "责令停产停业"
            kinds.append(extra)
            if org is not None and "营业执照" in violation.serious:
                licence = f"营业执照（统一社会信用代码：{org.uscc}）"
            elif "许可证" in violation.serious:
                licence = f"{violation.serious[2:]}（编号：JY{rng.randrange(10**13):013d}）"
        content = self.content(kinds, fine, gains, violation.serious if serious else "")

        # The document number.
        year = decided.year
        prefix = doc_prefix(dept) + ("简罚" if scenario == "simplified" else "罚")
        number = self.numbers.document(prefix, year)

        facts = self.facts(violation, decided, gain_yuan)
        row: dict[str, str] = {
            "cf_xdr_mc": org.name if org else person.name if person else "",
            "cf_xdr_lb": org.category if org else "自然人",
            "cf_xdr_shxym": org.uscc if org else "",
            "cf_xdr_zjlx": "" if org else "01",
            "cf_xdr_zjhm": "" if org else person.id_number if person else "",
            "cf_frdb": org.rep.name if org else "",
            "cf_fr_zjlx": "01" if org else "",
            "cf_fr_zjhm": org.rep.id_number if org else "",
            "cf_wsh": number,
            "cf_wfxw": violation.wfxw,
            "cf_sy": facts,
            "cf_yj": violation.basis,
            "cf_cflb": ";".join(kinds),
            "cf_nr": content,
            "cf_nr_fk": wan(fine),
            "cf_nr_wfff": wan(gains),
            "cf_nr_zkdx": licence,
            "cf_jdrq": decided.isoformat(),
            "cf_yxq": (NO_END if licence else add_months(decided, 12)).isoformat(),
            "cf_gsjzq": end.isoformat(),
            "cf_cfjg": dept.name,
            "cf_cfjgdm": dept.uscc,
            "cf_sjly": dept.name,
            "cf_sjlydm": dept.uscc,
            "bz": rng.choice(MINOR_REMARKS) if scenario == "minor" else "",
            "procedure": "simplified" if scenario == "simplified" else "general",
            "minor": "true" if scenario == "minor" else "false",
            "severity": severity,
        }
        self.apply(scenario, row, side, dept, decided)
        return row, side

    def apply(
        self, scenario: str, row: dict[str, str], side: Side, dept: Dept, decided: dt.date
    ) -> None:
        """Give the row its scenario: a withdrawal, an objection, a missing document, an error."""
        rng, ctx = self.rng, self.ctx
        age = (ctx.latest - decided).days
        if scenario == "no-number":
            row["cf_wsh"] = ""
        elif scenario == "no-date":
            row["cf_jdrq"] = ""
        elif scenario in ("repaired", "early-repair"):
            tier_min = 12 if row["severity"] == "serious" else 3  # site.yaml's default tiers
            if scenario == "early-repair":
                repaired = decided + dt.timedelta(days=rng.randint(20, 45))
            else:
                earliest = add_months(decided, tier_min) + dt.timedelta(days=1)
                repaired = earliest + dt.timedelta(
                    days=rng.randrange(max(1, (ctx.latest - earliest).days))
                )
            doc = self.numbers.document(doc_prefix(dept) + "信修", repaired.year)
            side.withdrawal = ("repaired", doc, repaired)
        elif scenario == "revoked":
            day = decided + dt.timedelta(days=rng.randint(30, max(31, age - 1)))
            side.withdrawal = (
                "revoked",
                self.numbers.document(government_prefix(dept), day.year),
                day,
            )
        elif scenario == "corrected":
            day = decided + dt.timedelta(days=rng.randint(5, max(6, age - 1)))
            doc = self.numbers.document(doc_prefix(dept) + "更", day.year)
            side.withdrawal = ("corrected", doc, day)
        elif scenario.startswith("objection-"):
            status = scenario.removeprefix("objection-")
            if status == "under_review":
                received = days_before(ctx.latest, rng.randint(0, 20))
            else:
                received = decided + dt.timedelta(days=rng.randint(10, max(11, age - 25)))
            side.objection = (received, status)
        elif scenario == "error-uscc-format":
            row["cf_xdr_shxym"] = row["cf_xdr_shxym"][:-1]  # 17 characters
        elif scenario == "error-uscc-pilot":
            row["cf_xdr_shxym"] = pilot_uscc(row["cf_xdr_shxym"])
        elif scenario == "error-future-date":
            row["cf_jdrq"] = (ctx.as_of + dt.timedelta(days=rng.randint(1, 30))).isoformat()
        elif scenario == "error-end-before-start":
            row["cf_gsjzq"] = days_before(decided, rng.randint(1, 60)).isoformat()
        elif scenario == "error-negative-amount":
            row["cf_nr_fk"] = wan(-rng.randint(10, 500))
        elif scenario == "error-unknown-authority":
            row["cf_cfjgdm"] = unknown_authority_uscc()
        elif scenario == "error-missing-name":
            row["cf_xdr_mc"] = ""
        elif scenario == "error-bad-enum":
            row["procedure"] = "普通程序"
        elif scenario == "error-bad-date":
            row["cf_jdrq"] = f"{decided.year}/{decided.month}/{decided.day}"
        elif scenario == "error-bad-boolean":
            row["minor"] = "是的"
        elif scenario == "error-undeclared-encoding":
            side.encoding = "gb18030"  # bytes that are not UTF-8, undeclared

    def dates(self, scenario: str, severity: str) -> tuple[dt.date, dt.date]:
        """Decision date and publicity end (cf_gsjzq), chosen so the scenario is what decides."""
        rng, latest = self.rng, self.ctx.latest
        general = severity != "serious"  # the minor tier is dated like the general one
        if scenario == "expired":
            shape = rng.random()
            if general and shape < 0.7:  # past its year
                decided = days_before(latest, rng.randint(380, 1455))
                return decided, add_months(decided, 12)
            if general:  # its own, shorter end has passed
                decided = days_before(latest, rng.randint(200, 340))
                return decided, add_months(decided, 6)
            if shape < 0.5:  # serious, past its three years
                decided = days_before(latest, rng.randint(1110, 1455))
                return decided, add_months(decided, 36)
            # Serious with an end beyond the maximum: only the clamp to 36 months ends it.
            decided = days_before(latest, rng.randint(1110, 1430))
            return decided, add_months(decided, 60)
        if scenario == "repaired" and not general:
            decided = days_before(latest, rng.randint(400, 1000))
            return decided, add_months(decided, 36)
        if scenario == "repaired":
            decided = days_before(latest, rng.randint(120, 330))
            return decided, add_months(decided, 12)
        if scenario == "early-repair":
            decided = days_before(latest, rng.randint(60, 300))
            return decided, add_months(decided, 12)
        if scenario in ("revoked", "corrected", "objection-upheld", "objection-rejected"):
            decided = days_before(latest, rng.randint(40, 330))
            return decided, add_months(decided, 36 if not general else 12)
        if scenario == "objection-under_review":
            decided = days_before(latest, rng.randint(30, 300))
            return decided, add_months(decided, 12)
        if not general:
            decided = days_before(latest, rng.randint(0, 1050))
            shape = rng.random()
            if shape < 0.1:
                return decided, add_months(decided, 60)  # beyond the maximum: clamped to 36
            if shape < 0.2 and (latest - decided).days < 700:
                return decided, add_months(decided, 24)
            return decided, add_months(decided, 36)
        decided = days_before(latest, rng.randint(0, 330))
        age = (latest - decided).days
        shape = rng.random()
        if shape < 0.1:
            return decided, add_months(decided, 24)  # beyond the maximum: clamped to 12
        if shape < 0.15 and age < 80:
            return decided, add_months(decided, 1)  # below the minimum: clamped up to 3
        if shape < 0.25 and age < 170:
            return decided, add_months(decided, 6)
        return decided, add_months(decided, 12)

    def content(self, kinds: list[str], fine: int, gains: int, serious: str) -> str:
        parts = []
        if "警告" in kinds:
            parts.append("警告")
        if gains:
            parts.append(f"没收违法所得{wan(gains)}万元")
        if "罚款" in kinds:
            parts.append(f"罚款{wan(fine)}万元")
        if serious:
            parts.append(serious)
        return "；".join(parts) + "。"

    def facts(self, violation: Violation, decided: dt.date, gain_yuan: int) -> str:
        """The facts of the case; only the placeholders its template uses are drawn (speed)."""
        rng = self.rng
        values: dict[str, str] = {}
        for name in placeholders(violation.facts):
            if name == "period":
                start = add_months(decided, -rng.randint(2, 10))
                values[name] = f"{start.year}年{start.month}月至{decided.year}年{decided.month}月"
            elif name == "value":
                values[name] = yuan(rng.randint(3, 400) * 10)
            elif name == "gain":
                values[name] = yuan(gain_yuan)
            elif name == "qty":
                values[name] = str(rng.randint(2, 60))
            else:
                values[name] = rng.choice(FILLERS[name])
        return violation.facts.format(**values)


@functools.cache
def placeholders(template: str) -> tuple[str, ...]:
    return tuple(sorted({name for _, name, _, _ in string.Formatter().parse(template) if name}))


# --- SX-04: dishonest judgment debtors ---------------------------------------------------------

# Case-number court codes: the higher court, the three intermediate courts, Binhai's court.
COURT_CODES = {
    "TJ-GY": "津",
    "TJ-YZY": "津01",
    "TJ-EZY": "津02",
    "TJ-SZY": "津03",
    "BH-FY": "津0116",
}
SX04_GY_COURTS = (("TJ-GY", 5), ("TJ-YZY", 35), ("TJ-EZY", 35), ("TJ-SZY", 25))
SX04_SPECIAL = {
    "expired": (70, 4),
    "revoked": (4, 2),
    "repaired": (3, 2),
    "corrected": (2, 1),
    "objection-under_review": (3, 2),
    "objection-upheld": (2, 1),
    "objection-rejected": (2, 1),
    "duplicate": (8, 2),  # a Binhai case that the higher court's export carries again
}
SX04_ERRORS = ("no-number", "error-id-check")
CONDUCTS = (
    ("有履行能力而拒不履行生效法律文书确定义务", 60, False),
    ("违反财产报告制度", 15, False),
    ("违反限制消费令", 10, False),
    ("以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", 8, True),
    ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行", 4, True),
    ("无正当理由拒不履行执行和解协议", 3, False),
)
DUTIES = (
    "{debtor}于判决生效之日起十日内向{creditor}支付货款{amount}及逾期付款利息。",
    "{debtor}偿还{creditor}借款本金{amount}及利息。",
    "{debtor}向{creditor}支付工程款{amount}。",
    "{debtor}返还{creditor}购房款{amount}。",
    "{debtor}向{creditor}支付租金{amount}及违约金。",
)
WAGE_DUTY = "{debtor}向申请执行人支付拖欠的劳动报酬{amount}及经济补偿金。"
INTERMEDIATE = (
    ("津01", "天津市第一中级人民法院"),
    ("津02", "天津市第二中级人民法院"),
    ("津03", "天津市第三中级人民法院"),
)


class Sx04:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("SX-04")
        self.numbers = Numbers(self.rng)
        self.item = ctx.catalogue.item("SX-04")
        self.rows = ctx.scale(500, 20)
        self.pool = max(40, ctx.sx02_rows // 4)

    def plan(self) -> dict[str, int]:
        counts = {name: self.ctx.scale(*share) for name, share in SX04_SPECIAL.items()}
        if self.ctx.with_errors:
            counts.update({name: self.ctx.scale(1, 1) for name in SX04_ERRORS})
        normal = self.rows - sum(counts.values()) - counts["duplicate"]
        if normal < 1:
            raise SystemExit(f"--scale {self.ctx.sx02_rows} is too small for SX-04")
        return {"normal": normal, **counts}

    def write(self) -> list[tuple[str, dict[str, int]]]:
        ctx, rng = self.ctx, self.rng
        # The higher court exports every court's list, with Windows line endings.
        gy = Package(
            ctx.out, self.item, ctx.catalogue.dept("TJ-GY"), days_before(ctx.as_of, 1), crlf=True
        )
        bh = Package(ctx.out, self.item, ctx.catalogue.dept("BH-FY"), days_before(ctx.as_of, 2))
        courts = [code for code, _ in SX04_GY_COURTS]
        weights = [w for _, w in SX04_GY_COURTS]
        for scenario in Plan(rng, self.plan()):
            own = scenario == "duplicate" or rng.random() < 0.35
            package = bh if own else gy
            court = ctx.catalogue.dept("BH-FY" if own else rng.choices(courts, weights)[0])
            row, side = self.row(court, package.provider, scenario)
            package.record(row)
            if scenario == "duplicate":
                gy.record(row | {"sx_sjly": gy.provider.name, "sx_sjlydm": gy.provider.uscc})
            subject = row["sx_bzxr_shxym"] or row["sx_bzxr_zjhm"]
            if side.withdrawal:
                reason, doc, day = side.withdrawal
                package.withdrawal(row["sx_ah"], subject, reason, doc, day)
            if side.objection:
                received, status = side.objection
                package.objection(row["sx_ah"], subject, received, status)
        return [(gy.name, gy.close()), (bh.name, bh.close())]

    def row(self, court: Dept, provider: Dept, scenario: str) -> tuple[dict[str, str], Side]:
        rng, ctx = self.rng, self.ctx
        side = Side()
        district = pick_district(rng, court)
        index = skewed_index(rng, self.pool)
        natural = scenario == "error-id-check" or rng.random() < 0.45
        person: Person | None = None
        org: Org | None = None
        if natural:
            person = ctx.people.person(district, index)
            if scenario == "error-id-check":
                person = Person(person.name, broken_id(rng, district, "check"))
        else:
            org = ctx.people.company(district, index, "market" if rng.random() < 0.75 else "build")
        debtor = org.name if org else person.name if person else ""

        conduct, aggravated = self.conduct()
        filed, published, end = self.dates(scenario, aggravated)
        code = COURT_CODES[court.code]
        case = f"（{filed.year}）{code}执{self.numbers.take(code + '执', filed.year, 100, 9)}号"
        basis, issuer, wages = self.basis(court, district, filed)
        amount = rng.randint(5, 5000) * 1000 + rng.randrange(1000)
        if wages:
            duty = WAGE_DUTY.format(debtor=debtor, amount=yuan(amount))
        else:
            creditor = ctx.people.company(
                rng.choice(DISTRICT_CODES), rng.randrange(self.pool), "market"
            )
            duty = rng.choice(DUTIES).format(
                debtor=debtor, creditor=creditor.name, amount=yuan(amount)
            )
        if rng.random() < 0.75:
            status, done, left = "全部未履行", "0元", yuan(amount)
        else:
            paid = amount * rng.randint(5, 60) // 100
            status, done, left = "部分未履行", yuan(paid), yuan(amount - paid)
        row = {
            "sx_bzxr_mc": debtor,
            "sx_bzxr_lb": "法人及非法人组织" if org else "自然人",
            "sx_bzxr_shxym": org.uscc if org else "",
            "sx_bzxr_zjhm": person.id_number if person else "",
            "sx_fddbr": org.rep.name if org else "",
            "sx_ah": "" if scenario == "no-number" else case,
            "sx_zxfy": court.name,
            "sx_zxfydm": court.uscc,
            "sx_sf": "天津",
            "sx_yjwh": basis,
            "sx_zcyjdw": issuer,
            "sx_yw": duty,
            "sx_lxqk": status,
            "sx_ylx_bf": done,
            "sx_wlx_bf": left,
            "sx_sxxw": conduct,
            "sx_larq": filed.isoformat(),
            "sx_fbrq": published.isoformat(),
            "sx_gsjzq": end.isoformat(),
            "sx_sjly": provider.name,
            "sx_sjlydm": provider.uscc,
            "bz": "",
        }
        latest = ctx.latest
        if scenario == "repaired":
            # Removed after full performance, past the two-year minimum (no early-repair warning).
            day = add_months(filed, 24) + dt.timedelta(days=rng.randint(1, 20))
            side.withdrawal = ("repaired", f"{case}之一", min(day, latest))
            row["bz"] = "被执行人已全部履行"
        elif scenario == "revoked":
            day = published + dt.timedelta(days=rng.randint(5, max(6, (latest - published).days)))
            side.withdrawal = ("revoked", f"{case}之一", min(day, latest))
        elif scenario == "corrected":
            day = published + dt.timedelta(days=rng.randint(5, max(6, (latest - published).days)))
            side.withdrawal = ("corrected", f"{case}之二", min(day, latest))
        elif scenario.startswith("objection-"):
            status_ = scenario.removeprefix("objection-")
            if status_ == "under_review":
                received = days_before(latest, rng.randint(0, 15))
            else:
                received = published + dt.timedelta(
                    days=rng.randint(5, max(6, (latest - published).days - 20))
                )
            side.objection = (min(received, latest), status_)
        return row, side

    def conduct(self) -> tuple[str, bool]:
        text, _, aggravated = self.rng.choices(CONDUCTS, [w for _, w, _ in CONDUCTS])[0]
        return text, aggravated

    def dates(self, scenario: str, aggravated: bool) -> tuple[dt.date, dt.date, dt.date]:
        """Filing date (the decision date role), publication date and end of the listing."""
        rng, latest = self.rng, self.ctx.latest
        if scenario == "expired":
            filed = days_before(latest, rng.randint(900, 1455))
        elif scenario == "repaired":
            filed = days_before(latest, rng.randint(760, 880))
            aggravated = True  # still listed after two years: extended by a year
        else:
            filed = days_before(latest, rng.randint(60 if scenario != "normal" else 0, 680))
        published = min(filed + dt.timedelta(days=rng.randint(10, 90)), latest)
        months = 24 if scenario == "expired" else 36 if aggravated else 24
        return filed, published, add_months(published, months)

    def basis(self, court: Dept, district: str, filed: dt.date) -> tuple[str, str, bool]:
        """The enforced document: number, issuer, and whether it is about wages."""
        rng = self.rng
        year = filed.year - (1 if rng.random() < 0.6 else 0)
        n = rng.randint(100, 9999)
        shape = rng.random()
        abbr = DISTRICT_ABBR[district]
        if shape < 0.55:
            if court.level == "district" or court.code == "TJ-GY":
                return (
                    f"（{year}）津01{district[-2:]}民初{n}号",
                    f"天津市{DISTRICT_NAME[district]}人民法院",
                    False,
                )
            code = COURT_CODES[court.code]
            return f"（{year}）{code}民初{n}号", court.name, False
        if shape < 0.7:
            code, name = rng.choice(INTERMEDIATE)
            return f"（{year}）{code}民终{n}号", name, False
        if shape < 0.88:
            return f"津仲裁字〔{year}〕第{n}号", "天津仲裁委员会", False
        return (
            f"津{abbr}劳人仲案字〔{year}〕第{n}号",
            f"天津市{DISTRICT_NAME[district]}劳动人事争议仲裁委员会",
            True,
        )


# --- SX-01, SX-03, SX-05 and the non-public item -------------------------------------------------


def small_dates(
    rng: Random, latest: dt.date, scenario: str, serious: bool
) -> tuple[dt.date, dt.date]:
    """Decision date and publicity end for the small lists: 12 months general, 36 serious."""
    months = 36 if serious else 12
    if scenario == "expired":
        decided = days_before(
            latest, rng.randint(1110, 1455) if serious else rng.randint(380, 1455)
        )
    elif scenario == "repaired":
        decided = days_before(latest, rng.randint(400, 1000))
    else:
        decided = days_before(latest, rng.randint(0, 1050) if serious else rng.randint(0, 330))
    return decided, add_months(decided, months)


class SmallList:
    """The common loop of the small lists: plan scenarios, build rows, stream them out."""

    code = ""
    provider = ""
    share: tuple[int, int] = (0, 0)  # rows per 1,500 SX-02 rows, and a floor
    special: dict[str, tuple[int, int]] = {}  # noqa: RUF012 - read-only class data

    def __init__(self, ctx: Context, code: str | None = None, provider: str | None = None) -> None:
        self.ctx = ctx
        self.code = code or self.code
        self.provider = provider or self.provider
        self.rng = ctx.rng(self.code)
        self.numbers = Numbers(self.rng)
        self.item = ctx.catalogue.item(self.code)
        self.dept = ctx.catalogue.dept(self.provider)
        self.pool = max(30, ctx.sx02_rows // 8)

    def write(self) -> list[tuple[str, dict[str, int]]]:
        rows = self.ctx.scale(*self.share)
        counts = {name: self.ctx.scale(*share) for name, share in self.special.items()}
        counts = {"normal": rows - sum(counts.values()), **counts}
        package = Package(self.ctx.out, self.item, self.dept, days_before(self.ctx.as_of, 4))
        for scenario in Plan(self.rng, counts):
            row, side, number_field, subject_field = self.row(scenario)
            package.record(row)
            if side.withdrawal:
                reason, doc, day = side.withdrawal
                package.withdrawal(row[number_field], row[subject_field], reason, doc, day)
            if side.objection:
                received, status = side.objection
                package.objection(row[number_field], row[subject_field], received, status)
        return [(package.name, package.close())]

    def subject(self, sector: str) -> Org:
        district = self.rng.choices(DISTRICT_CODES, DISTRICT_WEIGHTS)[0]
        return self.ctx.people.company(district, skewed_index(self.rng, self.pool), sector)

    def number(self, prefix: str, year: int) -> str:
        return self.numbers.document(prefix, year)

    def row(self, scenario: str) -> tuple[dict[str, str], Side, str, str]:
        raise NotImplementedError


SX01_MATTERS = (
    # kind, matter, certificate format, weight
    ("行政许可", "建筑业企业资质证书", "D2120{:05d}", 40),
    ("行政许可", "建筑施工企业安全生产许可证", "（津）JZ安许证字〔2021〕0{:05d}", 25),
    ("行政许可", "房地产开发企业资质证书", "津房开资〔2022〕{:05d}", 10),
    ("行政确认", "建设工程竣工验收备案", "津建备〔2023〕{:05d}", 10),
    ("行政奖励", "天津市建设工程“海河杯”奖", "HHB-2023-{:05d}", 10),
    ("行政给付", "建筑业稳岗补贴", "津建稳补〔2024〕{:05d}", 5),
)


class Sx01(SmallList):
    code, provider, share = "SX-01", "TJ-ZJW", (45, 12)
    special = {"expired": (5, 2), "objection-rejected": (1, 1)}  # noqa: RUF012

    def row(self, scenario: str) -> tuple[dict[str, str], Side, str, str]:
        rng, side = self.rng, Side()
        org = self.subject("build")
        serious = rng.random() < 0.8
        decided, end = small_dates(rng, self.ctx.latest, scenario, serious)
        kind, matter, pattern, _ = rng.choices(SX01_MATTERS, [m[3] for m in SX01_MATTERS])[0]
        certificate = pattern.format(rng.randrange(100000))
        amount = 0
        if kind == "行政许可":
            amount = rng.randint(100, 300) // 5 * 5  # a fine of 1-3万元
            measures = f"撤销{matter}（编号：{certificate}），处罚款{wan(amount)}万元，三年内不得再次申请该行政许可。"
            basis = "《中华人民共和国行政许可法》第六十九条第二款、第七十九条"
            prefix = "津住建撤许"
        elif kind == "行政确认":
            measures = f"撤销{matter}（编号：{certificate}），责令重新组织竣工验收。"
            basis = (
                "《中华人民共和国行政许可法》第六十九条第二款；《建设工程质量管理条例》第四十九条"
            )
            prefix = "津住建撤备"
        elif kind == "行政奖励":
            amount = rng.randint(10, 50) * 10
            measures = f"撤销{matter}，收回奖牌、证书及奖金{wan(amount)}万元。"
            basis = "《天津市社会信用条例》第十二条第一项"
            prefix = "津住建撤奖"
        else:
            amount = rng.randint(50, 2000)
            measures = f"追回已发放的{matter}{wan(amount)}万元。"
            basis = "《天津市社会信用条例》第十二条第一项"
            prefix = "津住建追补"
        means = rng.choices(("欺骗", "贿赂", "其他不正当手段"), (80, 5, 15))[0]
        number = self.number(prefix, decided.year)
        row = {
            "bd_xdr_mc": org.name,
            "bd_xdr_lb": org.category,
            "bd_xdr_shxym": org.uscc,
            "bd_xdr_zjlx": "",
            "bd_xdr_zjhm": "",
            "bd_frdb": org.rep.name,
            "bd_sxlb": kind,
            "bd_sxmc": matter,
            "bd_zzbh": certificate,
            "bd_sdfs": means,
            "bd_qdrq": days_before(decided, rng.randint(90, 900)).isoformat(),
            "bd_wsh": number,
            "bd_clnr": measures,
            "bd_yj": basis,
            "bd_jdrq": decided.isoformat(),
            "bd_zhje": wan(amount),
            "bd_gsjzq": end.isoformat(),
            "bd_cljg": self.dept.name,
            "bd_cljgdm": self.dept.uscc,
            "bd_sjly": self.dept.name,
            "bd_sjlydm": self.dept.uscc,
            "bz": "以提供虚假业绩材料方式取得" if means == "欺骗" and rng.random() < 0.3 else "",
            "severity": "serious" if serious else "general",
        }
        if scenario == "objection-rejected":
            side.objection = (decided + dt.timedelta(days=rng.randint(10, 60)), "rejected")
        return row, side, "bd_wsh", "bd_xdr_shxym"


SX03_METHODS = (
    (
        "加处罚款或者滞纳金",
        "《中华人民共和国行政强制法》第四十五条；《中华人民共和国行政处罚法》第七十二条第一款第（一）项",
        50,
    ),
    ("划拨存款、汇款", "《中华人民共和国行政强制法》第四十七条", 25),
    ("代履行", "《中华人民共和国行政强制法》第五十条", 15),
    ("拍卖或者依法处理查封、扣押的场所、设施或者财物", "《中华人民共和国行政强制法》第四十六条", 5),
    ("其他强制执行方式", "《中华人民共和国行政强制法》第三十四条", 5),
)


class Sx03(SmallList):
    code, provider, share = "SX-03", "TJ-STHJ", (40, 12)
    special = {"expired": (4, 2), "revoked": (1, 1)}  # noqa: RUF012

    def row(self, scenario: str) -> tuple[dict[str, str], Side, str, str]:
        rng, side = self.rng, Side()
        org = self.subject("plant")
        serious = rng.random() < 0.2
        decided, end = small_dates(rng, self.ctx.latest, scenario, serious)
        method, basis, _ = rng.choices(SX03_METHODS, [m[2] for m in SX03_METHODS])[0]
        original = days_before(decided, rng.randint(90, 400))
        penalty = rng.randint(10, 100) * 100  # 10-100万元
        if method == "代履行":
            content = "责令限期拆除未经环境影响评价擅自建设的生产设施并恢复原状"
            amount = rng.randint(5, 80) * 10  # the cost of substitute performance
        else:
            content = f"责令改正违法行为，罚款{wan(penalty)}万元"
            # A surcharge never exceeds the fine itself (Administrative Compulsion Law, Art. 45).
            amount = penalty * rng.randint(30, 100) // 100 if method.startswith("加处") else penalty
        number = self.number("津环强执", decided.year)
        row = {
            "qz_xdr_mc": org.name,
            "qz_xdr_lb": org.category,
            "qz_xdr_shxym": org.uscc,
            "qz_xdr_zjlx": "",
            "qz_xdr_zjhm": "",
            "qz_frdb": org.rep.name,
            "qz_yjdwh": self.number("津环罚", original.year),
            "qz_yjdnr": content + "。",
            "qz_wsh": number,
            "qz_fs": method,
            "qz_yj": basis,
            "qz_jdrq": decided.isoformat(),
            "qz_je": wan(amount),
            "qz_zxqk": rng.choices(("执行完毕", "部分执行", "正在执行"), (50, 25, 25))[0],
            "qz_gsjzq": end.isoformat(),
            "qz_zxjg": self.dept.name,
            "qz_zxjgdm": self.dept.uscc,
            "qz_sjly": self.dept.name,
            "qz_sjlydm": self.dept.uscc,
            "bz": "",
            "severity": "serious" if serious else "general",
        }
        if scenario == "revoked":
            day = min(decided + dt.timedelta(days=rng.randint(30, 120)), self.ctx.latest)
            side.withdrawal = ("revoked", self.number("津政复决", day.year), day)
        return row, side, "qz_wsh", "qz_xdr_shxym"


TAX_PROBLEMS = (
    (
        "采取伪造、变造、隐匿、擅自销毁账簿、记账凭证等手段，少缴增值税{a}万元、企业所得税{b}万元",
        "《中华人民共和国税收征收管理法》第六十三条第一款；《重大税收违法失信主体信息公布管理办法》第六条第（一）项",
    ),
    (
        "虚开增值税专用发票{k}份，金额{a}万元，税额{b}万元",
        "《中华人民共和国发票管理办法》第二十一条、第三十五条；《重大税收违法失信主体信息公布管理办法》第六条第（七）项",
    ),
    (
        "以假报出口手段骗取出口退税{a}万元",
        "《中华人民共和国税收征收管理法》第六十六条；《重大税收违法失信主体信息公布管理办法》第六条第（四）项",
    ),
)


class Sx05(SmallList):
    code, provider, share = "SX-05", "TJ-SW", (50, 12)
    special = {"expired": (5, 2), "repaired": (1, 1), "objection-under_review": (1, 1)}  # noqa: RUF012

    def row(self, scenario: str) -> tuple[dict[str, str], Side, str, str]:
        rng, side = self.rng, Side()
        org = self.subject("market")
        decided, end = small_dates(rng, self.ctx.latest, scenario, serious=True)
        problem, basis = rng.choice(TAX_PROBLEMS)
        a, b = rng.randint(100, 3000) * 100 + rng.randrange(100), rng.randint(10, 400) * 100
        audited_to = add_months(decided, -rng.randint(6, 18))
        facts = (
            f"经国家税务总局天津市税务局第{rng.choice('一二三四')}稽查局检查，发现其在"
            f"{audited_to.year - 2}年1月1日至{audited_to.year}年12月31日期间，主要存在以下问题："
            + problem.format(a=wan(a), b=wan(b), k=rng.randint(20, 400))
            + "。"
        )
        listed_id = rng.random() < 0.4  # the legal representative is listed with the company
        row = {
            "md_mc": org.name,
            "md_lb": org.category,
            "md_shxym": org.uscc,
            "md_zjlx": "01" if listed_id else "",
            "md_zjhm": org.rep.id_number if listed_id else "",
            "md_fddbr": org.rep.name,
            "md_mdlx": "重大税收违法失信主体",
            "md_lrsy": facts,
            "md_yj": basis,
            "md_wsh": self.number(f"津税{rng.choice('一二三四')}稽罚", decided.year),
            "md_jdrq": decided.isoformat(),
            "md_je": wan(a),
            "md_gsjzq": end.isoformat(),
            "md_rdjg": self.dept.name,
            "md_rdjgdm": self.dept.uscc,
            "md_sjly": self.dept.name,
            "md_sjlydm": self.dept.uscc,
            "bz": "",
            "severity": "serious",
        }
        if scenario == "repaired":
            day = min(
                add_months(decided, 12) + dt.timedelta(days=rng.randint(1, 60)), self.ctx.latest
            )
            side.withdrawal = ("repaired", self.number("津税信修", day.year), day)
            row["bz"] = "已缴清税款、滞纳金和罚款"
        elif scenario == "objection-under_review":
            side.objection = (days_before(self.ctx.latest, rng.randint(0, 15)), "under_review")
        return row, side, "md_wsh", "md_shxym"


class NonPublic(SmallList):
    """The untrustworthy item that is shared among government bodies only: the build must withhold
    the whole package (rule 1). Its code is looked up in the catalogue, not assumed."""

    share = (20, 6)

    def row(self, scenario: str) -> tuple[dict[str, str], Side, str, str]:
        rng = self.rng
        org = self.subject("market")
        decided, end = small_dates(rng, self.ctx.latest, scenario, serious=False)
        since = add_months(decided, -rng.randint(6, 30))
        until = add_months(decided, -rng.randint(2, 4))
        kinds = rng.choice(
            ("基本养老保险费", "基本养老保险费、失业保险费", "工伤保险费", "失业保险费")
        )
        row = {
            "md_mc": org.name,
            "md_lb": org.category,
            "md_shxym": org.uscc,
            "md_zjlx": "",
            "md_zjhm": "",
            "md_fddbr": org.rep.name,
            "md_mdlx": "欠缴社会保险费",
            "md_lrsy": f"未按时足额缴纳{since.year}年{since.month}月至{until.year}年{until.month}月"
            f"{kinds}，经责令限期缴纳，逾期仍未缴纳。",
            "md_yj": "《中华人民共和国社会保险法》第六十三条、第八十六条",
            "md_wsh": self.number("津人社责缴", decided.year),
            "md_jdrq": decided.isoformat(),
            "md_je": wan(rng.randint(100, 8000)),
            "md_gsjzq": end.isoformat(),
            "md_rdjg": self.dept.name,
            "md_rdjgdm": self.dept.uscc,
            "md_sjly": self.dept.name,
            "md_sjlydm": self.dept.uscc,
            "bz": "",
            "severity": "general",
        }
        return row, Side(), "md_wsh", "md_shxym"


def non_public_item(catalogue: Catalogue) -> ItemInfo:
    hidden = [i for i in catalogue.items.values() if i.disclosure != "public"]
    if not hidden:
        raise SystemExit("the in-force edition has no non-public untrustworthy item")
    item = min(hidden, key=lambda i: i.code)
    if item.schema != "sx-05-other-statutory":
        raise SystemExit(f"{item.code} uses schema {item.schema}; this script writes sx-05 rows")
    return item


# --- the whole sample -----------------------------------------------------------------------------

README = """\
# Sample list packages (synthetic)

Everything in this folder is **invented**: company and person names, unified social credit codes,
ID numbers, document numbers, facts and amounts. Codes and ID numbers have valid check characters
so that the data passes validation, but they belong to no one. Do not edit these files by hand:
they are written by a deterministic script, and a test checks that they match a fresh run.

Regenerate with:

    .venv/bin/python scripts/gen_sample_lists.py --out content/lists --seed {seed} --as-of {as_of}

Options: `--scale N` writes N administrative-penalty (SX-02) rows and proportionally more of the
other lists, for benchmarks (do not commit its output); `--with-errors` adds rows with data
errors, which make the build fail.

The packages follow the lists input contract: `datapackage.json` with `catalogue_item`,
`provider` and `extracted`, then `records.csv` (columns from the item's schema in
`catalogue/schemas/`) and optional `withdrawals.csv` and `objections.csv`.

| package | item | provider | records | withdrawals | objections | file format |
|---|---|---|---:|---:|---:|---|
{rows}

The sample builds without errors and shows these outcomes: published (some under objection
review); withheld for the simplified procedure, the minor exception, natural persons (SX-02),
expiry (some only through the clamp to the tier's maximum), repair, revocation, correction and
upheld objections{minor_tier}; duplicates between a district and the municipal export; and `{hidden}`
withheld whole, being an item not disclosed to the public. Duplicates, early repairs and the
withheld item are real-world cases that the build reports as warnings, so `--strict` fails on
this sample. Rows rejected for lacking a decision number or date are errors, so they come only
with `--with-errors`.

`not-yet-public` cannot occur in valid data: the window starts at the decision date, which may
not be after the as-of date.{no_minor_tier}
"""
NO_MINOR_TIER = """ Nor can `tier-not-published`: only the minor tier is
unpublished, and the SX-02 schema's `severity` allows just `general` and `serious`. Once it
allows `minor`, the script writes warning-only penalties in that tier by itself."""
FORMATS = {
    "bh-scjg-sx-02": "UTF-8 with BOM",
    "hp-scjg-sx-02": "GB18030 (declared)",
    "tj-gy-sx-04": "UTF-8, CRLF line endings",
}


def write_sample(ctx: Context) -> list[tuple[str, dict[str, int]]]:
    catalogue = ctx.catalogue
    hidden = non_public_item(catalogue)
    uses = {
        "SX-02": ("TJ-SCJG", "BH-SCJG", "HP-SCJG"),
        "SX-04": ("TJ-GY", "BH-FY"),
        "SX-01": (Sx01.provider,),
        "SX-03": (Sx03.provider,),
        "SX-05": (Sx05.provider,),
        hidden.code: (hidden.providers[0],),
    }
    for code, providers in uses.items():
        for provider in providers:
            if provider not in catalogue.item(code).providers:
                raise SystemExit(f"{provider} is not a provider of {code} in the catalogue")
    written: list[tuple[str, dict[str, int]]] = []
    written += Sx02(ctx).write()
    written += Sx04(ctx).write()
    for small in (
        Sx01(ctx),
        Sx03(ctx),
        Sx05(ctx),
        NonPublic(ctx, hidden.code, hidden.providers[0]),
    ):
        written += small.write()
    return sorted(written)


def remove_stale(out: Path, keep: set[str]) -> None:
    """Remove packages this script wrote before but not now (never anything else)."""
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and p.name not in keep):
        descriptor = folder / "datapackage.json"
        if descriptor.is_file() and "scripts/gen_sample_lists.py" in descriptor.read_text("utf-8"):
            shutil.rmtree(folder)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the packages")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=int, default=BASE_SX02_ROWS, help="SX-02 rows in total")
    parser.add_argument("--as-of", default=DEFAULT_AS_OF, help="date the data is current on")
    parser.add_argument("--with-errors", action="store_true", help="add rows with data errors")
    parser.add_argument("--root", type=Path, default=ROOT, help="project with catalogue/")
    args = parser.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    catalogue = load_catalogue(args.root, as_of)
    args.out.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        out=args.out,
        seed=args.seed,
        as_of=as_of,
        latest=days_before(as_of, 5),
        catalogue=catalogue,
        people=Identities(args.seed),
        sx02_rows=args.scale,
        with_errors=args.with_errors,
    )
    written = write_sample(ctx)
    remove_stale(args.out, {name for name, _ in written})
    items = {}
    for name, _ in written:
        descriptor = json.loads((args.out / name / "datapackage.json").read_text("utf-8"))
        items[name] = (descriptor["catalogue_item"], descriptor["provider"])
    rows = "\n".join(
        f"| `{name}` | {items[name][0]} | {items[name][1]} | {counts['records']} | "
        f"{counts.get('withdrawals', 0)} | {counts.get('objections', 0)} | "
        f"{FORMATS.get(name, 'UTF-8')} |"
        for name, counts in written
    )
    has_minor = "minor" in catalogue.item("SX-02").severities
    readme = README.format(
        seed=args.seed,
        as_of=as_of.isoformat(),
        rows=rows,
        hidden=non_public_item(catalogue).code,
        minor_tier="; warnings alone, in the unpublished minor tier" if has_minor else "",
        no_minor_tier="" if has_minor else NO_MINOR_TIER,
    )
    (args.out / "README.md").write_text(readme, encoding="utf-8")
    total = sum(counts["records"] for _, counts in written)
    print(f"wrote {len(written)} packages, {total} records, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
