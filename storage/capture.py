"""The capture hot path: decide what a fetch was and record it, fast.

A crawl records thousands of captures; building SQLAlchemy statements per call costs more
than the database work. So this module runs a handful of fixed SQL statements through the
DB-API cursor of the archive's SQLAlchemy connection (same transaction), with the small
type conversions SQLAlchemy would do (timestamps, JSON, booleans) done here to match the
models. Blob files are written before their rows, in parallel threads for batches (fsync
dominates), so a row always implies its file.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from storage.blobs import BlobStore, StoredBlob, check_key, sha256_hex
from storage.coerce import as_int, to_utc, utcnow

logger = logging.getLogger(__name__)

BLOB_WRITE_THREADS = 16


@dataclass(frozen=True)
class CaptureResult:
    """What :meth:`storage.Archive.record_capture` decided and stored."""

    kind: str  # new_version | identical_revisit | not_modified | error
    capture_id: int
    document_id: int
    version_id: int | None
    sha256: str | None
    new_blob: bool
    status: int | None = None
    error: str | None = None
    # Other URLs that already held this exact body (a moved or cross-posted file).
    also_at: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.kind == "new_version"


_MAX_HEADER_VALUE = 2000


def normalize_headers(headers: Mapping[Any, Any] | None) -> dict[str, str]:
    """Lower-case str keys and str values; Scrapy's bytes and list values are joined."""
    out: dict[str, str] = {}
    if not headers:
        return out
    for k, v in headers.items():
        key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        if isinstance(v, (list, tuple)):
            val = ", ".join(p.decode("latin-1") if isinstance(p, bytes) else str(p) for p in v)
        elif isinstance(v, bytes):
            val = v.decode("latin-1")
        else:
            val = str(v)
        out[key.lower()] = val[:_MAX_HEADER_VALUE]
    return out


@dataclass
class Prepared:
    """One capture, normalised, hashed and classified before touching the database."""

    run_id: int | None
    url: str
    status: int | None
    body: bytes | None
    fetched_at: dt.datetime
    hdrs: dict[str, str]
    reason: str | None
    sha: str | None
    final_url: str | None
    portal: str | None
    referer: str | None
    title: str | None
    is_report: bool
    etag: str | None
    last_modified: str | None
    content_type: str | None
    content_length: int | None


def prepare(*, run_id: int | None, url: str, status: int | None, body: bytes | None = None,
            headers: Mapping[Any, Any] | None = None, final_url: str | None = None,
            fetched_at: dt.datetime | None = None, error: str | None = None, portal: str | None = None,
            referer: str | None = None, title: str | None = None, is_report: bool = False,
            sha256: str | None = None) -> Prepared:
    if not url:
        raise ValueError("a capture needs a url")
    fetched_at = to_utc(fetched_at) or utcnow()
    hdrs = normalize_headers(headers)
    reason = error
    if reason is None:
        if status is None:
            reason = "no response"
        elif status >= 400:
            reason = f"HTTP {status}"
        elif body is None and status != 304:
            reason = f"HTTP {status} without a body"
    sha = None
    content_length = as_int(hdrs.get("content-length"))
    if reason is None and body is not None and status != 304:
        sha = sha256_hex(body)
        if sha256 is not None and check_key(sha256) != sha:
            raise ValueError(f"body of {url} hashes to {sha}, not {sha256}")
        if content_length is None:
            content_length = len(body)
    return Prepared(run_id, url, status, body if sha else None, fetched_at, hdrs, reason, sha, final_url, portal,
                    referer, title, bool(is_report), hdrs.get("etag"), hdrs.get("last-modified"),
                    hdrs.get("content-type"), content_length)


