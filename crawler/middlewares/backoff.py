"""Exponential backoff between retries (Scrapy's RetryMiddleware re-queues at once)."""
from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RetryBackoffMiddleware:
    """Delays a retried request by base * 2**(n-1) seconds (capped), n = its retry count."""

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RetryBackoffMiddleware":
        s = crawler.settings
        return cls(s.getfloat("NIANBAO_RETRY_BACKOFF_BASE", 1.0), s.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 60.0))

    async def process_request(self, request: Request) -> None:
        n = int(request.meta.get("retry_times", 0))
        if n > 0 and self.base > 0 and not request.meta.get("_nb_backed_off") == n:
            delay = min(self.cap, self.base * 2 ** (n - 1))
            request.meta["_nb_backed_off"] = n
            logger.debug("retry %d of %s in %.1fs", n, request.url, delay)
            await asyncio.sleep(delay)
        return None
