"""From a stored blob to report rows: extract, decide, parse, metadata, cross-year checks, dedup.

``process_blob`` is the plain function (used by ``nianbao process`` and by tests);
``process_archive`` runs it over the archive's document versions, offline; ``ProcessPipeline``
runs it for each newly captured body during a crawl, in a worker thread so the CPU work
(PDF tables, OCR) does not stall Twisted's reactor.

Every step is idempotent: a stored extraction with the current EXTRACTOR_VERSION is reused,
``save_report`` upserts by (sha256, PARSER_VERSION), canonical links are only rewritten when
they change. Bad input never raises out of here: it ends as a status with a reason.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import sqlalchemy as sa

from pipelines import dedup
from pipelines.dates import utc_datetime
from pipelines.metadata import _get, derive_metadata, find_title, publication_date

logger = logging.getLogger(__name__)

# Statuses of one processed blob.
REPORT = "report"
NOT_REPORT = "not_report"
EXTRACTION_ERROR = "extraction_error"
BLOB_CORRUPT = "blob_corrupt"
FAILED = "failed"

# A report's text names its first section (一、总体情况 / 概述) or its disclosure headings; a
# listing page that only links to reports does not.
_REPORT_BODY = re.compile(r"总\s*体\s*情\s*况|概\s*述|主\s*动\s*公\s*开|依\s*申\s*请\s*公\s*开")
_MIN_REPORT_CHARS = 300
_CROSS_YEAR = ("X1", "X2")
_LINK_LOCK = threading.Lock()


@dataclass
class ProcessResult:
    sha256: str
    status: str
    reason: str | None = None
    format: str | None = None
    extraction_id: int | None = None
    extraction_reused: bool = False
    report_id: int | None = None
    canonical_report_id: int | None = None
    agency: str | None = None
    agency_source: str | None = None
    report_year: int | None = None
    region_code: str | None = None
    seconds: float = 0.0

    @property
    def is_report(self) -> bool:
        return self.status == REPORT

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ProcessStats:
    versions: int = 0
    blobs: int = 0
    processed: int = 0
    reports: int = 0
    not_reports: int = 0
    errors: Counter = field(default_factory=Counter)      # reason -> count
    error_blobs: list[dict[str, str]] = field(default_factory=list)
    extractions_reused: int = 0
    duplicates_linked: int = 0
    duplicate_groups: int = 0
    seconds: float = 0.0
    run_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "versions": self.versions, "blobs": self.blobs, "processed": self.processed,
            "reports": self.reports, "not_reports": self.not_reports,
            "errors": dict(self.errors), "error_blobs": self.error_blobs[:200],
            "extractions_reused": self.extractions_reused, "duplicates_linked": self.duplicates_linked,
            "duplicate_groups": self.duplicate_groups, "seconds": round(self.seconds, 3),
        }


def error_kind(reason: str | None) -> str:
    """A short, countable class of an extraction error ('pdf: encrypted', 'empty body')."""
    if not reason:
        return "unknown"
    head = re.split(r"[:(\n]", reason, maxsplit=1)[0].strip()
    return head[:60] or "unknown"


def looks_like_report(text: str | None, parsed: Mapping[str, Any]) -> bool:
    """A report: the parser found the standard tables, or the text opens with a report title
    and carries a report's headings (a listing page of report links does not)."""
    if parsed.get("cells"):
        return True
    if not text or len(text) < _MIN_REPORT_CHARS:
        return False
    return find_title(text, max_lines=15) is not None and bool(_REPORT_BODY.search(text))


def _tables_for_parser(x: Any) -> list[Any]:
    return list(getattr(x, "tables", None) or [])


