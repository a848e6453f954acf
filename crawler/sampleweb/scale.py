"""Scaled-up network for the crawl benchmark: N sites × M pages, generated in memory.

Each site on 127.0.1.<i> has a home page, a paginated plain-link listing (20 per page, 下一页)
and article pages, one in ten of them a short annual report with a section-4 table. Pages are
cheap HTML built on first request; every URL is also available as a flat list for a bare
Scrapy baseline that fetches the same pages without discovery or archiving.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from .server import Response

logger = logging.getLogger(__name__)

PER_LIST = 20
BASE_TIME = datetime(2024, 4, 1, 9, 0, tzinfo=timezone.utc)


class ScaledModel:
    def __init__(self, sites: int = 20, pages_per_site: int = 250):
        if sites < 1 or sites > 250:
            raise ValueError("sites must be 1..250")
        self.n_sites = sites
        self.pages_per_site = max(pages_per_site, 3)
        self.hosts = [f"127.0.1.{i + 1}" for i in range(sites)]
        # per site: home + list pages + articles = pages_per_site
        self.n_articles = self.pages_per_site - 1 - self._n_lists(self.pages_per_site)
        self.deleted: set = set()
        self.port = 0
        self._cache: dict[tuple[str, str], bytes] = {}

    @staticmethod
    def _n_lists(total: int) -> int:
        # smallest L with L*PER_LIST >= total - 1 - L
        lists = 1
        while lists * PER_LIST < total - 1 - lists:
            lists += 1
        return lists

    def site_name(self, i: int) -> str:
        return f"bench-site-{i + 1:02d}"

    def is_report(self, k: int) -> bool:
        return k % 10 == 3

    def paths(self) -> list[str]:
        lists = -(-self.n_articles // PER_LIST)
        return ["/"] + [("/list/index.html" if j == 0 else f"/list/index_{j}.html") for j in range(lists)] + \
            [f"/art/{k}.html" for k in range(self.n_articles)]

    def url_list(self, port: int) -> list[str]:
        return [f"http://{h}:{port}{p}" for h in self.hosts for p in self.paths()]

    def base_url(self, site: str, port: int) -> str:
        i = int(site.rsplit("-", 1)[-1]) - 1 if site.startswith("bench-site-") else self.hosts.index(site)
        return f"http://{self.hosts[i]}:{port}"

    def portals(self, port: int) -> list[dict]:
        return [{"name": self.site_name(i), "start_urls": [f"http://{h}:{port}/"], "allowed_domains": [h],
                 "agency": f"测试县{i + 1}人民政府办公室", "region_code": None, "cms": "generic"}
                for i, h in enumerate(self.hosts)]

    def truth(self) -> dict:
        reports = [{"site": self.site_name(i), "host": h, "path": f"/art/{k}.html", "format": "html"}
                   for i, h in enumerate(self.hosts) for k in range(self.n_articles) if self.is_report(k)]
        return {"schema": 1, "scaled": True, "sites": [{"key": self.site_name(i), "host": h} for i, h in enumerate(self.hosts)],
                "pages_total": len(self.hosts) * len(self.paths()), "reports": reports,
                "traps": [], "expected_failures": []}

    def handle(self, host: str, raw_path: str, method: str, headers: dict[str, str], body: bytes) -> Response:
        path = urlsplit(raw_path).path
        if host not in self.hosts:
            return Response(404, b"unknown host", {"Content-Type": "text/plain"}, static=False)
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"}, last_modified=BASE_TIME)
        key = (host, path)
        data = self._cache.get(key)
        if data is None:
            data = self._render(self.hosts.index(host), path)
            if data is None:
                return Response(404, b"<html><body>404</body></html>", {"Content-Type": "text/html"}, static=False)
            self._cache[key] = data
        return Response(200, data, {"Content-Type": "text/html; charset=utf-8"}, last_modified=BASE_TIME)

    def _render(self, i: int, path: str) -> bytes | None:
        name = f"测试县{i + 1}人民政府"
        lists = -(-self.n_articles // PER_LIST)
        if path in ("/", "/index.html"):
            body = f'<h1>{name}</h1><ul><li><a href="/list/index.html">政府信息公开年报</a></li></ul>'
        elif path.startswith("/list/index"):
            stem = path.rsplit("/", 1)[-1][len("index"):-len(".html")]
            j = 0 if stem == "" else int(stem[1:]) if stem[1:].isdigit() else -1
            if not 0 <= j < lists:
                return None
            ks = range(j * PER_LIST, min(self.n_articles, (j + 1) * PER_LIST))
            items = "".join(f'<li><a href="/art/{k}.html">{self._title(i, k)}</a><span>2024-0{1 + k % 3}-1{k % 9}</span></li>'
                            for k in ks)
            nxt = f'<a href="/list/index_{j + 1}.html">下一页</a>' if j + 1 < lists else ""
            body = f'<h1>政府信息公开年报</h1><ul class="list">{items}</ul><div class="page">{nxt}</div>'
        elif path.startswith("/art/") and path.endswith(".html") and path[5:-5].isdigit():
            k = int(path[5:-5])
            if k >= self.n_articles:
                return None
            body = f'<h1>{self._title(i, k)}</h1><div class="TRS_Editor">{self._article(i, k)}</div>'
        else:
            return None
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head>'
                f'<body><div class="nav"><a href="/">首页</a></div>{body}</body></html>')
        return html.encode("utf-8")

    def _title(self, i: int, k: int) -> str:
        if self.is_report(k):
            return f"测试县{i + 1}第{k}局{2014 + k % 10}年政府信息公开工作年度报告"
        return f"测试县{i + 1}工作动态第{k}期"

    def _article(self, i: int, k: int) -> str:
        h = hashlib.sha1(f"{i}/{k}".encode()).hexdigest()
        text = "".join(f"<p>第{n}段：{h[n:n + 12]}政务公开工作稳步推进，信息发布及时准确。</p>" for n in range(6))
        if self.is_report(k):
            nums = [int(c, 16) % 5 for c in h[:4]]
            cells = "".join(f"<td>{v}</td>" for v in nums + [sum(nums)])
            text += ("<p>四、政府信息公开行政复议、行政诉讼情况</p><table border=\"1\"><tr><td>结果维持</td><td>结果纠正</td>"
                     f"<td>其他结果</td><td>尚未审结</td><td>总计</td></tr><tr>{cells}</tr></table>")
        return text

    @property
    def lock(self) -> Any:  # parity with Model for SampleNetwork helpers
        import threading
        return threading.Lock()
