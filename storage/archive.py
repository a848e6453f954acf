"""The archive API: crawl runs, captures, documents, versions and the rows derived from blobs.

Everything the crawler fetched goes through :meth:`Archive.record_capture`, which stores the
body once in the blob store (by sha256) and decides what the fetch was:

* ``new_version``       the URL served a body it did not serve at its previous fetch
* ``identical_revisit`` the same body as the URL's current version
* ``not_modified``      HTTP 304: points at the version the server confirmed
* ``error``             no usable body (HTTP error, network failure, refused …), with a reason

The hot path uses SQLAlchemy Core on one connection per call (or per :meth:`Archive.batch`),
so a crawl can record thousands of captures a second on SQLite.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storage.blobs import BlobStore, check_key, sha256_hex
from storage.capture import (
    CaptureRecorder,
    CaptureResult,
    missing_blobs,
    normalize_headers,
    prepare,
)
from storage.capture_batch import BatchRecorder
from storage.db import make_engine, upgrade, write_transaction
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
    to_number,
    utcnow,
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

KINDS = ("new_version", "identical_revisit", "not_modified", "error")
RUN_STATUSES = ("running", "finished", "interrupted", "failed")


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        n = to_number(o)
        return n if isinstance(n, int) else float(n)
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)


def json_safe(value: Any) -> Any:
    """A JSON-serialisable deep copy (Decimal → number, dates → ISO strings …)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        logger.warning("published_at %r is not an ISO date; stored as NULL", value)
        return None


def _as_number(value: Any) -> int | Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return to_number(value)
    except (InvalidOperation, ValueError, TypeError):
        logger.warning("value %r is not a number; stored as NULL", value)
        return None


def _as_int(value: Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def _is_integrity_error(exc: BaseException) -> bool:
    """A conflict with a concurrent writer (unique/foreign-key violation, deadlock), from the
    DB-API driver (sqlite3 or psycopg) or SQLAlchemy: the batch can be redone one by one."""
    import sqlite3

    if isinstance(exc, (sqlite3.IntegrityError, sa.exc.IntegrityError)):
        return True
    try:
        import psycopg
        from psycopg import errors as pg_errors
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (psycopg.IntegrityError, pg_errors.DeadlockDetected, pg_errors.SerializationFailure))


