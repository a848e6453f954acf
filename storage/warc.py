"""WARC 1.1 export of the archive's captures (warcio), for pywb and other web-archiving tools.

One record per capture, in capture order, after a ``warcinfo`` record:

* ``new_version``       → ``response`` record: the HTTP status line and headers of the capture
  and the stored body (``Content-Encoding``/``Transfer-Encoding`` dropped and
  ``Content-Length`` set, because the archive keeps decoded bodies).
* ``identical_revisit`` → ``revisit`` record, profile *identical-payload-digest*, referring
  to the response record of the version's first capture (WARC-Refers-To, -Target-URI, -Date).
* ``not_modified``      → ``revisit`` record, profile *server-not-modified*, with the 304's
  headers and the same reference to the record of the body the server confirmed.
* ``error`` with an HTTP status → ``response`` record with the headers and an empty body
  (the archive does not keep error bodies); without a response → ``metadata`` record.

Record IDs are derived from the capture (uuid5), so a revisit in one run's WARC names the
response record in an earlier run's WARC. With ``include_originals`` (default) an exported run
also carries the response records its revisits refer to, so the file replays on its own.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http
import io
import logging
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage.coerce import to_utc, utcnow

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_RECORD_NS = uuid.UUID("6e69616e-6261-6f2d-7761-72632d726563")  # "nianbao-warc-rec"
# headers that describe the transfer, not the stored (decoded) body
_DROP = {"content-encoding", "transfer-encoding", "content-length"}


def record_id(capture: Mapping[str, Any]) -> str:
    """The WARC-Record-ID of a capture: stable across exports of the same archive."""
    fetched = capture["fetched_at"]
    key = f"{capture['id']}|{capture.get('url')}|{fetched.isoformat() if fetched else ''}|{capture.get('sha256') or ''}"
    return f"<urn:uuid:{uuid.uuid5(_RECORD_NS, key)}>"


def warc_date(value: dt.datetime | None) -> str:
    value = to_utc(value) or utcnow()
    return value.isoformat(timespec="microseconds").replace("+00:00", "Z")


def payload_digest(data: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it (sha1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _status_line(status: int) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def _http_headers(capture: Mapping[str, Any], body_len: int | None) -> StatusAndHeaders:
    headers = capture.get("headers") or {}
    pairs = [(k, str(v)) for k, v in headers.items() if k.lower() not in _DROP]
    if body_len is not None:
        pairs.append(("Content-Length", str(body_len)))
    return StatusAndHeaders(_status_line(int(capture["status"])), pairs, protocol="HTTP/1.1")


def _target_uri(capture: Mapping[str, Any]) -> str:
    return capture.get("final_url") or capture["url"]


class _Exporter:
    def __init__(self, archive: Any, writer: WARCWriter) -> None:
        self.archive = archive
        self.writer = writer
        self.written: set[int] = set()
        self.counts: dict[str, int] = {}
        self._digests: dict[str, str] = {}

    def digest_of(self, sha256: str) -> str:
        if sha256 not in self._digests:
            self._digests[sha256] = payload_digest(self.archive.read_blob(sha256))
        return self._digests[sha256]

    def _count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _common(self, capture: Mapping[str, Any]) -> dict[str, str]:
        return {"WARC-Record-ID": record_id(capture), "WARC-Date": warc_date(capture["fetched_at"])}

    def response(self, capture: Mapping[str, Any]) -> None:
        body = self.archive.read_blob(capture["sha256"])
        self._digests.setdefault(capture["sha256"], payload_digest(body))
        rec = self.writer.create_warc_record(
            _target_uri(capture), "response", payload=io.BytesIO(body), length=None,
            http_headers=_http_headers(capture, len(body)), warc_headers_dict=self._common(capture))
        self.writer.write_record(rec)
        self.written.add(capture["id"])
        self._count("response")

    def error(self, capture: Mapping[str, Any]) -> None:
        if capture.get("status"):
            rec = self.writer.create_warc_record(
                _target_uri(capture), "response", payload=io.BytesIO(b""), length=0,
                http_headers=_http_headers(capture, 0), warc_headers_dict=self._common(capture))
            self._count("response (error status)")
        else:
            fields = f"fetch-error: {capture.get('error') or 'no response'}\r\n".encode("utf-8")
            rec = self.writer.create_warc_record(
                capture["url"], "metadata", payload=io.BytesIO(fields), length=len(fields),
                warc_content_type="application/warc-fields", warc_headers_dict=self._common(capture))
            self._count("metadata (no response)")
        self.writer.write_record(rec)
        self.written.add(capture["id"])

    def revisit(self, capture: Mapping[str, Any], original: Mapping[str, Any] | None) -> None:
        profile = PROFILE_NOT_MODIFIED if capture["kind"] == "not_modified" else PROFILE_IDENTICAL
        headers = self._common(capture)
        headers["WARC-Profile"] = profile
        if original is not None:
            headers["WARC-Refers-To"] = record_id(original)
            headers["WARC-Refers-To-Target-URI"] = _target_uri(original)
            headers["WARC-Refers-To-Date"] = warc_date(original["fetched_at"])
        if capture.get("sha256"):
            headers["WARC-Payload-Digest"] = self.digest_of(capture["sha256"])
        http_headers = _http_headers(capture, None if capture["kind"] == "not_modified" else
                                     _blob_size(self.archive, capture["sha256"]))
        rec = self.writer.create_warc_record(_target_uri(capture), "revisit", http_headers=http_headers,
                                             warc_headers_dict=headers)
        self.writer.write_record(rec)
        self.written.add(capture["id"])
        self._count("revisit/" + ("server-not-modified" if profile == PROFILE_NOT_MODIFIED
                                  else "identical-payload-digest"))


def _blob_size(archive: Any, sha256: str) -> int | None:
    with archive.engine.connect() as conn:
        return conn.execute(sa.text("SELECT size FROM blob WHERE sha256 = :s"), {"s": sha256}).scalar()


def _captures(archive: Any, run_id: int | None) -> list[dict[str, Any]]:
    return archive.captures(run_id=run_id) if run_id is not None else archive.captures()


def _originals(archive: Any, captures: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """For each revisit capture id: the capture whose response record holds its body.

    That is the first capture of the version (``document_version.first_capture_id``).
    """
    version_ids = {c["version_id"] for c in captures
                   if c["kind"] in ("identical_revisit", "not_modified") and c.get("version_id")}
    if not version_ids:
        return {}
    first: dict[int, int] = {}
    with archive.engine.connect() as conn:
        ids = sorted(version_ids)
        for i in range(0, len(ids), 500):
            q = sa.text("SELECT id, first_capture_id FROM document_version WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True))
            first.update({r[0]: r[1] for r in conn.execute(q, {"ids": ids[i:i + 500]}) if r[1] is not None})
    cap_ids = sorted(set(first.values()))
    by_id: dict[int, dict[str, Any]] = {}
    for i in range(0, len(cap_ids), 500):
        for r in _load_captures(archive, cap_ids[i:i + 500]):
            by_id[r["id"]] = r
    return {c["id"]: by_id[first[c["version_id"]]] for c in captures
            if c["kind"] in ("identical_revisit", "not_modified") and first.get(c.get("version_id")) in by_id}


def _load_captures(archive: Any, ids: list[int]) -> list[dict[str, Any]]:
    from storage.models import Capture

    t = Capture.__table__
    with archive.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).where(t.c.id.in_(ids)).order_by(t.c.id)).mappings()]


def write_warc(archive: Any, out_dir: str | Path, run_id: int | None = None, *,
               include_originals: bool = True, gzip: bool = True) -> Path:
    """Write the captures of ``run_id`` (or of every run) as one WARC 1.1 file; returns its path.

    With ``include_originals``, response records of earlier runs that this run's revisits refer
    to are written first, so the file replays on its own.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%d%H%M%S")
    name = f"nianbao-{'run' + str(run_id) if run_id is not None else 'all'}-{stamp}.warc" + (".gz" if gzip else "")
    path = out / name
    captures = _captures(archive, run_id)
    originals = _originals(archive, captures)
    run = archive.get_run(run_id) if run_id is not None else None

    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip, warc_version=WARC_VERSION)
        info = {
            "software": "nianbao (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Captures of Chinese government information-disclosure annual reports "
                           "(政府信息公开工作年度报告) and the pages that led to them",
            "isPartOf": f"crawl run {run_id}" if run_id is not None else "all crawl runs",
        }
        if run:
            info["portals"] = ", ".join(run.get("portals") or [])
            info["run-started"] = warc_date(run.get("started_at"))
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        ex = _Exporter(archive, writer)
        in_set = {c["id"] for c in captures}
        if include_originals:
            extra = sorted({o["id"]: o for o in originals.values() if o["id"] not in in_set}.values(),
                           key=lambda o: o["id"])
            for o in extra:
                if o["kind"] == "new_version" and o.get("sha256"):
                    ex.response(o)
            if extra:
                logger.info("WARC %s: %d original response records from earlier runs included", path.name, len(extra))
        for c in captures:
            kind = c["kind"]
            if kind == "new_version":
                ex.response(c)
            elif kind in ("identical_revisit", "not_modified"):
                ex.revisit(c, originals.get(c["id"]))
            else:
                ex.error(c)
    tmp.replace(path)
    logger.info("wrote %s: %s", path, ", ".join(f"{v} {k}" for k, v in sorted(ex.counts.items())))
    return path


__all__ = ["write_warc", "record_id", "payload_digest", "PROFILE_IDENTICAL", "PROFILE_NOT_MODIFIED"]
