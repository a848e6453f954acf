"""What every part of the Archive shares: the engine, the blob store and the connections.

Calls take their own connection from the engine's pool, except inside :meth:`ArchiveBase.batch`,
which reuses one connection and transaction per thread; ``_tx`` (writes) and ``_ro`` (reads)
hand out whichever applies.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa

from storage.blobs import BlobStore
from storage.db import current_revision, make_engine, upgrade, write_transaction

logger = logging.getLogger(__name__)


class ArchiveBase:
    """The database (SQLite file or PostgreSQL) plus the blob store, and their connections."""

    def __init__(self, database_url: str | sa.URL, blob_dir: str | Path, *, compress: bool = True,
                 migrate: bool = True, fsync: bool = True) -> None:
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self.blobs = BlobStore(blob_dir, compress=compress, fsync=fsync)
        self._local = threading.local()
        self._cell_keys: dict[tuple[str, str, str], int] = {}
        if migrate:
            upgrade(self.engine)

    # -- plumbing ------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({self.engine.url.render_as_string(hide_password=True)!r}, {str(self.blobs.root)!r})"

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with write_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def _ro(self) -> Iterator[sa.Connection]:
        """A connection for reads (the batch's one inside :meth:`batch`)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def batch(self) -> Iterator[Self]:
        """Record many captures (or derived rows) in one transaction on this thread.

        Much faster on SQLite; everything in the block commits together or not at all.
        """
        if getattr(self._local, "conn", None) is not None:
            yield self
            return
        try:
            with write_transaction(self.engine) as conn:
                self._local.conn = conn
                try:
                    yield self
                finally:
                    self._local.conn = None
        except BaseException:
            self._cell_keys.clear()  # ids created in the rolled-back transaction are gone
            raise

    # -- queries -------------------------------------------------------------------------
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT over the archive (read/write connection; use storage.sql for users' SQL)."""
        with self._ro() as conn:
            return [dict(r) for r in conn.execute(sa.text(sql), dict(params or {})).mappings()]

    def schema_version(self) -> str | None:
        """The archive's Alembic revision (None: an empty database)."""
        return current_revision(self.engine)

    def upgrade_schema(self, revision: str = "head") -> str:
        """Migrate the archive to ``revision`` (a no-op when it is there); returns the revision."""
        return upgrade(self.engine, revision)
