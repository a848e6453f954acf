"""Scrapy pipeline: every item becomes a capture in the archive (``Archive.record_capture``).

Writes are group-committed off the reactor thread: items queue up while one batch is being
written in a worker thread, and the next batch takes everything that queued meanwhile. The
crawl keeps downloading while the database commits, and SQLite gets one transaction per batch
instead of one per page.

Captures are written by a child process at a lower CPU priority (``NIANBAO_ARCHIVE_NICE``,
default 10; ``NIANBAO_ARCHIVE_PROCESS = False`` writes from a thread instead).

Settings: ``NIANBAO_ARCHIVE`` (the key of an Archive registered in-process by crawler.runner) or
``NIANBAO_DATABASE_URL`` + ``NIANBAO_BLOB_DIR`` (crawler.settings sets them from config.yaml;
this package never reads the config); ``NIANBAO_RUN_ID`` (a run started by the runner) or a
run of its own, finished when the spider closes.
"""
from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from pipelines.summary import summarize

logger = logging.getLogger(__name__)

MAX_BATCH = 200
#: seconds items wait to be written together (a busy crawl fills batches without waiting)
BATCH_DELAY = 0.2
#: niceness of the archive writer process. Measured on bench/crawl_bench.py (2 cores): at the
#: crawl's priority the writer's bursts (hashing, gzip, SQL) cost the crawl 10-25% of its
#: pages/s; niced, the crawl runs as fast as a bare Scrapy spider and the writer keeps up.
ARCHIVE_NICE = 10
#: failures after which a URL is not considered gone (we could not tell)
_NOT_GONE_REASONS = {"not_found"}


def capture_args(item: Any, run_id: int | None) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "url": item["url"],
        "status": item.get("status"),
        "body": item.get("body"),
        "headers": item.get("headers") or {},
        "final_url": item.get("final_url"),
        "fetched_at": item.get("fetched_at"),
        "error": item.get("error"),
        "portal": item.get("portal"),
        "referer": item.get("referer"),
        "title": item.get("title"),
        "is_report": bool(item.get("is_report")),
    }


#: Archive objects shared in-process (Scrapy deep-copies settings, so they hold a key)
_ARCHIVES: dict[str, Any] = {}


def register_archive(archive: Any) -> str:
    """A settings-safe key for an Archive object used by this process's crawlers."""
    key = f"archive-{id(archive)}"
    _ARCHIVES[key] = archive
    return key


def archive_from_settings(settings: Any, *, migrate: bool = True) -> Any:
    """The archive a crawl's settings name: the Archive registered under ``NIANBAO_ARCHIVE``
    (or an Archive object there), else one opened on ``NIANBAO_DATABASE_URL`` +
    ``NIANBAO_BLOB_DIR`` (``NIANBAO_COMPRESS``). crawler.settings fills these from config.yaml."""
    archive = settings.get("NIANBAO_ARCHIVE")
    if isinstance(archive, str):
        return _ARCHIVES[archive]
    if archive is not None:
        return archive
    url, blobs = settings.get("NIANBAO_DATABASE_URL"), settings.get("NIANBAO_BLOB_DIR")
    if not url or not blobs:
        raise ValueError("no archive in the Scrapy settings: set NIANBAO_ARCHIVE, or "
                         "NIANBAO_DATABASE_URL and NIANBAO_BLOB_DIR")
    from storage import Archive

    return Archive(url, blobs, compress=settings.getbool("NIANBAO_COMPRESS", True), migrate=migrate)


# --- the writer process ---------------------------------------------------------------------
# Captures are written by one child process when the archive is named by URL: blob hashing,
# compression and the database work then run on another core instead of competing with the
# crawl for this process's GIL. Without a URL (an Archive object only) a thread does it.
_worker_archive: Any = None


def _worker_init(database_url: str, blob_dir: str, compress: bool, nice: int = 0) -> None:
    global _worker_archive
    if nice > 0:
        # batch work: on a busy machine the crawl's event loop gets the CPU first
        try:
            os.nice(nice)
        except (AttributeError, OSError) as exc:
            logger.debug("archive writer keeps its priority: %s", exc)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s (archive writer): %(message)s")
    from storage import Archive

    _worker_archive = Archive(database_url, blob_dir, compress=compress, migrate=False)


def _worker_write(args: list[dict[str, Any]]) -> list[Any]:
    return write_captures(_worker_archive, args)


