"""A live progress display (rich) of every running portal crawl, on stderr.

Shown only when stderr is a terminal and the setting NIANBAO_PROGRESS is true; one display per
process, shared by all portal crawlers of a run.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import ClassVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


def _rows(crawler: Crawler) -> list[tuple[str, ...]]:
    """One row per portal of the crawler (a PortalSpider may crawl several)."""
    st = crawler.stats
    spider = crawler.spider
    names = list(getattr(spider, "portal_states", None) or [getattr(spider, "portal_name", "?")])
    state = st.get_value("finish_reason") or ("done" if id(crawler) in ProgressExtension.done else "running")
    rows = []
    for n in names:
        def v(key: str) -> str:
            return str(st.get_value(f"nianbao/portal/{n}/{key}", 0))
        rows.append((n, v("captures"), v("reports"), v("new_version"), v("errors"), state))
    try:
        pending = len(crawler.engine._slot.scheduler)  # noqa: SLF001 - display only
    except Exception:
        pending = 0
    rows.append(("total", str(st.get_value("nianbao/captures", 0)), str(st.get_value("nianbao/reports", 0)),
                 str(st.get_value("nianbao/new_version", 0)), str(st.get_value("nianbao/errors", 0)),
                 f"{state}, {pending} queued"))
    return rows


class ProgressExtension:
    crawlers: ClassVar[list[Crawler]] = []
    done: ClassVar[set[int]] = set()
    _live = None
    _task = None
    _started = 0.0

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressExtension":
        if not crawler.settings.getbool("NIANBAO_PROGRESS", True) or not sys.stderr.isatty():
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider) -> None:
        cls = type(self)
        cls.crawlers.append(self.crawler)
        if cls._live is None:
            from rich.console import Console
            from rich.live import Live
            from twisted.internet import task

            cls._started = time.monotonic()
            cls._live = Live(self._render(), console=Console(stderr=True), refresh_per_second=4, transient=True)
            cls._live.start()
            cls._task = task.LoopingCall(self._refresh)
            cls._task.start(0.5, now=False)

    @classmethod
    def _render(cls):
        from rich.table import Table

        t = Table(title=f"nianbao crawl — {time.monotonic() - cls._started:,.0f}s", expand=False)
        for col in ("portal", "fetched", "reports", "new", "errors", "state"):
            t.add_column(col, justify="right" if col not in ("portal", "state") else "left")
        for c in cls.crawlers:
            for row in _rows(c):
                t.add_row(*row)
        return t

    @classmethod
    def _refresh(cls) -> None:
        if cls._live is not None:
            cls._live.update(cls._render())

    def closed(self, spider, reason) -> None:
        cls = type(self)
        cls.done.add(id(self.crawler))
        self._refresh()
        if len(cls.done) >= len(cls.crawlers) and cls._live is not None:
            if cls._task is not None and cls._task.running:
                cls._task.stop()
            cls._live.stop()
            cls._live = None
