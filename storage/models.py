"""SQLAlchemy 2 typed models of the archive tables.

The tables are the storage layer; the public interface is the set of SQL views created by
the migrations (``reports``, ``report_cells``, …). Table names are singular, view names plural.
The schema itself is created by Alembic (storage/migrations), never by ``create_all``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.coerce import to_number, to_utc, utcnow  # to_number, utcnow: also imported from here


class UTCDateTime(sa.types.TypeDecorator):
    """Timestamps stored in UTC; always returned timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        value = to_utc(value)
        if value is None:
            return None
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return to_utc(value)


class Number(sa.types.TypeDecorator):
    """A printed figure: NUMERIC in the database; int when integral, else Decimal in Python.

    SQLite has no decimal type (NUMERIC affinity keeps integers exact and other values as
    REAL); PostgreSQL keeps arbitrary-precision numeric. Both come back the same way here.
    """

    impl = sa.Numeric
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or isinstance(value, bool):
            return None if value is None else int(value)
        if isinstance(value, int):
            return value
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        if d == d.to_integral_value():
            return int(d)
        return float(d) if dialect.name == "sqlite" else d

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return to_number(value)


class Base(DeclarativeBase):
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
        list[Any]: sa.JSON(),
    }


class CrawlRun(Base):
    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), default="crawl")
    portals: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(32), default="running")
    stats: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON())


class Blob(Base):
    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    stored_size: Mapped[int] = mapped_column(sa.BigInteger)
    compression: Mapped[str | None] = mapped_column(sa.String(16))
    content_type: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Document(Base):
    """One URL over time."""

    __tablename__ = "document"
    __table_args__ = (sa.Index("ix_document_moved_to", "moved_to_id"), sa.Index("ix_document_gone_run", "gone_run_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text, unique=True)
    portal: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]
    gone_at: Mapped[dt.datetime | None]
    gone_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crawl_run.id"))
    # The version the URL served at its last successful fetch (what a 304 confirms).
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("document_version.id", use_alter=True, name="fk_document_current_version"))
    # Validators of the last successful fetch, for conditional GET.
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    # A gone document whose last body reappeared at another URL.
    moved_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))


class DocumentVersion(Base):
    """One distinct body a document held."""

    __tablename__ = "document_version"
    __table_args__ = (sa.UniqueConstraint("document_id", "sha256", name="uq_document_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blob.sha256"), index=True)
    first_captured_at: Mapped[dt.datetime]
    last_captured_at: Mapped[dt.datetime]
    capture_count: Mapped[int] = mapped_column(default=1)
    first_capture_id: Mapped[int | None]


class Capture(Base):
    """One HTTP fetch (or fetch attempt)."""

    __tablename__ = "capture"
    __table_args__ = (
        sa.Index("ix_capture_document", "document_id", "id"),
        sa.Index("ix_capture_run", "run_id", "kind", "new_blob"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crawl_run.id"))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"))
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_version.id"))
    url: Mapped[str] = mapped_column(sa.Text)
    final_url: Mapped[str | None] = mapped_column(sa.Text)
    portal: Mapped[str | None] = mapped_column(sa.String(255))
    fetched_at: Mapped[dt.datetime]
    status: Mapped[int | None]
    kind: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    new_blob: Mapped[bool] = mapped_column(default=False)
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    content_type: Mapped[str | None] = mapped_column(sa.Text)
    content_length: Mapped[int | None] = mapped_column(sa.BigInteger)
    headers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON())
    error: Mapped[str | None] = mapped_column(sa.Text)
    referer: Mapped[str | None] = mapped_column(sa.Text)
    title: Mapped[str | None] = mapped_column(sa.Text)
    is_report: Mapped[bool] = mapped_column(default=False)


