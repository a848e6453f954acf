"""The capture side of the Archive: fetches, documents (one URL over time) and their versions.

Everything the crawler fetched goes through :meth:`CaptureStore.record_capture`, which stores
the body once in the blob store (by sha256) and decides what the fetch was:

* ``new_version``       the URL served a body it did not serve at its previous fetch
* ``identical_revisit`` the same body as the URL's current version
* ``not_modified``      HTTP 304: points at the version the server confirmed
* ``error``             no usable body (HTTP error, network failure, refused …), with a reason

The hot path uses fixed statements on one connection per call (or per :meth:`Archive.batch`)
(storage/capture.py, storage/capture_batch.py), so a crawl can record thousands of captures
a second on SQLite.
"""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from storage.base import ArchiveBase
from storage.blobs import check_key
from storage.capture import CaptureRecorder, CaptureResult, missing_blobs, prepare
from storage.capture_batch import BatchRecorder
from storage.coerce import to_utc, utcnow
from storage.tables import T_BLOB, T_CAP, T_DOC, T_EXT, T_VER

logger = logging.getLogger(__name__)

KINDS = ("new_version", "identical_revisit", "not_modified", "error")


def _is_integrity_error(exc: BaseException, dialect: str) -> bool:
    """A conflict with a concurrent writer (unique/foreign-key violation, deadlock), from the
    DB-API driver (sqlite3 or psycopg) or SQLAlchemy: the batch can be redone one by one."""
    if isinstance(exc, (sqlite3.IntegrityError, sa.exc.IntegrityError)):
        return True
    if dialect != "postgresql":
        return False
    import psycopg  # the driver of a PostgreSQL archive: present whenever this runs on one
    from psycopg import errors as pg_errors

    return isinstance(exc, (psycopg.IntegrityError, pg_errors.DeadlockDetected, pg_errors.SerializationFailure))


class CaptureStore(ArchiveBase):
    """record_capture(s), conditional-GET validators, gone and moved documents, version listings."""

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
            if not _is_integrity_error(exc, self.dialect) or getattr(self._local, "conn", None) is not None:
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

    # -- documents -----------------------------------------------------------------------
    def validators(self, url: str) -> dict[str, str | None] | None:
        """ETag / Last-Modified of the URL's last successful fetch, for a conditional GET."""
        with self._ro() as conn:
            row = conn.execute(sa.select(T_DOC.c.etag, T_DOC.c.last_modified).where(
                T_DOC.c.url == url, T_DOC.c.current_version_id.is_not(None))).first()
        if row is None or (row.etag is None and row.last_modified is None):
            return None
        return {"etag": row.etag, "last_modified": row.last_modified}

    def current_body(self, url: str) -> tuple[str, str | None] | None:
        """(sha256, stored Content-Type) of the version the URL served last (what a 304 confirms)."""
        with self._ro() as conn:
            row = conn.execute(
                sa.select(T_VER.c.sha256, T_BLOB.c.content_type)
                .select_from(T_DOC.join(T_VER, T_VER.c.id == T_DOC.c.current_version_id)
                             .join(T_BLOB, T_BLOB.c.sha256 == T_VER.c.sha256))
                .where(T_DOC.c.url == url)).first()
        return (row.sha256, row.content_type) if row else None

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

    def version_ids_since(self, since: dt.date | dt.datetime | str) -> set[int]:
        """Ids of the document versions first captured at or after ``since`` (a date is its
        midnight, a naive time is UTC)."""
        with self._ro() as conn:
            return set(conn.execute(
                sa.select(T_VER.c.id).where(T_VER.c.first_captured_at >= to_utc(since))).scalars())
