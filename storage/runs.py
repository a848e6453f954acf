"""Crawl runs: one row per crawl (or ``process`` pass), with its status and counts."""
from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from storage.base import ArchiveBase
from storage.coerce import json_safe, utcnow
from storage.tables import T_RUN

logger = logging.getLogger(__name__)

RUN_STATUSES = ("running", "finished", "interrupted", "failed")


class RunStore(ArchiveBase):
    """start_run / finish_run / get_run."""

    def start_run(self, portals: Iterable[str] = (), kind: str = "crawl") -> int:
        with self._tx() as conn:
            return conn.execute(
                T_RUN.insert().returning(T_RUN.c.id),
                {"kind": kind, "portals": list(portals), "started_at": utcnow(), "status": "running"},
            ).scalar_one()

    def finish_run(self, run_id: int, status: str = "finished", stats: dict[str, Any] | None = None) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, got {status!r}")
        with self._tx() as conn:
            res = conn.execute(T_RUN.update().where(T_RUN.c.id == run_id).values(
                status=status, finished_at=utcnow(), stats=json_safe(stats)))
            if res.rowcount == 0:
                raise KeyError(f"no crawl run {run_id}")

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        with self._ro() as conn:
            row = conn.execute(sa.select(T_RUN).where(T_RUN.c.id == run_id)).mappings().first()
            return dict(row) if row else None


def last_runs(database_url: str) -> dict[str, dict[str, Any]]:
    """The last crawl run of each portal from ``crawl_run`` (empty if the archive has none yet)."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    out: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("crawl_run"):
                return out
            rows = conn.execute(sa.text(
                "select id, portals, started_at, finished_at, status, stats from crawl_run "
                "where kind = 'crawl' order by id")).mappings().all()
    finally:
        engine.dispose()
    for r in rows:
        portals = r["portals"]
        if isinstance(portals, str):
            with contextlib.suppress(ValueError):
                portals = json.loads(portals)
        for name in portals or []:
            out[name] = dict(r)
    return out