def _previous_report(archive: Any, agency: str | None, year: int | None, *, exclude_sha: str) -> int | None:
    """The same agency's report of year-1 (a canonical one, earliest captured), if archived."""
    if not agency or year is None:
        return None
    from storage.archive import T_REP

    with archive.engine.connect() as conn:
        rows = conn.execute(
            sa.select(T_REP.c.id, T_REP.c.canonical_report_id)
            .where(T_REP.c.agency == agency, T_REP.c.report_year == year - 1, T_REP.c.is_current.is_(True),
                   T_REP.c.sha256 != exclude_sha)
            .order_by(T_REP.c.canonical_report_id.is_not(None), T_REP.c.captured_at, T_REP.c.id)
        ).all()
    return rows[0].id if rows else None


def _next_reports(archive: Any, agency: str | None, year: int | None) -> list[int]:
    if not agency or year is None:
        return []
    from storage.archive import T_REP

    with archive.engine.connect() as conn:
        return list(conn.execute(
            sa.select(T_REP.c.id).where(T_REP.c.agency == agency, T_REP.c.report_year == year + 1,
                                        T_REP.c.is_current.is_(True)).order_by(T_REP.c.id)).scalars())


def _cross_year(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """X1/X2 via the parser's cross_year_checks, as check dicts."""
    from pipelines.parse import cross_year_checks

    out = []
    for c in cross_year_checks(current, previous) or []:
        d = c if isinstance(c, Mapping) else (c.__dict__ if not hasattr(c, "to_dict") else c.to_dict())
        d = dict(d)
        d.setdefault("cells", [])
        out.append(d)
    return out


def _with_cross_year(archive: Any, report: dict[str, Any], sha256: str) -> dict[str, Any]:
    """The report dict with its X1/X2 checks recomputed against last year's report."""
    checks = [c for c in report.get("checks") or [] if str(c.get("check_id")) not in _CROSS_YEAR]
    prev_id = _previous_report(archive, report.get("agency"), report.get("report_year"), exclude_sha=sha256)
    if prev_id is not None:
        prev = archive.get_report(prev_id)
        if prev is not None:
            try:
                checks.extend(_cross_year(report, prev))
            except Exception as exc:  # a soft check must never cost the report
                logger.warning("cross-year checks failed for %s: %r", sha256[:12], exc)
    report = dict(report)
    report["checks"] = checks
    return report


def _refresh_next_year(archive: Any, agency: str | None, year: int | None, parser_version: str) -> None:
    """A report processed after its successor: recompute the successor's X1/X2."""
    for rid in _next_reports(archive, agency, year):
        nxt = archive.get_report(rid)
        if nxt is None or nxt.get("parser_version") != parser_version:
            continue
        fresh = _with_cross_year(archive, nxt, nxt["sha256"])
        old = sorted((c["check_id"], str(c.get("scope")), c.get("passed")) for c in nxt["checks"]
                     if c["check_id"] in _CROSS_YEAR)
        new = sorted((c["check_id"], str(c.get("scope")), c.get("passed")) for c in fresh["checks"]
                     if c["check_id"] in _CROSS_YEAR)
        if old != new:
            archive.save_report(nxt["sha256"], parser_version, fresh)


def _extraction(archive: Any, sha256: str, *, content_type: str | None, url: str | None,
                force: bool = False) -> tuple[Any, int | None, bool, bytes | None]:
    """(Extraction, extraction id, reused?, raw bytes if read). Raises BlobCorrupt."""
    from pipelines.extract import EXTRACTOR_VERSION, Extraction, extract_bytes

    if not force:
        stored = archive.get_extraction(sha256, EXTRACTOR_VERSION)
        if stored is not None:
            return Extraction.from_dict(stored), stored.get("id"), True, None
    data = archive.read_blob(sha256)
    x = extract_bytes(data, content_type, None, url)
    ext_id = archive.save_extraction(sha256, x.extractor_version or EXTRACTOR_VERSION, x.to_dict())
    return x, ext_id, False, data


def process_blob(archive: Any, sha256: str, *, url: str | None = None, content_type: str | None = None,
                 portal: Any = None, page_meta: Mapping[str, Any] | None = None,
                 link_duplicates: bool = True, force_extract: bool = False) -> ProcessResult:
    """Derive everything from one stored blob; never raises for bad input.

    `portal`: PortalConfig or dict (agency, region_code) for the fallbacks; `page_meta`: what
    the crawl knew of the page (title, agency, published_at). `link_duplicates=False` leaves
    dedup to a later :func:`pipelines.dedup.dedup_all` (what ``process_archive`` does).
    """
    from storage import BlobCorrupt

    t0 = time.perf_counter()
    res = ProcessResult(sha256=sha256, status=FAILED)
    try:
        try:
            x, res.extraction_id, res.extraction_reused, raw = _extraction(
                archive, sha256, content_type=content_type, url=url, force=force_extract)
        except BlobCorrupt as exc:
            res.status, res.reason = BLOB_CORRUPT, str(exc)
            return res
        res.format = x.format
        if x.error:
            res.status, res.reason = EXTRACTION_ERROR, x.error
            return res

        from pipelines.parse import PARSER_VERSION, parse_report

        hints = {"title": _get(page_meta, "title") or (x.metadata or {}).get("title"),
                 "agency": None, "region_code": _get(portal, "region_code")}
        parsed = parse_report(x.text, _tables_for_parser(x), hints)
        report = parsed.to_dict() if hasattr(parsed, "to_dict") else dict(parsed)
        if not looks_like_report(x.text, report):
            res.status = NOT_REPORT
            return res

        html = None
        if x.format == "html" and (not publication_date(page_meta, x.metadata) or not report.get("agency")):
            # the page's <meta> names the agency when the title does not (and dates it)
            html = raw if raw is not None else archive.read_blob(sha256)
        md = derive_metadata(text=x.text, parsed=report, page_meta=page_meta, extraction_meta=x.metadata,
                             portal=portal, html=html, url=url)
        report.update({
            "agency": md.agency, "agency_source": md.agency_source, "report_year": md.report_year,
            "title": md.title or report.get("title"), "region_code": md.region_code,
            "admin_level": md.admin_level,
            "published_at": md.published_at.isoformat() if md.published_at else report.get("published_at"),
            "text_hash": dedup.text_hash(x.text),
        })
        report = _with_cross_year(archive, report, sha256)
        rid = archive.save_report(sha256, PARSER_VERSION, report)
        _refresh_next_year(archive, md.agency, md.report_year, PARSER_VERSION)
        res.status, res.report_id = REPORT, rid
        res.agency, res.agency_source, res.report_year, res.region_code = (
            md.agency, md.agency_source, md.report_year, md.region_code)
        if link_duplicates:
            with _LINK_LOCK:  # two copies processed at once must not each crown themselves
                dedup.link_report(archive, rid)
        from storage.archive import T_REP

        with archive.engine.connect() as conn:
            canon = conn.execute(sa.select(T_REP.c.canonical_report_id).where(T_REP.c.id == rid)).scalar()
        res.canonical_report_id = canon or rid
        return res
    except Exception as exc:  # a bug or a library failure on one blob: record, carry on
        logger.error("processing %s failed: %r\n%s", sha256[:12], exc, traceback.format_exc())
        res.status, res.reason = FAILED, f"{type(exc).__name__}: {exc}"[:500]
        return res
    finally:
        res.seconds = time.perf_counter() - t0


# ---------------------------------------------------------------- the whole archive

def _portal_lookup(portals: Iterable[Any] | Mapping[str, Any] | None) -> dict[str, Any]:
    if portals is None:
        return {}
    if isinstance(portals, Mapping):
        return dict(portals)
    return {str(_get(p, "name")): p for p in portals}


def _since_filter(archive: Any, since: dt.date | dt.datetime | str | None) -> set[int] | None:
    """Version ids first captured at or after `since` (None: no filter)."""
    if since is None:
        return None
    since = utc_datetime(since)
    from storage.archive import T_VER

    with archive.engine.connect() as conn:
        return set(conn.execute(sa.select(T_VER.c.id).where(T_VER.c.first_captured_at >= since)).scalars())


def _reports_without_current_parse(archive: Any, skip: set[int]) -> list[dict[str, Any]]:
    """Versions whose blob has report rows, but none by the current PARSER_VERSION (a parser
    upgrade): they are re-parsed from their stored extraction."""
    from pipelines.parse import PARSER_VERSION
    from storage.archive import T_REP

    with archive.engine.connect() as conn:
        parsed = set(conn.execute(sa.select(T_REP.c.sha256).distinct()).scalars())
        current = set(conn.execute(sa.select(T_REP.c.sha256).where(T_REP.c.parser_version == PARSER_VERSION)).scalars())
    stale = parsed - current
    if not stale:
        return []
    return [r for r in archive.iter_versions() if r["sha256"] in stale and r["version_id"] not in skip]


def process_archive(archive: Any, since: dt.date | dt.datetime | str | None = None, all: bool = False,
                    *, portals: Iterable[Any] | Mapping[str, Any] | None = None, link_duplicates: bool = True,
                    force_extract: bool = False, record_run: bool = True,
                    progress: Callable[[int, int, ProcessResult], None] | None = None) -> ProcessStats:
    """Re-derive report rows from stored blobs, offline.

    Which versions: `all=True` every stored document version; `since` the versions first
    captured on/after that date; neither: the blobs not yet extracted by the current
    EXTRACTOR_VERSION (what a crawl left unprocessed), plus reports whose rows are all by an
    older PARSER_VERSION (a parser upgrade). Each distinct blob is processed once.
    A run of kind 'process' is recorded with the counts and the errors by reason.
    """
    from pipelines.extract import EXTRACTOR_VERSION

    t0 = time.perf_counter()
    stats = ProcessStats()
    lookup = _portal_lookup(portals)
    pending_only = not all and since is None
    rows = list(archive.iter_versions(without_extraction=EXTRACTOR_VERSION if pending_only else None))
    if pending_only:  # and reports parsed by an older parser only
        rows += _reports_without_current_parse(archive, {r["version_id"] for r in rows})
    keep = _since_filter(archive, since) if not all else None
    if keep is not None:
        rows = [r for r in rows if r["version_id"] in keep]
    stats.versions = len(rows)
    by_sha: dict[str, dict[str, Any]] = {}
    for r in rows:  # first version of each body gives the hints (oldest capture)
        by_sha.setdefault(r["sha256"], r)
    stats.blobs = len(by_sha)
    if record_run:
        stats.run_id = archive.start_run(sorted({r["portal"] for r in by_sha.values() if r.get("portal")}),
                                         kind="process")
    status = "finished"
    try:
        for i, (sha, r) in enumerate(by_sha.items(), 1):
            portal = lookup.get(r.get("portal") or "")
            page_meta = {"title": r.get("title"), "url": r.get("url")}
            res = process_blob(archive, sha, url=r.get("final_url") or r.get("url"),
                               content_type=r.get("content_type"), portal=portal, page_meta=page_meta,
                               link_duplicates=False, force_extract=force_extract)
            stats.processed += 1
            stats.extractions_reused += int(res.extraction_reused)
            if res.status == REPORT:
                stats.reports += 1
            elif res.status == NOT_REPORT:
                stats.not_reports += 1
            else:
                kind = res.status if res.status != EXTRACTION_ERROR else f"extraction: {error_kind(res.reason)}"
                stats.errors[kind] += 1
                stats.error_blobs.append({"sha256": sha, "url": r.get("url") or "", "status": res.status,
                                          "reason": res.reason or ""})
            if progress is not None:
                progress(i, len(by_sha), res)
        if link_duplicates:
            d = dedup.dedup_all(archive)
            stats.duplicates_linked, stats.duplicate_groups = d.duplicates, d.groups
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception:
        status = "failed"
        raise
    finally:
        stats.seconds = time.perf_counter() - t0
        if stats.run_id is not None:
            archive.finish_run(stats.run_id, status, stats.to_dict())
    return stats


# ---------------------------------------------------------------- Scrapy

class ProcessPipeline:
    """Extract and parse each newly captured body during the crawl (after ArchivePipeline).

    Settings (read in from_crawler): NIANBAO_PROCESS (default True) turns it off;
    NIANBAO_PROCESS_CONCURRENCY (default: the CPU count) caps blobs processed at once;
    NIANBAO_ARCHIVE (an Archive object) or NIANBAO_DATABASE_URL + NIANBAO_BLOB_DIR name the
    archive, as for ArchivePipeline. The spider's portal config (``spider.portal``) supplies the
    agency and region fallbacks. Only items whose capture is a new version (or whose blob has no
    extraction by the current extractor yet) are processed; the item passes on unchanged.
    """

    def __init__(self, crawler: Any = None, *, enabled: bool = True, archive: Any = None,
                 concurrency: int | None = None) -> None:
        self.crawler = crawler
        self.enabled = enabled
        self.archive: Any = archive
        self.stats: Counter = Counter()
        # CPU-bound work (OCR, LibreOffice) beyond the core count only contends for memory
        self.concurrency = max(1, concurrency or os.cpu_count() or 2)
        self._slots: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ProcessPipeline":
        s = crawler.settings
        return cls(crawler, enabled=s.getbool("NIANBAO_PROCESS", True),
                   concurrency=s.getint("NIANBAO_PROCESS_CONCURRENCY", 0) or None)

    def open_spider(self) -> None:
        if not self.enabled or self.archive is not None:
            return
        try:
            from pipelines.archive import archive_from_settings

            self.archive = archive_from_settings(self.crawler.settings)
        except Exception as exc:  # no archive: the crawl still archives; `nianbao process` later
            logger.warning("ProcessPipeline disabled: no archive (%s)", exc)
            self.enabled = False

    def close_spider(self) -> None:
        if self.stats:
            logger.info("process pipeline: %s", dict(self.stats))

    def _wants(self, item: Mapping[str, Any]) -> bool:
        sha = item.get("sha256")
        if not self.enabled or self.archive is None or not sha or item.get("error"):
            return False
        if item.get("capture_kind") == "new_version":
            return True
        from pipelines.extract import EXTRACTOR_VERSION

        return self.archive.get_extraction(sha, EXTRACTOR_VERSION) is None

    def _portal_for(self, item: Mapping[str, Any]) -> Any:
        spider = getattr(self.crawler, "spider", None)
        lookup = getattr(spider, "portal_config", None)  # multi-portal PortalSpider: per item
        cfg = lookup(item.get("portal")) if callable(lookup) else getattr(spider, "portal", None)
        if cfg is not None and (_get(cfg, "name") in (None, item.get("portal"))):
            return cfg
        if item.get("region_code"):
            return {"region_code": item.get("region_code")}
        return None

    def _run(self, item: Any) -> ProcessResult:
        page_meta = {"title": item.get("title"), "url": item.get("url")}
        ctype = None
        for k, v in dict(item.get("headers") or {}).items():
            key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
            if key.lower() == "content-type":
                v = v[0] if isinstance(v, (list, tuple)) and v else v
                ctype = v.decode("latin-1") if isinstance(v, bytes) else str(v)
        return process_blob(self.archive, item["sha256"], url=item.get("final_url") or item.get("url"),
                            content_type=ctype, portal=self._portal_for(item), page_meta=page_meta)

    async def process_item(self, item: Any) -> Any:
        """The CPU work runs in Twisted's thread pool (deferToThread); the reactor keeps crawling."""
        if not self._wants(item):
            return item
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import defer, threads

        if self._slots is None:
            self._slots = defer.DeferredSemaphore(self.concurrency)
        res = await maybe_deferred_to_future(self._slots.run(threads.deferToThread, self._run, item))
        self.stats[res.status] += 1
        crawler_stats = getattr(self.crawler, "stats", None)
        if crawler_stats is not None:
            crawler_stats.inc_value(f"nianbao/process/{res.status}")
        return item