class _SqlDialect:
    """Placeholders and value conversions matching what the SQLAlchemy models store."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sqlite = name == "sqlite"
        self._last_ts: dt.datetime | None = None
        self._last_out: Any = None
        if not self.sqlite:
            from psycopg.types.json import Json

            self._json = Json

    def ts(self, v: dt.datetime | None) -> Any:
        if v is None:
            return None
        if v is self._last_ts:
            return self._last_out
        out = self._ts(v)
        self._last_ts, self._last_out = v, out
        return out

    def _ts(self, v: dt.datetime) -> Any:
        v = to_utc(v)
        # the format SQLAlchemy's SQLite DateTime writes and parses
        return v.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else v

    def js(self, v: Any) -> Any:
        if v is None:
            return None
        return json.dumps(v, ensure_ascii=False) if self.sqlite else self._json(v)

    def b(self, v: bool) -> Any:
        return int(v) if self.sqlite else bool(v)

    def q(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")


class CaptureRecorder:
    """Runs the capture statements on one SQLAlchemy connection (inside its transaction)."""

    def __init__(self, conn: sa.Connection, blobs: BlobStore,
                 known_blobs: dict[str, StoredBlob | Future[StoredBlob]] | None = None):
        self.conn = conn
        self.d = _SqlDialect(conn.dialect.name)
        self.cur = conn.connection.driver_connection.cursor()
        self.blobs = blobs
        # blobs written to disk for this batch whose rows may still be missing
        self.written = known_blobs or {}

    def close(self) -> None:
        self.cur.close()

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        self.cur.execute(self.d.q(sql), params)
        return self.cur.fetchone()

    def _exec(self, sql: str, params: Sequence[Any]) -> None:
        self.cur.execute(self.d.q(sql), params)

    def _document(self, p: Prepared) -> tuple[int, int | None, str | None, str | None, str | None, str | None, bool]:
        """(id, current_version_id, current sha, portal, etag, last_modified, created) — locked."""
        d = self.d
        if d.sqlite:  # serialised by BEGIN IMMEDIATE
            row = self._one("SELECT d.id, d.current_version_id, v.sha256, d.portal, d.etag, d.last_modified "
                            "FROM document d LEFT JOIN document_version v ON v.id = d.current_version_id "
                            "WHERE d.url = ?", (p.url,))
            if row is not None:
                return (*row, False)
        else:
            row = self._one("SELECT id, current_version_id, portal, etag, last_modified FROM document "
                            "WHERE url = ? FOR UPDATE", (p.url,))
            if row is not None:
                sha = None
                if row[1] is not None:
                    sha = self._one("SELECT sha256 FROM document_version WHERE id = ?", (row[1],))[0]
                return (row[0], row[1], sha, row[2], row[3], row[4], False)
        new = self._one("INSERT INTO document (url, portal, first_seen_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (url) DO NOTHING RETURNING id", (p.url, p.portal, d.ts(p.fetched_at)))
        if new is not None:
            return (new[0], None, None, p.portal, None, None, True)
        return self._document(p)  # a concurrent writer created it first

    def _blob_row(self, p: Prepared) -> bool:
        """Make sure the blob file and row exist; True when this capture added the row."""
        assert p.sha is not None and p.body is not None
        stored = self.written.get(p.sha)
        if isinstance(stored, Future):  # being written by the batch's thread pool
            stored = stored.result()
        if stored is None:
            if self._one("SELECT 1 FROM blob WHERE sha256 = ?", (p.sha,)) is not None:
                return False
            stored = self.blobs.put(p.body, p.sha)
            self.written[p.sha] = stored
        row = self._one("INSERT INTO blob (sha256, size, stored_size, compression, content_type, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
                        (p.sha, stored.size, stored.stored_size, stored.compression, p.content_type,
                         self.d.ts(utcnow())))
        self.written.pop(p.sha, None)  # the row exists now: later captures of it are not new
        return row is not None

    def record(self, p: Prepared) -> CaptureResult:
        d = self.d
        doc_id, cur_version, cur_sha, doc_portal, doc_etag, doc_lm, created = self._document(p)
        kind, reason, sha = "error", p.reason, p.sha
        version_id: int | None = None
        new_blob = False
        new_version_row = False
        also_at: tuple[str, ...] = ()
        if reason is None and p.status == 304:
            if cur_version is None:
                reason = "HTTP 304 Not Modified but the archive holds no version of this URL"
            else:
                kind, version_id, sha = "not_modified", cur_version, cur_sha
        elif reason is None:
            if sha == cur_sha:
                kind, version_id = "identical_revisit", cur_version
            else:
                kind = "new_version"
                new_blob = self._blob_row(p)
                if not created:  # the URL may go back to a body it held before
                    row = self._one("SELECT id FROM document_version WHERE document_id = ? AND sha256 = ?",
                                    (doc_id, sha))
                    version_id = row[0] if row else None
                if version_id is None:
                    row = self._one(
                        "INSERT INTO document_version (document_id, sha256, first_captured_at, last_captured_at, "
                        "capture_count) VALUES (?, ?, ?, ?, 0) ON CONFLICT (document_id, sha256) DO NOTHING "
                        "RETURNING id", (doc_id, sha, d.ts(p.fetched_at), d.ts(p.fetched_at)))
                    if row is not None:
                        version_id, new_version_row = row[0], True
                    else:
                        version_id = self._one("SELECT id FROM document_version WHERE document_id = ? "
                                               "AND sha256 = ?", (doc_id, sha))[0]
                if not new_blob:
                    self._exec("SELECT d.url FROM document_version v JOIN document d ON d.id = v.document_id "
                               "WHERE v.sha256 = ? AND v.document_id <> ? ORDER BY v.id LIMIT 50", (sha, doc_id))
                    also_at = tuple(r[0] for r in self.cur.fetchall())
        if kind == "error":
            sha, version_id = None, None

        capture_id = self._one(
            "INSERT INTO capture (run_id, document_id, version_id, url, final_url, portal, fetched_at, status, "
            "kind, sha256, new_blob, etag, last_modified, content_type, content_length, headers, error, referer, "
            "title, is_report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (p.run_id, doc_id, version_id, p.url, p.final_url, p.portal, d.ts(p.fetched_at), p.status, kind, sha,
             d.b(new_blob), p.etag, p.last_modified, p.content_type, p.content_length, d.js(p.hdrs or None),
             reason, p.referer, p.title, d.b(p.is_report)))[0]

        if version_id is not None:
            if new_version_row:
                self._exec("UPDATE document_version SET last_captured_at = ?, capture_count = capture_count + 1, "
                           "first_capture_id = ? WHERE id = ?", (d.ts(p.fetched_at), capture_id, version_id))
            else:
                self._exec("UPDATE document_version SET last_captured_at = ?, capture_count = capture_count + 1 "
                           "WHERE id = ?", (d.ts(p.fetched_at), version_id))
            if kind == "not_modified":  # a 304 may refresh the validators
                etag, lm = p.etag or doc_etag, p.last_modified or doc_lm
            else:
                etag, lm = p.etag, p.last_modified
            self._exec("UPDATE document SET last_seen_at = ?, gone_at = NULL, gone_run_id = NULL, "
                       "current_version_id = ?, etag = ?, last_modified = ?, portal = COALESCE(portal, ?) "
                       "WHERE id = ?", (d.ts(p.fetched_at), version_id, etag, lm, p.portal, doc_id))
            if kind == "new_version" and not new_blob:
                self._link_sources(sha, doc_id, p.url, capture_id, p.fetched_at)
        elif p.portal and not doc_portal:
            self._exec("UPDATE document SET portal = ? WHERE id = ? AND portal IS NULL", (p.portal, doc_id))

        return CaptureResult(kind=kind, capture_id=capture_id, document_id=doc_id, version_id=version_id,
                             sha256=sha, new_blob=new_blob, status=p.status, error=reason, also_at=also_at)

    def _link_sources(self, sha: str | None, doc_id: int, url: str, capture_id: int,
                      captured_at: dt.datetime) -> None:
        """A known body at another URL: add that URL as a source of the reports parsed from it."""
        self._exec("SELECT id FROM report WHERE sha256 = ?", (sha,))
        for (rid,) in self.cur.fetchall():
            self._exec("INSERT INTO report_source (report_id, document_id, url, capture_id, captured_at) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (report_id, document_id) DO NOTHING",
                       (rid, doc_id, url, capture_id, self.d.ts(captured_at)))


def missing_blobs(conn: sa.Connection, shas: set[str]) -> set[str]:
    """The shas among ``shas`` that have no blob row yet."""
    have: set[str] = set()
    items = sorted(shas)
    for i in range(0, len(items), 500):
        chunk = items[i:i + 500]
        have.update(conn.execute(sa.text("SELECT sha256 FROM blob WHERE sha256 IN :s")
                                 .bindparams(sa.bindparam("s", expanding=True)), {"s": chunk}).scalars())
    return shas - have
