"""Run a crawl of config portals into the archive, in this process; return the run summary.

``run_crawl`` starts one crawl run in the archive, one Scrapy crawler per portal (each with its
own JOBDIR under ``crawl.job_dir`` so an interrupted crawl resumes), waits for them all, and
finishes the run with the summary. Twisted's reactor starts once per process, so call it once
per process; tests and the scheduler use ``python -m crawler.runner`` in a subprocess::

    python -m crawler.runner [--config FILE] [--profile P] [--portal NAME]... [--json]
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

logger = logging.getLogger(__name__)

COUNTERS = {
    "captures": "nianbao/captures",
    "pages": "nianbao/pages",
    "attachments": "nianbao/attachments",
    "reports": "nianbao/reports",
    "new_versions": "nianbao/new_version",
    "identical_revisits": "nianbao/identical_revisit",
    "not_modified": "nianbao/not_modified",
    "new_blobs": "nianbao/new_blobs",
    "errors": "nianbao/errors",
    "gone": "nianbao/gone",
    "trap_blocked": "nianbao/trap_blocked",
    "write_failed": "nianbao/write_failed",
    "bytes": "downloader/response_bytes",
    "requests": "downloader/request_count",
}


def summarize(stats_list: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals over crawler stats dicts: counts, revisits, errors by reason."""
    out: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    reasons: Counter[str] = Counter()
    for st in stats_list:
        for key, skey in COUNTERS.items():
            out[key] += int(st.get(skey, 0) or 0)
        for k, v in st.items():
            if k.startswith("nianbao/errors_by_reason/"):
                reasons[k.rsplit("/", 1)[1]] += int(v)
    out["revisits"] = out["identical_revisits"] + out["not_modified"]
    out["errors_by_reason"] = dict(sorted(reasons.items()))
    return out


def job_dir_for(cfg: Any, portal_name: str) -> Path | None:
    base = cfg.resolve_path(cfg.crawl.job_dir)
    return None if base is None else base / portal_name


def _has_state(jobdir: Path | None) -> bool:
    return bool(jobdir and (jobdir / "requests.seen").exists() and (jobdir / "requests.seen").stat().st_size > 0)


