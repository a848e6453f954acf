"""Shared fixtures: real SQLite files and the real PostgreSQL server, never a mock.

Also the real-document tier: tests marked ``realdocs`` read third-party documents from the
corpus directory (tests/realdocs.py). Without the corpus they are deselected and the
session ends with one line saying how many were not run; with it, every one runs.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realdocs  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
_NOT_RUN = pytest.StashKey[int]()

PG_URL = os.environ.get("NIANBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("NIANBAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _pg_available() -> bool:
    try:
        import sqlalchemy as sa

        eng = sa.create_engine(PG_URL)
        with eng.connect() as c:
            c.execute(sa.text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the corpus, the realdocs tests are deselected (not run, not skipped)."""
    if realdocs.corpus_available():
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(realdocs.MARKER) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    config.stash[_NOT_RUN] = len(drop)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    n = config.stash.get(_NOT_RUN, 0)
    if n:
        terminalreporter.write_line(
            f"real-document corpus not found at {realdocs.corpus_dir()}: {n} tests not run; see README")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    realdocs.current_test_marked = item.get_closest_marker(realdocs.MARKER) is not None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    realdocs.current_test_marked = None


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    if not _pg_available():
        pytest.fail(f"PostgreSQL at {PG_URL} does not answer: start it (scripts/services.sh) "
                    "or point NIANBAO_TEST_PG_URL at a server")
    return PG_URL


@pytest.fixture
def pg_url(pg_base_url: str):
    """A fresh schema on the real server, dropped afterwards (search_path scoped)."""
    import sqlalchemy as sa

    schema = "t_" + uuid.uuid4().hex[:12]
    eng = sa.create_engine(pg_base_url)
    with eng.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options=-csearch_path%3D{schema}"
    with eng.begin() as c:
        c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """Runs a test once on a SQLite file and once on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def seeds_dir() -> Path:
    """The seed report texts (real documents: the test must be marked realdocs)."""
    return realdocs.seeds_dir()


@pytest.fixture(scope="session")
def seed_labels() -> dict:
    """The seeds' hand-labelled figures, from the repo (tests/data/seeds/expected.json)."""
    return realdocs.seed_labels()
