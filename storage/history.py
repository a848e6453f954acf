"""Version history of archived documents: their versions, captures and the refs that name them.

A *version ref* names one stored body of one URL:

* ``URL``          the URL's current version      ``URL@N``  its N-th version (1-based; -1 = last)
* ``v:ID``         a document_version id           ``report:ID`` / ``r:ID``  a report's body
* a sha256 (or a unique prefix of ≥ 8 hex digits)

Diffing two versions needs text extraction, so it lives in pipelines/diff.py.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

logger = logging.getLogger(__name__)

_HEX = re.compile(r"^[0-9a-f]{8,64}$")


class VersionNotFound(LookupError):
    """A version ref that names nothing in the archive (the message says why)."""


@dataclass(frozen=True)
class VersionRef:
    url: str
    document_id: int
    version_id: int
    version_number: int
    sha256: str
    size: int | None
    content_type: str | None
    first_captured_at: Any
    last_captured_at: Any

    @property
    def label(self) -> str:
        return f"{self.url}@{self.version_number} ({str(self.first_captured_at)[:19]}, {self.sha256[:12]})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- history


def _rows(archive: Any, sql: str, **params: Any) -> list[dict[str, Any]]:
    with archive.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def document_history(archive: Any, url: str) -> dict[str, Any] | None:
    """A URL's document row, its versions (with report ids) and every capture, oldest first."""
    doc = archive.document(url)
    if doc is None:
        return None
    versions = archive.versions(url)
    for v in versions:
        v["report_ids"] = archive.report_ids_for_sha256(v["sha256"])
    captures = [{k: c.get(k) for k in ("id", "run_id", "fetched_at", "status", "kind", "sha256", "new_blob",
                                         "version_id", "content_length", "error", "etag", "last_modified")}
                for c in archive.captures(url=url)]
    moved_from = _rows(archive, "SELECT url FROM document WHERE moved_to_id = :d ORDER BY id", d=doc["document_id"])
    gone_runs = {}
    if doc.get("gone_run_id") is not None:
        gone_runs = archive.get_run(doc["gone_run_id"]) or {}
    return {"document": doc, "versions": versions, "captures": captures,
            "moved_from": [r["url"] for r in moved_from],
            "gone_run": {"run_id": gone_runs.get("id"), "started_at": gone_runs.get("started_at")} if gone_runs else None}


def report_history(archive: Any, report_id: int) -> dict[str, Any] | None:
    """A report's metadata and the history of every URL its body was fetched from."""
    rep = archive.get_report(report_id)
    if rep is None:
        return None
    meta = {k: rep.get(k) for k in ("id", "agency", "report_year", "title", "template", "sha256", "source_url",
                                    "published_at", "captured_at", "parser_version", "canonical_report_id")}
    urls = [s["url"] for s in rep.get("sources") or []] or ([rep["source_url"]] if rep.get("source_url") else [])
    return {"report": meta, "documents": [h for u in dict.fromkeys(urls) if (h := document_history(archive, u))]}


# --------------------------------------------------------------------------- version refs


def _ref_from_row(row: Mapping[str, Any]) -> VersionRef:
    return VersionRef(url=row["url"], document_id=row["document_id"], version_id=row["version_id"],
                      version_number=int(row["version_number"]), sha256=row["sha256"], size=row.get("size"),
                      content_type=row.get("content_type"), first_captured_at=row["first_captured_at"],
                      last_captured_at=row["last_captured_at"])


def _versions_where(archive: Any, where: str, **params: Any) -> list[VersionRef]:
    return [_ref_from_row(r) for r in _rows(
        archive, f"SELECT * FROM document_versions WHERE {where} ORDER BY version_id", **params)]


def versions_of(archive: Any, url: str) -> list[VersionRef]:
    return _versions_where(archive, "url = :u", u=url)


def resolve_version(archive: Any, ref: str) -> VersionRef:
    """The version a ref names; raises :class:`VersionNotFound` with the reason."""
    ref = ref.strip()
    m = re.fullmatch(r"(?:v|version):(\d+)", ref)
    if m:
        found = _versions_where(archive, "version_id = :i", i=int(m.group(1)))
        if not found:
            raise VersionNotFound(f"no document version {m.group(1)}")
        return found[0]
    m = re.fullmatch(r"(?:r|report):(\d+)", ref)
    if m:
        rep = archive.get_report(int(m.group(1)))
        if rep is None:
            raise VersionNotFound(f"no report {m.group(1)}")
        return _version_of_sha(archive, rep["sha256"], prefer_url=rep.get("source_url"))
    if _HEX.match(ref.lower()):
        sha = ref.lower()
        if len(sha) < 64:
            shas = [r["sha256"] for r in _rows(archive, "SELECT sha256 FROM blob WHERE sha256 LIKE :p", p=sha + "%")]
            if len(shas) != 1:
                raise VersionNotFound(f"sha256 prefix {ref!r} matches {len(shas)} stored bodies")
            sha = shas[0]
        return _version_of_sha(archive, sha)
    url, _, num = ref.rpartition("@") if re.search(r"@-?\d+$", ref) else (ref, "", "")
    versions = versions_of(archive, url)
    if not versions:
        raise VersionNotFound(f"the archive holds no version of {url}")
    if not num:
        cur = _rows(archive, "SELECT current_version_id FROM document WHERE url = :u", u=url)
        cur_id = cur[0]["current_version_id"] if cur else None
        return next((v for v in versions if v.version_id == cur_id), versions[-1])
    n = int(num)
    try:
        return versions[n - 1] if n > 0 else versions[n]
    except IndexError:
        raise VersionNotFound(f"{url} has {len(versions)} version(s); there is no version {n}") from None


def _version_of_sha(archive: Any, sha: str, prefer_url: str | None = None) -> VersionRef:
    found = _versions_where(archive, "sha256 = :s", s=sha)
    if not found:
        raise VersionNotFound(f"no document version has body {sha}")
    return next((v for v in found if v.url == prefer_url), found[0])


def previous_version(archive: Any, v: VersionRef) -> VersionRef | None:
    """The version of the same URL before ``v`` (None for the first)."""
    earlier = [x for x in versions_of(archive, v.url) if x.version_id < v.version_id]
    return earlier[-1] if earlier else None


def report_for_sha(archive: Any, sha256: str) -> dict[str, Any] | None:
    """The current report parsed from a body (the newest row), with its cells and checks."""
    ids = archive.report_ids_for_sha256(sha256)
    return archive.get_report(ids[-1]) if ids else None


__all__ = ["VersionRef", "VersionNotFound", "document_history", "report_history", "resolve_version",
           "previous_version", "versions_of", "report_for_sha"]
