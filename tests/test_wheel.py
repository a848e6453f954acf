"""The built wheel stands on its own: installed with the interpreter's bundled pip into a fresh
venv, run from a directory outside the source tree, it has its config, profiles and
migrations, and `nianbao demo` extracts everything (the scanned reports with the [ocr] extra,
and without it they are extraction errors naming that extra)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.network, pytest.mark.timeout(2400)]

#: what is not part of a source tree the wheel is built from
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "archive", "export", "*.egg-info",
                                     "__pycache__", ".pytest_cache")


def _run(args: list[str], *, cwd: Path, timeout: int = 1200, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NIANBAO_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"))}
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert res.returncode == 0, f"{args}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def _extraction_errors(out: str) -> int:
    m = re.search(r"^(\d+) extraction errors", out, re.M)
    assert m, out[-3000:]
    return int(m.group(1))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the source tree (the checkout stays untouched)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(REPO, src, symlinks=True, ignore=_NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(src)], cwd=tmp)
    (whl,) = (tmp / "dist").glob("nianbao-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv (python -m venv: the interpreter's bundled pip) with the wheel, no extras."""
    d = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", str(d)], cwd=d.parent)
    _run([str(d / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=d.parent)
    return d


def test_wheel_holds_the_config_profiles_migrations_and_sample_site(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"crawler/default_config.yaml", "storage/alembic.ini", "storage/migrations/env.py",
            "crawler/sampleweb/site/truth.json"} <= names
    assert any(n.startswith("storage/migrations/versions/0001_") for n in names)
    cfg = zipfile.ZipFile(wheel).read("crawler/default_config.yaml")
    assert cfg == (REPO / "config.yaml").read_bytes()     # the link became the file's content
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: lxml_html_clean" in meta or "Requires-Dist: lxml-html-clean" in meta
    assert re.search(r"Requires-Dist: rapidocr.*; extra == \"ocr\"", meta)
    assert re.search(r"Requires-Dist: psycopg\[binary\].*; extra == \"pg\"", meta)


def test_installed_wheel_works_outside_the_source_tree(venv, tmp_path):
    bin_ = venv / "bin"
    where = _run([str(bin_ / "python"), "-c", "import crawler, storage.db as d; print(crawler.__file__); "
                  "print(d.ALEMBIC_INI)"], cwd=tmp_path).stdout.split()
    assert all(str(venv) in w for w in where), where
    # the packaged config: sample portals by default, the luoyang profile
    res = _run([str(bin_ / "nianbao"), "--profile", "luoyang", "crawl", "--portal", "no-such"], cwd=tmp_path,
               check=False)
    assert res.returncode == 1 and "unknown portal 'no-such'" in res.stderr + res.stdout, res.stderr
    # init writes the starter config; alembic works with the packaged ini
    _run([str(bin_ / "nianbao"), "init", "proj"], cwd=tmp_path)
    assert "sample-city" in (tmp_path / "proj" / "config.yaml").read_text(encoding="utf-8")
    db = tmp_path / "alembic.sqlite"
    _run([str(bin_ / "alembic"), "-c", where[1], "-x", f"url=sqlite:///{db}", "upgrade", "head"], cwd=tmp_path)
    out = _run([str(bin_ / "nianbao"), "--config", str(tmp_path / "proj" / "config.yaml"), "sql",
                "SELECT count(*) AS n FROM reports"], cwd=tmp_path, check=False)
    assert out.returncode == 1 and "nianbao db upgrade" in out.stderr   # read-only: nothing created
    assert not (tmp_path / "proj" / "archive").exists()


def test_demo_from_another_directory(venv, wheel, tmp_path):
    bin_ = venv / "bin"
    # without [ocr] every page is extracted except the scans, which say which extra they need
    plain = tmp_path / "plain"
    plain.mkdir()
    res = _run([str(bin_ / "nianbao"), "demo", "--port", "0"], cwd=plain)
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-3000:]
    n = _extraction_errors(res.stdout)
    assert n > 0, res.stdout[-3000:]
    errors = _run([str(bin_ / "nianbao"), "sql", "--format", "csv",
                   "SELECT DISTINCT error FROM extraction WHERE error IS NOT NULL"], cwd=plain).stdout.splitlines()[1:]
    assert errors and all("pip install 'nianbao[ocr]'" in e for e in errors), errors
    # with [ocr]: 0 extraction errors
    _run([str(bin_ / "python"), "-m", "pip", "install", "-q", f"{wheel}[ocr]"], cwd=tmp_path)
    full = tmp_path / "full"
    full.mkdir()
    res = _run([str(bin_ / "nianbao"), "demo", "--port", "0"], cwd=full)
    assert _extraction_errors(res.stdout) == 0, res.stdout[-3000:]
    assert "extraction errors while crawling: 0" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-3000:]
    assert "report_year" in res.stdout
