"""Anti-bot walls: HTTP 412 (and challenge pages) are recorded, not retried forever.

Many Chinese government portals sit behind a WAF that answers 412 Precondition Failed with a
JavaScript cookie challenge. A crawler cannot pass it politely, so the fetch is recorded with
reason ``antibot_wall``; after ``NIANBAO_WALL_LIMIT`` walls on one host the remaining requests
to that host are not sent at all (recorded as ``antibot_wall`` too).
"""
from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)

WALL_STATUSES = frozenset({412})
# markers of JS challenge pages served with status 200 (kept short and specific)
_CHALLENGE_MARKERS = (b"__jsl_clearance", b"_waf_bd8ce2ce37", b"document.cookie=('__jsl")


class AntiBotWall(IgnoreRequest):
    """Raised instead of sending a request to a host that keeps answering with a wall."""


def is_wall(response: Response) -> bool:
    if response.status in WALL_STATUSES:
        return True
    head = response.body[:4096]
    return response.status == 200 and any(m in head for m in _CHALLENGE_MARKERS)


class AntiBotWallMiddleware:
    def __init__(self, limit: int, stats) -> None:
        self.limit = limit
        self.stats = stats
        self.walls: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AntiBotWallMiddleware":
        return cls(crawler.settings.getint("NIANBAO_WALL_LIMIT", 25), crawler.stats)

    def process_request(self, request: Request) -> None:
        if not self.walls:
            return None
        host = urlsplit(request.url).hostname or ""
        if self.limit and self.walls[host] >= self.limit:
            raise AntiBotWall(f"antibot wall on {host}: {self.walls[host]} walls, host skipped")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if is_wall(response):
            host = urlsplit(request.url).hostname or ""
            self.walls[host] += 1
            self.stats.inc_value("nianbao/antibot_wall")
            request.meta["nianbao_reason"] = "antibot_wall"
            logger.info("anti-bot wall (%s) at %s", response.status, request.url)
        return response
