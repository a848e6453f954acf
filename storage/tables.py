"""The archive's tables as SQLAlchemy Core objects, and the one upsert idiom both backends share."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from storage.models import (
    Blob,
    Capture,
    CellKey,
    CrawlRun,
    Document,
    DocumentVersion,
    Extraction,
    Report,
    ReportCell,
    ReportCheck,
    ReportSource,
)

logger = logging.getLogger(__name__)

T_RUN = CrawlRun.__table__
T_BLOB = Blob.__table__
T_DOC = Document.__table__
T_VER = DocumentVersion.__table__
T_CAP = Capture.__table__
T_EXT = Extraction.__table__
T_REP = Report.__table__
T_SRC = ReportSource.__table__
T_CELL = ReportCell.__table__
T_KEY = CellKey.__table__
T_CHECK = ReportCheck.__table__


def insert_ignore(conn: sa.Connection, table: sa.Table, values: dict[str, Any] | list[dict[str, Any]],
                  keys: list[str], returning: sa.Column | None = None) -> sa.CursorResult:
    """INSERT … ON CONFLICT (keys) DO NOTHING on SQLite and PostgreSQL."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(conn.dialect.name)
    stmt = insert(table).on_conflict_do_nothing(index_elements=keys)
    if returning is not None:
        stmt = stmt.returning(returning)
    return conn.execute(stmt, values)