def write_captures(archive: Any, args: list[dict[str, Any]]) -> list[Any]:
    """One transaction per batch; when it fails, each capture alone (None for one that fails)."""
    try:
        return archive.record_captures(args)
    except Exception:
        logger.exception("batch of %d captures failed; recording one by one", len(args))
    out = []
    for a in args:
        try:
            out.append(archive.record_capture(**a))
        except Exception:
            logger.exception("capture of %s not recorded", a["url"])
            out.append(None)
    return out


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive = None
        self.run_id: int | None = None
        self.own_run = False
        self.pending: list[tuple[Any, Deferred]] = []
        self.flushing = False
        self.seen_urls: dict[str, set[str]] = {}      # portal -> URLs seen this run
        self.report_urls: dict[str, set[str]] = {}    # portal -> report URLs
        self.writes_failed = 0
        self.counts: Counter[str] = Counter()         # stats of the batch being accounted
        self.batch_delay = crawler.settings.getfloat("NIANBAO_ARCHIVE_BATCH_DELAY", BATCH_DELAY)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        p = cls(crawler)
        crawler.signals.connect(p._spider_closed, signal=signals.spider_closed)
        return p

    # --- lifecycle -------------------------------------------------------------------------

    def open_spider(self) -> None:
        s = self.crawler.settings
        self.archive = archive_from_settings(s)
        run_id = s.get("NIANBAO_RUN_ID")
        if run_id is None:
            spider = self.crawler.spider
            names = list(getattr(spider, "portal_states", None) or [spider.portal_name])
            self.run_id = self.archive.start_run(names, kind="crawl")
            self.own_run = True
        else:
            self.run_id = int(run_id)
        self.stats.set_value("nianbao/run_id", self.run_id)
        self.pool = None
        url, blobs = s.get("NIANBAO_DATABASE_URL"), s.get("NIANBAO_BLOB_DIR")
        if s.getbool("NIANBAO_ARCHIVE_PROCESS", True) and url and blobs and ":memory:" not in url:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                self.pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                    initargs=(url, str(blobs), s.getbool("NIANBAO_COMPRESS", True),
                              s.getint("NIANBAO_ARCHIVE_NICE", ARCHIVE_NICE)))
            except Exception as exc:  # no processes here: write from a thread
                logger.warning("archive writer process unavailable (%s); writing from a thread", exc)
                self.pool = None

    async def close_spider(self) -> None:
        # wait for every queued write before the run is finished
        while self.pending or self.flushing:
            d: Deferred = Deferred()
            from twisted.internet import reactor

            reactor.callLater(0.05, d.callback, None)
            await maybe_deferred_to_future(d)
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def _spider_closed(self, spider, reason: str) -> None:
        st = self.stats
        resumed = self.crawler.settings.getbool("NIANBAO_RESUMED")
        states = getattr(spider, "portal_states", None) or {}
        if reason == "finished" and not resumed and self.archive is not None:
            # documents of a fully crawled portal that were not seen this run are gone (kept, flagged)
            for name, state in states.items():
                if state.capped or not self.seen_urls.get(name):
                    continue
                try:
                    gone = self.archive.mark_gone(self.run_id, name, self.seen_urls[name])
                except Exception:
                    logger.exception("mark_gone failed for %s", name)
                    continue
                st.inc_value("nianbao/gone", len(gone))
                st.set_value(f"nianbao/portal/{name}/gone", len(gone))
        if self.own_run and self.archive is not None:
            status = "finished" if reason == "finished" else ("interrupted" if reason == "shutdown" else "failed")
            self.archive.finish_run(self.run_id, status=status, stats=summarize([st.get_stats()]))

    # --- items -----------------------------------------------------------------------------

    async def process_item(self, item: Any) -> Any:
        d: Deferred = Deferred()
        self.pending.append((item, d))
        if not self.flushing:
            # gather a batch first: one transaction and one thread hop per ~BATCH_DELAY of pages
            self.flushing = True
            from twisted.internet import reactor

            reactor.callLater(self.batch_delay, self._flush)
        return await maybe_deferred_to_future(d)

    def _flush(self) -> None:
        batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
        if not batch:
            self.flushing = False
            return
        self.flushing = True
        args = [capture_args(item, self.run_id) for item, _ in batch]
        w = deferToThread(self._write, args)

        def done(results: list[Any]) -> None:
            for (item, _), res in zip(batch, results):
                self._account(item, res)
            self._publish_counts()
            for item, d in batch:
                d.callback(item)

        def failed(f) -> None:  # _write never raises, but never leave an item hanging
            logger.error("archive write failed: %s", f.getErrorMessage())
            for item, _ in batch:
                self._account(item, None)
            self._publish_counts()
            for item, d in batch:
                d.callback(item)

        w.addCallbacks(done, failed)
        w.addBoth(lambda _: self._flush())

    def _write(self, args: list[dict[str, Any]]) -> list[Any]:
        """Runs in a worker thread: hands the batch to the writer process, or writes it itself."""
        if self.pool is not None:
            try:
                return self.pool.submit(_worker_write, args).result()
            except Exception as exc:  # a dead writer process: carry on from this thread
                logger.error("archive writer process failed (%s); writing from a thread from now on", exc)
                self.pool = None
        return write_captures(self.archive, args)

    def _inc(self, portal: str | None, key: str) -> None:
        self.counts[f"nianbao/{key}"] += 1
        if portal:
            self.counts[f"nianbao/portal/{portal}/{key}"] += 1

    def _publish_counts(self) -> None:
        """A batch's counts go to the crawl stats once per key, not once per item."""
        for key, n in self.counts.items():
            self.stats.inc_value(key, n)
        self.counts.clear()

    def _account(self, item: Any, res: Any) -> None:
        portal = item.get("portal")
        inc = self._inc
        inc(portal, "captures")
        if res is None:
            self.writes_failed += 1
            inc(portal, "write_failed")
            item["capture_kind"] = "write_failed"
            return
        item["capture_kind"] = res.kind
        item["capture_id"] = res.capture_id
        item["sha256"] = res.sha256
        inc(portal, res.kind)
        if res.new_blob:
            inc(portal, "new_blobs")
        err = item.get("error")
        if res.kind == "error":
            reason = err or res.error or "error"
            inc(portal, "errors")
            inc(portal, f"errors_by_reason/{reason}")
        if err not in _NOT_GONE_REASONS:
            self.seen_urls.setdefault(portal, set()).add(item["url"])
        if item.get("is_report") and res.kind != "error":
            reports = self.report_urls.setdefault(portal, set())
            if item["url"] not in reports:
                reports.add(item["url"])
                inc(portal, "reports")
        if res.kind != "error":
            inc(portal, "pages" if item.get("kind") != "attachment" else "attachments")