def run_crawl(cfg: Any, portals: list[Any] | None = None, *, archive: Any = None,
              overrides: Mapping[str, Any] | None = None, process: bool = True,
              max_pages: int | None = None, install_log_handler: bool = False) -> dict[str, Any]:
    """Crawl ``portals`` (PortalConfig list; default: every portal of the config) into the archive.

    Returns ``{"run_id", "status", "elapsed_s", "totals": {...}, "portals": {name: {...}}}``.
    """
    from scrapy.crawler import Crawler, CrawlerProcess

    from crawler.settings import from_config
    from crawler.spiders.portal import PortalSpider

    portals = list(cfg.portals if portals is None else portals)
    if not portals:
        raise ValueError("no portals to crawl (config.yaml `portals:` is empty; see --profile)")
    if archive is None:
        from storage import Archive

        archive = Archive(cfg.database_url(), cfg.blob_dir(), compress=cfg.archive.compress)
    base = from_config(cfg, process=process)
    base.update(overrides or {})
    base["LOG_INSTALL_ROOT_HANDLER"] = install_log_handler
    from pipelines.archive import register_archive

    archive_key = register_archive(archive)
    run_id = archive.start_run([p.name for p in portals], kind="crawl")
    started = time.monotonic()
    root_level = logging.getLogger().level
    proc = CrawlerProcess(base)
    if not install_log_handler:  # Scrapy resets the root level; keep the CLI's -v choice
        logging.getLogger().setLevel(root_level)
        for name in ("scrapy", "twisted", "py.warnings"):
            logging.getLogger(name).setLevel(max(root_level, logging.INFO) if name == "scrapy" else root_level)
    crawlers: list[tuple[Any, Crawler, Path | None]] = []
    proc._initialized_reactor = True  # noqa: SLF001 - our first Crawler installs it
    for p in portals:
        s = dict(base)
        jobdir = job_dir_for(cfg, p.name)
        resumed = _has_state(jobdir)
        if jobdir is not None:
            jobdir.mkdir(parents=True, exist_ok=True)
            s["JOBDIR"] = str(jobdir)
        s.update({"NIANBAO_ARCHIVE": archive_key, "NIANBAO_DATABASE_URL": cfg.database_url(),
                  "NIANBAO_BLOB_DIR": str(cfg.blob_dir()), "NIANBAO_RUN_ID": run_id, "NIANBAO_RESUMED": resumed})
        if resumed:
            logger.warning("%s: resuming the interrupted crawl in %s", p.name, jobdir)
        # the first crawler installs the reactor (what CrawlerProcess does for spider classes)
        crawler = Crawler(PortalSpider, s, init_reactor=not crawlers)
        crawlers.append((p, crawler, jobdir))
        proc.crawl(crawler, portal=p.model_dump(), max_pages=max_pages)
    interrupted = False
    try:
        proc.start()
    except KeyboardInterrupt:  # a second Ctrl-C: Scrapy stops at once
        interrupted = True
    per_portal: dict[str, Any] = {}
    reasons = []
    for p, crawler, jobdir in crawlers:
        st = crawler.stats.get_stats() if crawler.stats else {}
        reason = st.get("finish_reason") or ("shutdown" if interrupted else "unknown")
        reasons.append(reason)
        summary = summarize([st])
        summary["finish_reason"] = reason
        summary["resumed"] = bool(crawler.settings.getbool("NIANBAO_RESUMED"))
        per_portal[p.name] = summary
        if reason == "finished" and jobdir is not None and jobdir.exists():
            shutil.rmtree(jobdir, ignore_errors=True)   # done: the next crawl starts afresh
    if all(r == "finished" for r in reasons):
        status = "finished"
    elif any(r in ("shutdown", "unknown") for r in reasons) or interrupted:
        status = "interrupted"
    else:
        status = "failed"
    totals = summarize(crawler.stats.get_stats() for _, crawler, _ in crawlers if crawler.stats)
    result = {"run_id": run_id, "status": status, "elapsed_s": round(time.monotonic() - started, 2),
              "totals": totals, "portals": per_portal}
    archive.finish_run(run_id, status=status, stats=result)
    return result


def print_summary(result: Mapping[str, Any], console: Any = None) -> None:
    """The end-of-crawl summary as a rich table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    t = Table(title=f"crawl run {result['run_id']}: {result['status']} in {result['elapsed_s']}s")
    cols = ["captures", "pages", "attachments", "reports", "new_versions", "revisits", "new_blobs", "errors", "gone"]
    t.add_column("portal")
    for c in cols:
        t.add_column(c.replace("_", " "), justify="right")
    t.add_column("errors by reason")
    rows = list(result["portals"].items()) + [("total", result["totals"])]
    for name, s in rows:
        t.add_row(name, *(str(s.get(c, 0)) for c in cols),
                  ", ".join(f"{k} {v}" for k, v in s.get("errors_by_reason", {}).items()))
    console.print(t)


def _parse_value(v: str) -> Any:
    try:
        return json.loads(v)
    except ValueError:
        return v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.runner", description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=None)
    ap.add_argument("--profile", default=None)
    ap.add_argument("--portal", action="append", default=[])
    ap.add_argument("--max-pages", type=int, default=None)
    ap.add_argument("--no-process", action="store_true", help="archive only; no extraction/parsing")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="Scrapy setting override")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    a = ap.parse_args(argv)
    logging.basicConfig(level=max(logging.WARNING - 10 * a.verbose, logging.DEBUG),
                        format="%(levelname)s %(name)s: %(message)s")
    from crawler.config import load_config

    cfg = load_config(a.config)
    portals = cfg.active_portals(a.profile)
    if a.portal:
        portals = [cfg.portal(n, a.profile) for n in a.portal]
    overrides = {}
    for kv in a.set:
        k, _, v = kv.partition("=")
        overrides[k] = _parse_value(v)
    overrides.setdefault("LOG_LEVEL", logging.getLevelName(max(logging.WARNING - 10 * a.verbose, logging.DEBUG)))
    result = run_crawl(cfg, portals, overrides=overrides, process=not a.no_process, max_pages=a.max_pages)
    if a.json:
        json.dump(result, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print_summary(result)
    return 0 if result["status"] == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
