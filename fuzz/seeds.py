"""Write the seed corpus, fuzz/corpus/<target>/seed-*: `python fuzz/seeds.py`.

Seeds are the small project's good files and the bad inputs of tests/reliability/corpus/, so the
fuzzer starts from inputs that reach deep into each parser. Files named regress-* are inputs that
once crashed a target; they are written by hand and never removed by this script.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import targets  # noqa: E402

from tests.reliability.hostile import MARKDOWN  # noqa: E402

RELIABILITY = targets.REPO / "tests" / "reliability" / "corpus"
PAGE = "content/pages/index.md"

TOKENIZER_SEEDS = (
    "天津市和平区琉璃鲸文化传媒有限公司",
    "津市监罚〔2026〕3号 （2025）津0101执123号 [2024]",
    "91120116MA05XXXXX1 120101********1234",
    "Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ１２３ 【2023】 〔",
    "𠀀𠀁 emoji 😀 kana かな hangul 한글",
    "Credit repair: apply after 12 months.",
    "",
)


def seeds() -> dict[str, dict[str, bytes]]:
    base = targets.base_files()
    found: dict[str, dict[str, bytes]] = {name: {} for name in targets.TARGETS}
    page = base[PAGE]
    found["front_matter"] = {
        "good": page,
        "bom": b"\xef\xbb\xbf" + page,
        "crlf": page.replace(b"\n", b"\r\n"),
        "hostile": page + MARKDOWN.encode(),
        "unclosed": b"---\ntitle: x\nslug: y\n",
        "empty-front-matter": b"---\n---\nbody\n",
        "not-a-mapping": b"---\n- a\n- b\n---\n",
        "bad-date": b"---\ntitle: t\nslug: s\ndate: 2023-02-30\n---\n",
    }
    for target in ("catalogue", "package"):
        for rel in targets.FILES[target]:
            found[target][f"good-{Path(rel).name}"] = targets.seed(target, rel, base[rel])
    # Every committed bad input that replaces a file a target can replace.
    for case in sorted(p for p in RELIABILITY.iterdir() if (p / "files").is_dir()):
        for path in sorted((case / "files").rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(case / "files").as_posix()
            for target in ("catalogue", "package"):
                if rel in targets.FILES[target]:
                    found[target][f"{case.name}-{path.name}"] = targets.seed(
                        target, rel, path.read_bytes()
                    )
            if rel == PAGE:
                found["front_matter"][case.name] = path.read_bytes()
    found["tokenizer"] = {
        hashlib.sha256(text.encode()).hexdigest()[:12]: text.encode() for text in TOKENIZER_SEEDS
    }
    return found


def main() -> None:
    for target, inputs in seeds().items():
        folder = HERE / "corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for name, data in inputs.items():
            (folder / f"seed-{name}").write_bytes(data)
        print(f"{target}: {len(inputs)} seeds")


if __name__ == "__main__":
    main()
