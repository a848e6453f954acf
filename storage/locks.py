"""Per-portal crawl locks in one archive, across processes.

A scheduled and a manual crawl of the same portal must never overlap. The lock belongs to the
archive database: ``pg_try_advisory_lock`` on PostgreSQL (keyed by schema and portal, so
archives in different schemas of one server do not collide), an ``fcntl.flock``-ed file next
to the database file on SQLite. A refusal names the holder. A process holding locks can hand
them to a child it starts (:func:`held_locks_env`); the child then passes straight through.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

logger = logging.getLogger(__name__)

# Env var through which a process holding portal locks hands them to its `nianbao crawl` child.
HELD_LOCKS_ENV = "NIANBAO_HELD_PORTAL_LOCKS"
# First key of the two-int advisory lock: "nianbao portal lock".
_PG_LOCK_CLASS = 0x6E62_706C & 0x7FFF_FFFF


class PortalLocked(RuntimeError):
    """Another process is crawling this portal; the message names the portal and the holder."""

    def __init__(self, portal: str, holder: str) -> None:
        self.portal = portal
        self.holder = holder
        super().__init__(
            f"portal {portal!r} is already being crawled by {holder}; "
            f"refusing to start a second crawl of it"
        )


def _holder_info(kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _describe(info: dict[str, Any] | None) -> str:
    if not info:
        return "another process (holder unknown)"
    return f"{info.get('kind', 'a crawl')} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"


def _lock_key(database_url: str, portal: str) -> str:
    """Identifies one lock in HELD_LOCKS_ENV: the database and the portal."""
    url = sa.engine.make_url(database_url)
    return hashlib.sha1(f"{url.render_as_string(hide_password=True)}\0{portal}".encode()).hexdigest()


def _inherited(database_url: str, portal: str) -> bool:
    try:
        held = json.loads(os.environ.get(HELD_LOCKS_ENV) or "[]")
    except ValueError:
        return False
    return _lock_key(database_url, portal) in held


def sqlite_lock_path(database_url: str, portal: str) -> Path:
    """The lock file of one portal: ``<db file>.locks/<portal>.lock``."""
    url = sa.engine.make_url(database_url)
    db = url.database
    if not db or db == ":memory:":
        raise ValueError("portal locks need a file database, not an in-memory SQLite")
    safe = re.sub(r"[^\w.-]+", "_", portal)[:60]
    digest = hashlib.sha1(portal.encode()).hexdigest()[:10]
    return Path(db).resolve().parent / (Path(db).name + ".locks") / f"{safe}-{digest}.lock"


@contextlib.contextmanager
def _sqlite_lock(database_url: str, portal: str, kind: str) -> Iterator[None]:
    path = sqlite_lock_path(database_url, portal)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            try:
                info = json.loads(path.read_text(encoding="utf-8") or "null")
            except (OSError, ValueError):
                info = None
            raise PortalLocked(portal, _describe(info)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder_info(kind)).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _pg_lock(database_url: str, portal: str, kind: str) -> Iterator[None]:
    info = _holder_info(kind)
    app_name = f"nianbao {kind} pid={info['pid']}"[:63]
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool,
                              connect_args={"application_name": app_name})
    try:
        with engine.connect() as conn:
            schema = conn.execute(sa.text("select current_schema()")).scalar() or ""
            key2 = zlib.crc32(f"{schema}\0{portal}".encode()) - 2**31  # signed int4
            params = {"k1": _PG_LOCK_CLASS, "k2": key2}
            got = conn.execute(sa.text("select pg_try_advisory_lock(:k1, :k2)"), params).scalar()
            conn.commit()
            if not got:
                row = conn.execute(sa.text(
                    "select a.application_name, a.pid, a.client_addr, a.backend_start "
                    "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                    "where l.locktype = 'advisory' and l.granted and l.classid = cast(:k1 as oid) "
                    "and l.objid = cast(cast(:k2 as bigint) & 4294967295 as oid) and l.objsubid = 2 "
                    "and l.database = (select oid from pg_database where datname = current_database())"
                ), params).first()
                conn.commit()
                holder = ("another process (holder unknown)" if row is None else
                          f"{row.application_name or 'a client'} (server backend {row.pid}, "
                          f"connected since {row.backend_start:%Y-%m-%d %H:%M:%S%z})")
                raise PortalLocked(portal, holder)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    conn.execute(sa.text("select pg_advisory_unlock(:k1, :k2)"), params)
                    conn.commit()
    finally:
        engine.dispose()


@contextlib.contextmanager
def portal_lock(database_url: str, portal: str, *, kind: str = "manual crawl") -> Iterator[None]:
    """Hold the crawl lock of ``portal`` in this archive, or raise :class:`PortalLocked`.

    ``kind`` describes the holder in the refusal message ("scheduled crawl", "manual crawl").
    A child started by a holder (see :func:`held_locks_env`) passes straight through.
    """
    if _inherited(database_url, portal):
        yield
        return
    backend = sa.engine.make_url(database_url).get_backend_name()
    if backend == "sqlite":
        cm = _sqlite_lock(database_url, portal, kind)
    elif backend == "postgresql":
        cm = _pg_lock(database_url, portal, kind)
    else:
        raise ValueError(f"no portal lock for database backend {backend!r}")
    with cm:
        yield


@contextlib.contextmanager
def portal_locks(database_url: str, portals: list[str], *, kind: str = "manual crawl") -> Iterator[None]:
    """Hold the locks of several portals (all or none)."""
    with contextlib.ExitStack() as stack:
        for name in portals:
            stack.enter_context(portal_lock(database_url, name, kind=kind))
        yield


def held_locks_env(database_url: str, portals: list[str]) -> dict[str, str]:
    """Environment for a child process that crawls under locks its parent holds."""
    env = dict(os.environ)
    try:
        held = json.loads(env.get(HELD_LOCKS_ENV) or "[]")
    except ValueError:
        held = []
    held += [_lock_key(database_url, p) for p in portals]
    env[HELD_LOCKS_ENV] = json.dumps(sorted(set(held)))
    return env