class Extraction(Base):
    """Text and tables extracted from one blob by one extractor version."""

    __tablename__ = "extraction"
    __table_args__ = (sa.UniqueConstraint("sha256", "extractor_version", name="uq_extraction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blob.sha256"))
    extractor_version: Mapped[str] = mapped_column(sa.String(64))
    format: Mapped[str | None] = mapped_column(sa.String(32))
    extractor: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str | None] = mapped_column(sa.Text)
    tables: Mapped[list[Any] | None] = mapped_column(sa.JSON())
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON())
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Report(Base):
    """One parsed report: the figures of one blob by one parser version."""

    __tablename__ = "report"
    __table_args__ = (
        sa.UniqueConstraint("sha256", "parser_version", name="uq_report"),
        sa.Index("ix_report_year_level", "is_current", "report_year", "admin_level", "checks_failed"),
        sa.Index("ix_report_agency_year", "agency", "report_year"),
        sa.Index("ix_report_sha256_current", "sha256", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blob.sha256"))
    parser_version: Mapped[str] = mapped_column(sa.String(64))
    agency: Mapped[str | None] = mapped_column(sa.Text)
    agency_source: Mapped[str | None] = mapped_column(sa.String(32))
    region_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    admin_level: Mapped[str | None] = mapped_column(sa.String(16))
    report_year: Mapped[int | None]
    template: Mapped[str | None] = mapped_column(sa.String(16))
    title: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.date | None] = mapped_column(sa.Date)
    text_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    canonical_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    checks_failed: Mapped[int] = mapped_column(default=0)
    checks_total: Mapped[int] = mapped_column(default=0)
    # The newest parser version's row for this blob; the public views show only these.
    is_current: Mapped[bool] = mapped_column(default=True)
    warnings: Mapped[list[Any] | None] = mapped_column(sa.JSON())
    # The first URL/capture this body was fetched from (all of them: report_source).
    source_url: Mapped[str | None] = mapped_column(sa.Text)
    source_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"))
    captured_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReportSource(Base):
    """Where a report's body was fetched: one report can have several URLs and captures."""

    __tablename__ = "report_source"
    __table_args__ = (sa.UniqueConstraint("report_id", "document_id", name="uq_report_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), index=True)
    url: Mapped[str] = mapped_column(sa.Text)
    capture_id: Mapped[int | None] = mapped_column(sa.ForeignKey("capture.id"))
    captured_at: Mapped[dt.datetime | None]


class CellKey(Base):
    """One (section, row_key, column_key) of the standard tables; cells refer to it by id."""

    __tablename__ = "cell_key"
    __table_args__ = (
        sa.UniqueConstraint("section", "row_key", "column_key", name="uq_cell_key"),
        sa.Index("ix_cell_key_row_column", "row_key", "column_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[str] = mapped_column(sa.String(8))
    row_key: Mapped[str] = mapped_column(sa.String(64))
    column_key: Mapped[str] = mapped_column(sa.String(64))


class ReportCell(Base):
    """One figure of a standard table, keyed as in docs/report-template.md (via cell_key).

    Clustered by (report_id, key_id) — WITHOUT ROWID on SQLite — because an archive holds
    ~200 of these per report: the compact layout keeps tens of millions of cells small.
    """

    __tablename__ = "report_cell"
    __table_args__ = (
        # covering index for "one figure over all reports"
        sa.Index("ix_report_cell_key_value", "key_id", "value", "report_id"),
        {"sqlite_with_rowid": False},
    )

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("cell_key.id"), primary_key=True)
    value: Mapped[Decimal | None] = mapped_column(Number())
    printed: Mapped[str | None] = mapped_column(sa.Text)
    inferred: Mapped[bool] = mapped_column(default=False)


class ReportCheck(Base):
    """One arithmetic check of a report (H1–H4 hard, X1–X3 soft)."""

    __tablename__ = "report_check"
    __table_args__ = (sa.Index("ix_report_check_report", "report_id", "check_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(sa.String(16))
    scope: Mapped[str | None] = mapped_column(sa.Text)
    passed: Mapped[bool | None]
    expected: Mapped[Decimal | None] = mapped_column(Number())
    actual: Mapped[Decimal | None] = mapped_column(Number())
    cells: Mapped[list[Any] | None] = mapped_column(sa.JSON())
