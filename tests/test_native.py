"""The mypyc-compiled modules (generator/native.py): used only when they match, same output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

import pytest

from generator import native
from tests.conftest import REPO, SAMPLE_AS_OF, make_project, run_cli
from tests.test_determinism import explain, snapshot

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


def fake_tree(root: Path) -> Path:
    """A package of two sources and a 'compiled' build of one of them, as the script lays out."""
    (root / "generator" / "sub").mkdir(parents=True)
    (root / "generator" / "__init__.py").write_text("")
    (root / "generator" / "sub" / "mod.py").write_text("X = 1\n")
    built = root / "build" / "native"
    (built / "generator" / "sub").mkdir(parents=True)
    (built / "generator" / "sub" / f"mod{SUFFIX}").write_bytes(b"not really compiled")
    (built / f"abc__mypyc{SUFFIX}").write_bytes(b"")
    write_manifest(built, native.sources_digest(root))
    return built


def write_manifest(built: Path, digest: str, suffix: str = SUFFIX) -> None:
    files = [f"abc__mypyc{SUFFIX}", f"generator/sub/mod{SUFFIX}"]
    manifest = {"ext_suffix": suffix, "sources": digest, "files": files}
    (built / native.MANIFEST).write_text(json.dumps(manifest))


def test_a_matching_build_maps_each_module_to_its_file(tmp_path: Path) -> None:
    built = fake_tree(tmp_path)
    assert native.compiled_modules(built, tmp_path) == {
        "abc__mypyc": built / f"abc__mypyc{SUFFIX}",
        "generator.sub.mod": built / "generator" / "sub" / f"mod{SUFFIX}",
    }


def test_an_edit_to_any_source_turns_the_compiled_modules_off(tmp_path: Path) -> None:
    built = fake_tree(tmp_path)
    (tmp_path / "generator" / "__init__.py").write_text("# edited\n")  # not a compiled one
    assert native.compiled_modules(built, tmp_path) is None


def test_only_an_edit_of_the_sources_makes_them_stale(tmp_path: Path) -> None:
    built = fake_tree(tmp_path)
    assert not native.stale(built, tmp_path)  # in step: used, not stale
    (tmp_path / "generator" / "__init__.py").write_text("# edited\n")
    assert native.stale(built, tmp_path)
    write_manifest(built, "0" * 64, suffix=".cpython-399-other.so")  # another interpreter's
    assert not native.stale(built, tmp_path)
    (built / native.MANIFEST).unlink()  # never compiled here (an installed wheel, say)
    assert not native.stale(built, tmp_path)


def test_a_build_says_when_it_ran_as_python_because_the_sources_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process (`install` has run at import): what the build says for each state."""
    from click.testing import CliRunner

    from generator import cli

    home = "---\ntitle:\n  zh-CN: 首页\n  en: Home\nslug: index\n---\n欢迎。\n"
    project = make_project(tmp_path, {"content/pages/index.md": home})
    command = ["build", "--root", str(project), "--as-of", SAMPLE_AS_OF, "--jobs", "1"]
    runner = CliRunner()
    monkeypatch.setattr(native, "_STALE", True)
    stale = runner.invoke(cli.cli, command)
    assert stale.exit_code == 0, stale.output
    assert "note: build/native was compiled from other sources" in stale.stderr
    assert "`make setup`" in stale.stderr
    monkeypatch.setattr(native, "_STALE", False)
    fresh = runner.invoke(cli.cli, command)
    assert fresh.exit_code == 0 and "build/native" not in fresh.stderr
    monkeypatch.setattr(native, "_STALE", True)
    quiet = runner.invoke(cli.cli, [*command, "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""  # --quiet says nothing, this included


def test_a_new_source_file_turns_them_off(tmp_path: Path) -> None:
    built = fake_tree(tmp_path)
    (tmp_path / "generator" / "sub" / "new.py").write_text("")
    assert native.compiled_modules(built, tmp_path) is None


def test_another_interpreter_or_a_missing_file_or_manifest_turns_them_off(tmp_path: Path) -> None:
    built = fake_tree(tmp_path)
    write_manifest(built, native.sources_digest(tmp_path), suffix=".cpython-399-other.so")
    assert native.compiled_modules(built, tmp_path) is None
    write_manifest(built, native.sources_digest(tmp_path))
    (built / "generator" / "sub" / f"mod{SUFFIX}").unlink()
    assert native.compiled_modules(built, tmp_path) is None
    (built / native.MANIFEST).write_text("{not json")
    assert native.compiled_modules(built, tmp_path) is None
    (built / native.MANIFEST).unlink()
    assert native.compiled_modules(built, tmp_path) is None


def compile_script() -> ModuleType:
    """scripts/compile_native.py, imported as a module."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import compile_native
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return compile_native


def test_the_compile_script_records_the_same_digest() -> None:
    compile_native = compile_script()
    assert compile_native.sources_digest is native.sources_digest
    assert compile_native.NATIVE == native.NATIVE


def test_a_failed_compile_leaves_no_compiled_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    compile_native = compile_script()
    old = tmp_path / "build" / "native"
    old.mkdir(parents=True)
    (old / native.MANIFEST).write_text("{}")

    def fail(work: Path) -> None:
        raise subprocess.CalledProcessError(1, ["mypyc"], output="x\nerror: gcc: not found\ny\n")

    monkeypatch.setattr(compile_native, "NATIVE", old)
    monkeypatch.setattr(compile_native, "compiled_modules", lambda: None)
    monkeypatch.setattr(compile_native, "_compile", fail)
    assert compile_native.main([]) == 0
    assert not old.exists()
    assert "not compiled (error: gcc: not found)" in capsys.readouterr().err


def _active(env: dict[str, str]) -> bool:
    probe = "import generator.native as n, generator.search.shards as s; print(n.active())"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip() == "True"


def test_cp_native_0_runs_pure_python() -> None:
    assert _active({native.DISABLE: "0"}) is False


def test_compiled_and_pure_builds_of_the_sample_are_byte_identical(tmp_path: Path) -> None:
    if native.compiled_modules() is None:
        if os.environ.get("CP_REQUIRE_NATIVE") == "1":
            pytest.fail("build/native is missing or stale: `make setup` should have compiled it")
        pytest.skip("no compiled modules here (scripts/compile_native.py)")
    assert _active({native.DISABLE: "1"}) is True
    trees = []
    for setting in ("0", "1"):
        out = tmp_path / f"native-{setting}" / "site"
        result = run_cli(
            "build", "--as-of", SAMPLE_AS_OF, "--quiet", "--out", str(out),
            cwd=REPO, env={native.DISABLE: setting},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        trees.append(snapshot(out))
    pure, compiled = trees
    assert len(pure) > 20
    assert pure == compiled, explain(pure, compiled)
