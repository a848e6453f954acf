"""Engines and migrations: one place that knows how to open the archive database.

SQLite gets WAL, synchronous=NORMAL, foreign keys and a busy timeout on every connection.
Migrations ship inside the package (storage/migrations) and are located from this file, so
they work from an installed wheel as well as from a checkout.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.optional import require

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Alembic's configuration (package data): nianbao and the ``alembic`` CLI read the same file
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
# Serialises concurrent migrators on one PostgreSQL database (any constant works).
_PG_MIGRATION_LOCK = 0x6E69616E  # "nian"

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of pysqlite's implicit one.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    """BEGIN IMMEDIATE for write transactions: a deferred transaction that reads and then writes
    fails with "database is locked" when another writer committed meanwhile (WAL snapshot)."""
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that will write (BEGIN IMMEDIATE on SQLite; a plain BEGIN elsewhere)."""
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file of a SQLite URL (None for other backends and :memory:)."""
    u = sa.make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def require_driver(url: str | sa.URL) -> None:
    """PostgreSQL needs the ``[pg]`` extra (psycopg): say so before SQLAlchemy fails to import it."""
    u = sa.make_url(url)
    if u.get_backend_name() == "postgresql" and u.get_driver_name() == "psycopg":
        require("psycopg", extra="pg", feature="a PostgreSQL archive")


def make_engine(url: str | sa.URL, **kwargs) -> sa.Engine:
    """An engine for the archive URL, with the SQLite pragmas when it is SQLite."""
    u = sa.make_url(url)
    require_driver(u)
    if u.get_backend_name() == "sqlite":
        path = sqlite_path(u)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(u, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(u, **kwargs)


def alembic_config(url: str | sa.URL | None = None) -> AlembicConfig:
    cfg = AlembicConfig(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % must be doubled
        cfg.set_main_option("sqlalchemy.url", sa.make_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The schema version this code expects (the newest migration)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def lock_migrations(conn: sa.Connection) -> None:
    """Serialise migrators of one PostgreSQL database until the transaction ends (no-op elsewhere)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})


def upgrade(engine: sa.Engine, revision: str = "head") -> str:
    """Bring the schema to ``revision``; a no-op when already there. Returns the revision."""
    head = head_revision()
    if revision == "head" and current_revision(engine) == head:
        return head
    cfg = alembic_config()
    with write_transaction(engine) as conn:
        lock_migrations(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    logger.info("archive schema at %s", revision)
    return current_revision(engine) or ""


class SchemaNotReady(Exception):
    """The archive is missing or not at this code's schema; reading it would mean migrating it."""


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def require_schema(url: str | sa.URL) -> str:
    """Check that an archive exists at this code's schema, creating and changing nothing.

    For commands that only read (``nianbao sql``, ``nianbao export``): a missing SQLite file,
    an empty database or an older schema raises :class:`SchemaNotReady` telling the user to
    run ``nianbao db upgrade``; a newer schema (written by a newer nianbao) says so.
    Returns the revision.
    """
    u = sa.make_url(url)
    shown = u.render_as_string(hide_password=True)
    path = sqlite_path(u)
    if u.get_backend_name() == "sqlite" and path is not None:
        if not path.is_file():
            raise SchemaNotReady(f"no archive at {path}: run `nianbao db upgrade` to create an empty one, "
                                 "or `nianbao crawl` to fill one")
        # opened read-only: looking creates no file and switches no journal mode
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool,
                                  creator=lambda: sqlite3.connect(uri, uri=True))
    else:
        require_driver(u)
        engine = sa.create_engine(u, poolclass=sa.pool.NullPool)
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise SchemaNotReady(f"cannot open the archive {shown}: {exc.orig}") from None
    finally:
        engine.dispose()
    head = head_revision()
    if current == head:
        return current
    if current is None:
        raise SchemaNotReady(f"the archive {shown} has no nianbao schema: run `nianbao db upgrade`")
    if current in _known_revisions():
        raise SchemaNotReady(f"the archive {shown} is at schema {current}, this nianbao reads {head}: "
                             "run `nianbao db upgrade` first")
    raise SchemaNotReady(f"the archive {shown} is at schema {current}, which this nianbao does not know "
                         f"(it reads {head}): it was written by a newer nianbao; upgrade nianbao")