class Archive:
    """The versioned archive: a database (SQLite file or PostgreSQL) plus a blob store.

    Thread-safe: each call takes its own connection from the engine's pool, except inside
    :meth:`batch`, which reuses one connection and transaction per thread.
    """

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

    def __enter__(self) -> Archive:
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
    def batch(self) -> Iterator[Archive]:
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

    def _insert_ignore(self, conn: sa.Connection, table: sa.Table, values: dict[str, Any] | list[dict[str, Any]],
                       keys: list[str], returning: sa.Column | None = None) -> sa.CursorResult:
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

    # -- runs ----------------------------------------------------------------------------
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

    # -- captures ------------------------------------------------------------------------
    def record_capture(self, *, run_id: int | None, url: str, status: int | None, body: bytes | None = None,
                       headers: Mapping[Any, Any] | None = None, final_url: str | None = None,
                       fetched_at: dt.datetime | None = None, error: str | None = None,
                       portal: str | None = None, referer: str | None = None, title: str | None = None,
                       is_report: bool = False, sha256: str | None = None) -> CaptureResult:
        """Record one fetch of ``url``; see the module docstring for the kinds.

        No body, an HTTP status >= 400 or an ``error`` make an ``error`` capture with the reason
        (the body of an error response is not stored). ``sha256``, when given, is checked
        against the body.
        """
        return self.record_captures([dict(
            run_id=run_id, url=url, status=status, body=body, headers=headers, final_url=final_url,
            fetched_at=fetched_at, error=error, portal=portal, referer=referer, title=title,
            is_report=is_report, sha256=sha256)])[0]

    def record_captures(self, captures: Iterable[Mapping[str, Any]]) -> list[CaptureResult]:
        """Record many captures (each a dict of record_capture's arguments) in one transaction.

        New bodies are written to the blob store first, in parallel, then all rows at once.
        """
        prepared = [prepare(**c) for c in captures]
        bodies = {p.sha: p.body for p in prepared if p.sha and p.body is not None}
        if len(prepared) == 1 or not bodies:
            with self._tx() as conn:
                return self._record(conn, prepared, {})
        with self._ro() as conn:
            missing = missing_blobs(conn, set(bodies))
        # Blob files are made durable (one file-system flush for the batch) before the
        # transaction that refers to them, so a committed row always has its file.
        written = self.blobs.put_many({sha: bodies[sha] for sha in missing})
        try:
            with self._tx() as conn:
                return self._record_batch(conn, prepared, written)
        except Exception as exc:
            if not _is_integrity_error(exc) or getattr(self._local, "conn", None) is not None:
                raise
            logger.info("batch of %d captures conflicted with a concurrent writer (%s); "
                        "recording one by one", len(prepared), exc)
        with self._tx() as conn:
            return self._record(conn, prepared, written)

    def _record_batch(self, conn: sa.Connection, prepared: list, written: dict) -> list[CaptureResult]:
        rec = BatchRecorder(conn)
        try:
            return rec.record(prepared, written)
        finally:
            rec.close()

    def _record(self, conn: sa.Connection, prepared: list, written: dict) -> list[CaptureResult]:
        rec = CaptureRecorder(conn, self.blobs, written)
        try:
            return [rec.record(p) for p in prepared]
        finally:
            rec.close()

    def _store_blob(self, conn: sa.Connection, sha: str, body: bytes, content_type: str | None) -> bool:
        """Write the blob file (first) and its row; True when the archive did not have it."""
        if conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is not None:
            return False
        stored = self.blobs.put(body, sha)
        res = self._insert_ignore(conn, T_BLOB, {
            "sha256": sha, "size": stored.size, "stored_size": stored.stored_size,
            "compression": stored.compression, "content_type": content_type, "created_at": utcnow(),
        }, ["sha256"], returning=T_BLOB.c.sha256)
        return res.first() is not None

    # -- documents -----------------------------------------------------------------------
    def validators(self, url: str) -> dict[str, str | None] | None:
        """ETag / Last-Modified of the URL's last successful fetch, for a conditional GET."""
        with self._ro() as conn:
            row = conn.execute(sa.select(T_DOC.c.etag, T_DOC.c.last_modified).where(
                T_DOC.c.url == url, T_DOC.c.current_version_id.is_not(None))).first()
        if row is None or (row.etag is None and row.last_modified is None):
            return None
        return {"etag": row.etag, "last_modified": row.last_modified}

    def revisit_index(self, portals: Iterable[str], limit: int | None = None) -> dict[str, dict[str, str | None]] | None:
        """Validators and current body of every document of ``portals`` that has validators.

        ``url -> {etag, last_modified, sha256, content_type}``, read in one query so that a
        re-crawl's conditional GETs and 304s cost a dict lookup instead of a query per request.
        None when the portals hold more than ``limit`` such documents (the caller then asks
        per URL with :meth:`validators`, keeping memory bounded).
        """
        names = sorted(set(portals))
        if not names:
            return {}
        q = (sa.select(T_DOC.c.url, T_DOC.c.etag, T_DOC.c.last_modified, T_VER.c.sha256, T_BLOB.c.content_type)
             .select_from(T_DOC.join(T_VER, T_VER.c.id == T_DOC.c.current_version_id)
                          .join(T_BLOB, T_BLOB.c.sha256 == T_VER.c.sha256))
             .where(T_DOC.c.portal.in_(names), sa.or_(T_DOC.c.etag.is_not(None), T_DOC.c.last_modified.is_not(None))))
        if limit is not None:
            q = q.limit(limit + 1)
        with self._ro() as conn:
            rows = conn.execute(q).all()
        if limit is not None and len(rows) > limit:
            return None
        return {r.url: {"etag": r.etag, "last_modified": r.last_modified, "sha256": r.sha256,
                        "content_type": r.content_type} for r in rows}

    def mark_gone(self, run_id: int, portal: str, seen_urls: Iterable[str]) -> list[int]:
        """Documents of ``portal`` not among ``seen_urls`` are gone as of this run.

        A gone document whose current body is the current body of another live document is
        linked to it (``moved_to``): the file moved. Returns the ids of newly gone documents.
        """
        seen = set(seen_urls)
        now = utcnow()
        with self._tx() as conn:
            rows = conn.execute(sa.select(T_DOC.c.id, T_DOC.c.url).where(
                T_DOC.c.portal == portal, T_DOC.c.gone_at.is_(None))).all()
            gone = [r.id for r in rows if r.url not in seen]
            for i in range(0, len(gone), 500):
                chunk = gone[i:i + 500]
                conn.execute(T_DOC.update().where(T_DOC.c.id.in_(chunk)).values(gone_at=now, gone_run_id=run_id))
            for doc_id in gone:
                self._link_moved(conn, doc_id)
        if gone:
            logger.info("run %s: %d documents of %s gone", run_id, len(gone), portal)
        return gone

    def _link_moved(self, conn: sa.Connection, doc_id: int) -> None:
        cur = sa.select(T_VER.c.sha256).select_from(T_DOC.join(T_VER, T_VER.c.id == T_DOC.c.current_version_id)) \
            .where(T_DOC.c.id == doc_id).scalar_subquery()
        other = T_DOC.alias("other")
        target = conn.execute(
            sa.select(other.c.id)
            .select_from(other.join(T_VER, T_VER.c.id == other.c.current_version_id))
            .where(T_VER.c.sha256 == cur, other.c.id != doc_id, other.c.gone_at.is_(None))
            .order_by(other.c.first_seen_at.desc(), other.c.id.desc()).limit(1)
        ).scalar()
        if target is not None:
            conn.execute(T_DOC.update().where(T_DOC.c.id == doc_id).values(moved_to_id=target))

    def link_moved(self, old_document_id: int, new_document_id: int | None) -> None:
        """Record by hand that a document moved to another URL (None clears it)."""
        with self._tx() as conn:
            conn.execute(T_DOC.update().where(T_DOC.c.id == old_document_id).values(moved_to_id=new_document_id))

    def urls_for_sha256(self, sha256: str) -> list[str]:
        """Every URL that has served this exact body, oldest version first."""
        sha = check_key(sha256)
        with self._ro() as conn:
            return list(conn.execute(
                sa.select(T_DOC.c.url).select_from(T_VER.join(T_DOC, T_DOC.c.id == T_VER.c.document_id))
                .where(T_VER.c.sha256 == sha).order_by(T_VER.c.id)).scalars())

    def document(self, url: str) -> dict[str, Any] | None:
        """The ``documents`` view row of a URL."""
        with self._ro() as conn:
            row = conn.execute(sa.text("SELECT * FROM documents WHERE url = :u"), {"u": url}).mappings().first()
            return dict(row) if row else None

    def versions(self, url: str) -> list[dict[str, Any]]:
        """The ``document_versions`` rows of a URL, oldest first."""
        with self._ro() as conn:
            return [dict(r) for r in conn.execute(sa.text(
                "SELECT * FROM document_versions WHERE url = :u ORDER BY version_id"), {"u": url}).mappings()]

    def captures(self, url: str | None = None, run_id: int | None = None) -> list[dict[str, Any]]:
        """The ``captures`` rows of a URL and/or a run, oldest first."""
        q = sa.select(T_CAP).order_by(T_CAP.c.id)
        if url is not None:
            q = q.where(T_CAP.c.url == url)
        if run_id is not None:
            q = q.where(T_CAP.c.run_id == run_id)
        with self._ro() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def iter_versions(self, *, only_reports: bool = False, portal: str | None = None,
                      without_extraction: str | None = None) -> Iterator[dict[str, Any]]:
        """Stored bodies to (re)process: one dict per document version with its URL and hints.

        ``without_extraction=V`` skips blobs that already have an extraction by version V.
        """
        q = (sa.select(T_VER.c.id.label("version_id"), T_VER.c.document_id, T_VER.c.sha256, T_DOC.c.url,
                       T_DOC.c.portal, T_BLOB.c.content_type, T_BLOB.c.size, T_CAP.c.title, T_CAP.c.is_report,
                       T_CAP.c.id.label("capture_id"), T_CAP.c.final_url)
             .select_from(T_VER.join(T_DOC, T_DOC.c.id == T_VER.c.document_id)
                          .join(T_BLOB, T_BLOB.c.sha256 == T_VER.c.sha256)
                          .outerjoin(T_CAP, T_CAP.c.id == T_VER.c.first_capture_id))
             .order_by(T_VER.c.id))
        if only_reports:
            q = q.where(T_CAP.c.is_report.is_(True))
        if portal is not None:
            q = q.where(T_DOC.c.portal == portal)
        if without_extraction is not None:
            q = q.where(~sa.exists().where(T_EXT.c.sha256 == T_VER.c.sha256,
                                           T_EXT.c.extractor_version == without_extraction))
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
        yield from rows

    # -- blobs ---------------------------------------------------------------------------
    def read_blob(self, sha256: str) -> bytes:
        """The verified bytes of a stored body; raises BlobCorrupt when they do not match."""
        return self.blobs.get(sha256)

    def has_blob(self, sha256: str) -> bool:
        sha = check_key(sha256)
        with self._ro() as conn:
            return conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is not None

    def put_blob(self, data: bytes, content_type: str | None = None) -> str:
        """Store bytes that did not come from a capture (e.g. an imported file); returns sha256."""
        sha = sha256_hex(data)
        with self._tx() as conn:
            self._store_blob(conn, sha, data, content_type)
        return sha

    def verify_blobs(self) -> dict[str, str]:
        """Check every blob the database references; {sha256: reason} for corrupt or missing ones."""
        with self.engine.connect() as conn:
            keys = list(conn.execute(sa.select(T_BLOB.c.sha256).order_by(T_BLOB.c.sha256)).scalars())
        bad = self.blobs.verify_all(keys)
        for sha, reason in bad.items():
            logger.error("blob %s: %s", sha, reason)
        return bad

    def orphan_blobs(self) -> list[str]:
        """Blob files no database row refers to (left by an interrupted batch; harmless)."""
        with self.engine.connect() as conn:
            keys = set(conn.execute(sa.select(T_BLOB.c.sha256)).scalars())
        return [k for k in self.blobs.iter_keys() if k not in keys]

    # -- derived rows --------------------------------------------------------------------
    def save_extraction(self, sha256: str, extractor_version: str, data: Mapping[str, Any]) -> int:
        """Store an extraction (``Extraction.to_dict()``); one row per (sha256, extractor_version).

        Saving the same key again replaces the row's content and returns the same id.
        """
        sha = check_key(sha256)
        d = json_safe(dict(data)) or {}
        values = {
            "format": d.pop("format", None), "extractor": d.pop("extractor", None),
            "text": d.pop("text", None), "tables": d.pop("tables", None), "error": d.pop("error", None),
            "data": d, "created_at": utcnow(),
        }
        d.pop("extractor_version", None)
        if values["text"] is not None:
            values["text"] = values["text"].replace("\x00", "")  # PostgreSQL text cannot hold NUL
        with self._tx() as conn:
            self._require_blob(conn, sha)
            key = (T_EXT.c.sha256 == sha) & (T_EXT.c.extractor_version == extractor_version)
            ext_id = conn.execute(sa.select(T_EXT.c.id).where(key)).scalar()
            if ext_id is None:
                self._insert_ignore(conn, T_EXT, {"sha256": sha, "extractor_version": extractor_version, **values},
                                    ["sha256", "extractor_version"])
                ext_id = conn.execute(sa.select(T_EXT.c.id).where(key)).scalar_one()
            else:
                conn.execute(T_EXT.update().where(T_EXT.c.id == ext_id).values(**values))
            return ext_id

    def get_extraction(self, sha256: str, extractor_version: str | None = None) -> dict[str, Any] | None:
        """The extraction of a blob (by the given version, else the newest one) as a dict."""
        q = sa.select(T_EXT).where(T_EXT.c.sha256 == check_key(sha256)).order_by(T_EXT.c.id.desc()).limit(1)
        if extractor_version is not None:
            q = q.where(T_EXT.c.extractor_version == extractor_version)
        with self._ro() as conn:
            row = conn.execute(q).mappings().first()
        if row is None:
            return None
        out = dict(row.get("data") or {})
        out.update({k: row[k] for k in ("id", "sha256", "extractor_version", "format", "extractor", "text",
                                        "tables", "error", "created_at")})
        return out

    def _require_blob(self, conn: sa.Connection, sha: str) -> None:
        if conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is None:
            raise KeyError(f"blob {sha} is not in the archive")

    def save_report(self, sha256: str, parser_version: str, report: Mapping[str, Any]) -> int:
        """Store a parsed report (``ParsedReport.to_dict()``); one row per (sha256, parser_version).

        Saving the same key again replaces its metadata, cells and checks (the canonical link is
        kept). The most recently saved parser version of a blob is the current one: the public
        views show it, and the cells and checks of the blob's other versions are removed.
        """
        sha = check_key(sha256)
        cells = list(report.get("cells") or [])
        checks = list(report.get("checks") or [])
        failed = sum(1 for c in checks if c.get("passed") is False)
        meta = {
            "agency": report.get("agency"), "agency_source": report.get("agency_source"),
            "region_code": (str(report["region_code"]) if report.get("region_code") else None),
            "admin_level": report.get("admin_level"), "report_year": _as_int(report.get("report_year")),
            "template": (str(report["template"]) if report.get("template") is not None else None),
            "title": report.get("title"), "published_at": _as_date(report.get("published_at")),
            "text_hash": report.get("text_hash"), "checks_failed": failed, "checks_total": len(checks),
            "warnings": json_safe(list(report.get("warnings") or [])), "is_current": True,
        }
        try:
            return self._save_report(sha, parser_version, meta, cells, checks)
        except BaseException:
            self._cell_keys.clear()  # ids created in the rolled-back transaction are gone
            raise

    def _save_report(self, sha: str, parser_version: str, meta: dict[str, Any], cells: list[Mapping[str, Any]],
                     checks: list[Mapping[str, Any]]) -> int:
        with self._tx() as conn:
            self._require_blob(conn, sha)
            key = (T_REP.c.sha256 == sha) & (T_REP.c.parser_version == parser_version)
            rid = conn.execute(sa.select(T_REP.c.id).where(key)).scalar()
            if rid is None:
                self._insert_ignore(conn, T_REP, {"sha256": sha, "parser_version": parser_version,
                                                  "created_at": utcnow(), **meta}, ["sha256", "parser_version"])
                rid = conn.execute(sa.select(T_REP.c.id).where(key)).scalar_one()
            conn.execute(T_REP.update().where(T_REP.c.id == rid).values(**meta))
            # superseded parses keep their report row (history) but not their cells and checks
            old = list(conn.execute(sa.select(T_REP.c.id).where(T_REP.c.sha256 == sha, T_REP.c.id != rid,
                                                                 T_REP.c.is_current.is_(True))).scalars())
            if old:
                conn.execute(T_REP.update().where(T_REP.c.id.in_(old)).values(is_current=False))
                conn.execute(T_CELL.delete().where(T_CELL.c.report_id.in_(old)))
                conn.execute(T_CHECK.delete().where(T_CHECK.c.report_id.in_(old)))
            conn.execute(T_CELL.delete().where(T_CELL.c.report_id == rid))
            conn.execute(T_CHECK.delete().where(T_CHECK.c.report_id == rid))
            cell_rows = self._cell_rows(conn, rid, cells)
            if cell_rows:
                conn.execute(T_CELL.insert(), cell_rows)
            if checks:
                conn.execute(T_CHECK.insert(), [{
                    "report_id": rid, "check_id": str(c.get("check_id")), "scope": c.get("scope"),
                    "passed": c.get("passed"), "expected": _as_number(c.get("expected")),
                    "actual": _as_number(c.get("actual")), "cells": json_safe(c.get("cells")),
                } for c in checks])
            self._refresh_sources(conn, rid, sha)
            return rid

    def _key_ids(self, conn: sa.Connection, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
        """cell_key ids of (section, row_key, column_key), creating the missing ones."""
        cache = self._cell_keys
        missing = sorted(k for k in keys if k not in cache)
        if missing:
            self._insert_ignore(conn, T_KEY, [{"section": s, "row_key": r, "column_key": c} for s, r, c in missing],
                                ["section", "row_key", "column_key"])
            for row in conn.execute(sa.select(T_KEY.c.id, T_KEY.c.section, T_KEY.c.row_key, T_KEY.c.column_key)):
                cache[(row.section, row.row_key, row.column_key)] = row.id
        return {k: cache[k] for k in keys}

    def _cell_rows(self, conn: sa.Connection, rid: int, cells: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for c in cells:
            k = (str(c.get("section")), str(c.get("row_key")), str(c.get("column_key")))
            if k in rows:
                logger.warning("report %s: duplicate cell %s; keeping the first", rid, k)
                continue
            printed = c.get("printed")
            rows[k] = {"report_id": rid, "value": _as_number(c.get("value")),
                       "printed": None if printed is None else str(printed),
                       "inferred": bool(c.get("inferred", False))}
        ids = self._key_ids(conn, set(rows))
        return [{**row, "key_id": ids[k]} for k, row in rows.items()]

    def _refresh_sources(self, conn: sa.Connection, rid: int, sha: str) -> None:
        """report_source: every document that served this body; the first one is the report's source."""
        rows = conn.execute(
            sa.select(T_VER.c.document_id, T_DOC.c.url, T_VER.c.first_capture_id, T_VER.c.first_captured_at)
            .select_from(T_VER.join(T_DOC, T_DOC.c.id == T_VER.c.document_id))
            .where(T_VER.c.sha256 == sha).order_by(T_VER.c.first_captured_at, T_VER.c.id)
        ).all()
        if not rows:
            return
        self._insert_ignore(conn, T_SRC, [{"report_id": rid, "document_id": r.document_id, "url": r.url,
                                           "capture_id": r.first_capture_id, "captured_at": r.first_captured_at}
                                          for r in rows], ["report_id", "document_id"])
        first = rows[0]
        conn.execute(T_REP.update().where(T_REP.c.id == rid).values(
            source_url=first.url, source_document_id=first.document_id, captured_at=first.first_captured_at))

    def set_canonical(self, report_id: int, canonical_report_id: int | None) -> None:
        """Mark ``report_id`` as a duplicate of ``canonical_report_id`` (None: it is canonical)."""
        if canonical_report_id == report_id:
            canonical_report_id = None
        with self._tx() as conn:
            res = conn.execute(T_REP.update().where(T_REP.c.id == report_id)
                               .values(canonical_report_id=canonical_report_id))
            if res.rowcount == 0:
                raise KeyError(f"no report {report_id}")

    def report_ids_for_sha256(self, sha256: str, *, current_only: bool = True) -> list[int]:
        q = sa.select(T_REP.c.id).where(T_REP.c.sha256 == check_key(sha256)).order_by(T_REP.c.id)
        if current_only:
            q = q.where(T_REP.c.is_current.is_(True))
        with self._ro() as conn:
            return list(conn.execute(q).scalars())

    def get_report(self, report_id: int) -> dict[str, Any] | None:
        """A report row with its ``cells`` and ``checks`` (the shape save_report takes, plus ids)."""
        with self._ro() as conn:
            row = conn.execute(sa.select(T_REP).where(T_REP.c.id == report_id)).mappings().first()
            if row is None:
                return None
            out = dict(row)
            out["cells"] = [dict(r) for r in conn.execute(
                sa.select(T_KEY.c.section, T_KEY.c.row_key, T_KEY.c.column_key, T_CELL.c.value,
                          T_CELL.c.printed, T_CELL.c.inferred)
                .select_from(T_CELL.join(T_KEY, T_KEY.c.id == T_CELL.c.key_id))
                .where(T_CELL.c.report_id == report_id).order_by(T_CELL.c.key_id)).mappings()]
            out["checks"] = [dict(r) for r in conn.execute(
                sa.select(T_CHECK.c.check_id, T_CHECK.c.scope, T_CHECK.c.passed, T_CHECK.c.expected,
                          T_CHECK.c.actual, T_CHECK.c.cells)
                .where(T_CHECK.c.report_id == report_id).order_by(T_CHECK.c.id)).mappings()]
            out["sources"] = [dict(r) for r in conn.execute(
                sa.select(T_SRC.c.document_id, T_SRC.c.url, T_SRC.c.capture_id, T_SRC.c.captured_at)
                .where(T_SRC.c.report_id == report_id).order_by(T_SRC.c.id)).mappings()]
            return out

    # -- queries -------------------------------------------------------------------------
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT over the archive (read/write connection; use storage.sql for users' SQL)."""
        with self._ro() as conn:
            return [dict(r) for r in conn.execute(sa.text(sql), dict(params or {})).mappings()]

    def schema_version(self) -> str | None:
        from storage.db import current_revision

        return current_revision(self.engine)


__all__ = ["Archive", "CaptureResult", "KINDS", "normalize_headers", "json_safe"]
