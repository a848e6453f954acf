"""The ``alembic`` command works on the archive as the docs say: from a checkout (alembic.ini
at the repo root) and with the ini that ships in the package (storage/alembic.ini)."""
from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from storage.db import ALEMBIC_INI, MIGRATIONS_DIR, current_revision, head_revision, make_engine
from storage.export import PUBLIC_VIEWS

REPO = Path(__file__).resolve().parents[2]


def _alembic(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "NIANBAO_DATABASE_URL"}
    e.update(env or {})
    res = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=cwd, env=e, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res


def _state(url: str) -> tuple[str | None, list[str]]:
    eng = make_engine(url)
    try:
        return current_revision(eng), sorted(sa.inspect(eng).get_view_names())
    finally:
        eng.dispose()


def test_alembic_upgrade_head_from_the_checkout(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    res = _alembic("-x", f"url={url}", "upgrade", "head", cwd=REPO)
    assert "Running upgrade" in res.stderr
    assert _state(url) == (head_revision(), sorted(PUBLIC_VIEWS))
    res = _alembic("-x", f"url={url}", "current", cwd=REPO)
    assert f"{head_revision()} (head)" in res.stdout


def test_packaged_ini_from_another_directory_reads_the_environment(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    env = {"NIANBAO_DATABASE_URL": url}
    _alembic("-c", str(ALEMBIC_INI), "upgrade", "0002", cwd=tmp_path, env=env)
    assert _state(url)[0] == "0002"
    _alembic("-c", str(ALEMBIC_INI), "upgrade", "head", cwd=tmp_path, env=env)
    assert _state(url) == (head_revision(), sorted(PUBLIC_VIEWS))
    # the default url of the ini is the default archive, relative to the current directory
    _alembic("-c", str(ALEMBIC_INI), "upgrade", "head", cwd=tmp_path)
    assert _state(f"sqlite:///{tmp_path / 'archive' / 'nianbao.sqlite'}")[0] == head_revision()


def test_the_two_ini_files_agree():
    def read(p: Path) -> dict[str, str]:
        cp = configparser.ConfigParser(defaults={"here": str(p.parent)})
        cp.read(p, encoding="utf-8")
        return {k: v for k, v in cp.items("alembic") if k != "here"}

    root, packaged = read(REPO / "alembic.ini"), read(ALEMBIC_INI)
    assert Path(root.pop("script_location")).resolve() == Path(packaged.pop("script_location")).resolve() \
        == MIGRATIONS_DIR
    root.pop("prepend_sys_path")   # a checkout may not be installed
    assert root == packaged
