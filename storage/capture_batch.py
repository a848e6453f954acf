"""Set-based recording of a batch of captures: a few bulk statements instead of ~6 per capture.

The batch is decided in Python first — against the documents, versions and blobs the batch
touches, read (and on PostgreSQL locked) up front — with ids allocated in advance (SQLite:
after max(id), safe under BEGIN IMMEDIATE; PostgreSQL: nextval of the sequences), then
written with ``executemany``. The decisions are the same as :class:`CaptureRecorder`'s (the
tests run both paths); a conflicting concurrent writer makes the batch raise IntegrityError,
and the caller falls back to the one-by-one path.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from storage.blobs import StoredBlob
from storage.capture import CaptureResult, Prepared, _SqlDialect
from storage.coerce import utcnow

logger = logging.getLogger(__name__)

CHUNK = 500


@dataclass
class _Doc:
    id: int
    version_id: int | None
    sha: str | None
    portal: str | None
    etag: str | None
    last_modified: str | None
    new: bool = False
    dirty: bool = False
    last_seen_at: Any = None  # fetched_at as bound to the database
    versions: dict[str, int] = field(default_factory=dict)  # sha -> version id (known for this doc)


@dataclass
class _Ver:
    count: int = 0
    last: Any = None  # fetched_at as bound to the database
    first_capture_id: int | None = None


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class BatchRecorder:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.d = _SqlDialect(conn.dialect.name)
        self.cur = conn.connection.driver_connection.cursor()

    def close(self) -> None:
        self.cur.close()

    def _rows(self, sql: str, params: list[Any]) -> list[tuple]:
        self.cur.execute(self.d.q(sql), params)
        return self.cur.fetchall()

    def _in(self, n: int) -> str:
        return ", ".join(["?"] * n)

    def _many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            self.cur.executemany(self.d.q(sql), rows)

    def _ids(self, table: str, n: int) -> Iterable[int]:
        """n fresh primary keys of ``table``."""
        if n <= 0:
            return iter(())
        if self.d.sqlite:
            start = self._rows(f"SELECT COALESCE(max(id), 0) FROM {table}", [])[0][0]
            return iter(range(start + 1, start + n + 1))
        rows = self._rows(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                          f"FROM generate_series(1, {int(n)})", [])
        return iter(sorted(r[0] for r in rows))

    # -- reads ------------------------------------------------------------------------------
    def _load_docs(self, urls: list[str]) -> dict[str, _Doc]:
        docs: dict[str, _Doc] = {}
        # PostgreSQL: lock in one global order (by url) so concurrent batches cannot deadlock
        lock = "" if self.d.sqlite else " ORDER BY url FOR UPDATE"
        for chunk in _chunks(sorted(urls)):
            for r in self._rows(f"SELECT id, url, current_version_id, portal, etag, last_modified FROM document "
                                f"WHERE url IN ({self._in(len(chunk))}){lock}", chunk):
                docs[r[1]] = _Doc(r[0], r[2], None, r[3], r[4], r[5])
        # read after locking: the current versions and every version of these documents
        by_id = {doc.id: doc for doc in docs.values()}
        ids = list(by_id)
        for chunk in _chunks(ids):
            for vid, doc_id, sha in self._rows(f"SELECT id, document_id, sha256 FROM document_version "
                                               f"WHERE document_id IN ({self._in(len(chunk))})", chunk):
                doc = by_id[doc_id]
                doc.versions[sha] = vid
                if vid == doc.version_id:
                    doc.sha = sha
        return docs

    def _existing_blobs(self, shas: list[str]) -> set[str]:
        have: set[str] = set()
        for chunk in _chunks(shas):
            have.update(r[0] for r in self._rows(f"SELECT sha256 FROM blob WHERE sha256 IN ({self._in(len(chunk))})",
                                                 chunk))
        return have

    def _urls_by_sha(self, shas: list[str]) -> dict[str, list[tuple[int, int, str]]]:
        """sha -> [(version id, document id, url)] already in the archive."""
        out: dict[str, list[tuple[int, int, str]]] = {}
        for chunk in _chunks(shas):
            for sha, vid, doc_id, url in self._rows(
                    f"SELECT v.sha256, v.id, v.document_id, d.url FROM document_version v "
                    f"JOIN document d ON d.id = v.document_id WHERE v.sha256 IN ({self._in(len(chunk))})", chunk):
                out.setdefault(sha, []).append((vid, doc_id, url))
        for v in out.values():
            v.sort()
        return out

    def _reports_by_sha(self, shas: list[str]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for chunk in _chunks(shas):
            for rid, sha in self._rows(f"SELECT id, sha256 FROM report WHERE sha256 IN ({self._in(len(chunk))})",
                                       chunk):
                out.setdefault(sha, []).append(rid)
        return out

    # -- the batch --------------------------------------------------------------------------
    def record(self, prepared: list[Prepared],
               written: dict[str, StoredBlob | Future[StoredBlob]]) -> list[CaptureResult]:
        d = self.d
        urls = list(dict.fromkeys(p.url for p in prepared))
        docs = self._load_docs(urls)
        body_shas = sorted({p.sha for p in prepared if p.sha})
        have_blob = self._existing_blobs(body_shas)
        known_at = self._urls_by_sha(sorted(have_blob))
        reports = self._reports_by_sha(sorted(have_blob))

        doc_ids = self._ids("document", sum(1 for u in urls if u not in docs))
        ver_ids = self._ids("document_version", sum(1 for p in prepared if p.sha))
        cap_ids = self._ids("capture", len(prepared))

        new_docs: list[tuple] = []
        new_blobs: list[tuple] = []
        new_versions: list[tuple] = []
        captures: list[tuple] = []
        sources: list[tuple] = []
        vers: dict[int, _Ver] = {}
        results: list[CaptureResult] = []
        now = d.ts(utcnow())

        for p in prepared:
            ts = d.ts(p.fetched_at)
            doc = docs.get(p.url)
            if doc is None:
                doc = docs[p.url] = _Doc(next(doc_ids), None, None, p.portal, None, None, new=True)
                new_docs.append((doc.id, p.url, p.portal, ts))
            capture_id = next(cap_ids)
            kind, reason, sha = "error", p.reason, p.sha
            version_id: int | None = None
            new_blob = False
            also_at: tuple[str, ...] = ()
            if reason is None and p.status == 304:
                if doc.version_id is None:
                    reason = "HTTP 304 Not Modified but the archive holds no version of this URL"
                else:
                    kind, version_id, sha = "not_modified", doc.version_id, doc.sha
            elif reason is None:
                assert sha is not None
                if sha == doc.sha:
                    kind, version_id = "identical_revisit", doc.version_id
                else:
                    kind = "new_version"
                    if sha not in have_blob:
                        stored = written[sha]
                        if isinstance(stored, Future):
                            stored = stored.result()
                        new_blobs.append((sha, stored.size, stored.stored_size, stored.compression,
                                          p.content_type, now))
                        have_blob.add(sha)
                        new_blob = True
                    version_id = doc.versions.get(sha)
                    if version_id is None:
                        version_id = next(ver_ids)
                        doc.versions[sha] = version_id
                        new_versions.append((version_id, doc.id, sha, ts, ts))
                        vers[version_id] = _Ver(first_capture_id=capture_id)
                    others = known_at.setdefault(sha, [])
                    if not new_blob:
                        also_at = tuple(dict.fromkeys(u for _, did, u in others if did != doc.id))[:50]
                        for rid in reports.get(sha, ()):
                            sources.append((rid, doc.id, p.url, capture_id, ts))
                    if all(did != doc.id for _, did, _ in others):
                        others.append((version_id, doc.id, p.url))
            if kind == "error":
                sha, version_id = None, None
            captures.append((capture_id, p.run_id, doc.id, version_id, p.url, p.final_url, p.portal,
                             ts, p.status, kind, sha, d.b(new_blob), p.etag, p.last_modified,
                             p.content_type, p.content_length, d.js(p.hdrs or None), reason, p.referer, p.title,
                             d.b(p.is_report)))
            if version_id is not None:
                v = vers.setdefault(version_id, _Ver())
                v.count += 1
                v.last = ts
                if kind == "not_modified":
                    doc.etag, doc.last_modified = p.etag or doc.etag, p.last_modified or doc.last_modified
                else:
                    doc.etag, doc.last_modified = p.etag, p.last_modified
                doc.version_id, doc.sha, doc.last_seen_at, doc.dirty = version_id, sha, ts, True
                if doc.portal is None and p.portal:
                    doc.portal = p.portal
            elif p.portal and doc.portal is None:
                doc.portal, doc.dirty = p.portal, True
            results.append(CaptureResult(kind=kind, capture_id=capture_id, document_id=doc.id, version_id=version_id,
                                         sha256=sha, new_blob=new_blob, status=p.status, error=reason,
                                         also_at=also_at))

        # -- write, in foreign-key order
        self._many("INSERT INTO document (id, url, portal, first_seen_at) VALUES (?, ?, ?, ?)", new_docs)
        self._many("INSERT INTO blob (sha256, size, stored_size, compression, content_type, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING", new_blobs)
        self._many("INSERT INTO document_version (id, document_id, sha256, first_captured_at, last_captured_at, "
                   "capture_count) VALUES (?, ?, ?, ?, ?, 0)", new_versions)
        self._many(
            "INSERT INTO capture (id, run_id, document_id, version_id, url, final_url, portal, fetched_at, status, "
            "kind, sha256, new_blob, etag, last_modified, content_type, content_length, headers, error, referer, "
            "title, is_report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", captures)
        self._many("UPDATE document_version SET capture_count = capture_count + ?, last_captured_at = ?, "
                   "first_capture_id = COALESCE(first_capture_id, ?) WHERE id = ?",
                   [(v.count, v.last, v.first_capture_id, vid) for vid, v in vers.items() if v.count])
        self._many("UPDATE document SET last_seen_at = ?, gone_at = NULL, gone_run_id = NULL, "
                   "current_version_id = ?, etag = ?, last_modified = ?, portal = ? WHERE id = ?",
                   [(doc.last_seen_at, doc.version_id, doc.etag, doc.last_modified, doc.portal, doc.id)
                    for doc in docs.values() if doc.dirty and doc.last_seen_at is not None])
        self._many("UPDATE document SET portal = ? WHERE id = ? AND portal IS NULL",
                   [(doc.portal, doc.id) for doc in docs.values() if doc.dirty and doc.last_seen_at is None])
        self._many("INSERT INTO report_source (report_id, document_id, url, capture_id, captured_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (report_id, document_id) DO NOTHING", sources)
        return results
