"""What the wild network answers: the rendered routes of every site plus its dynamic parts.

Plugs into the first network's loopback server (``crawler.sampleweb.server.ServerCore``),
which owns sockets, the request log, ETag/Last-Modified and 304s.
"""
from __future__ import annotations

import html
import logging
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.sampleweb.server import Response, norm_path

from . import paging as P
from . import traps as TR
from .plan import OFFSITE_HOST, NetworkPlan
from .render import SiteRenderer

logger = logging.getLogger(__name__)

e = html.escape


class WildModel:
    def __init__(self, plan: NetworkPlan):
        self.plan = plan
        self.port = 0                   # set by ServerCore once the sockets are bound
        self.lock = threading.Lock()
        self.by_host = {s.host: s for s in plan.sites}
        self.renderers: dict[str, SiteRenderer] = {}

    @property
    def hosts(self) -> list[str]:
        return [s.host for s in self.plan.sites] + [OFFSITE_HOST]

    def build(self) -> None:
        """Render every site for the bound port (absolute links, sitemaps and robots name it)."""
        files: dict[str, bytes] = {}
        self.renderers = {}
        for s in self.plan.sites:
            r = SiteRenderer(s, self.port, files)
            r.render()
            self.renderers[s.host] = r

    def handle(self, host: str, raw_path: str, method: str, headers: dict[str, str], body: bytes) -> Response:
        if host == OFFSITE_HOST:
            return self._offsite(raw_path)
        site = self.by_host.get(host)
        r = self.renderers.get(host)
        if site is None or r is None:
            return Response(404, b"unknown host", {"Content-Type": "text/plain"}, static=False)
        parts = urlsplit(raw_path)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if method == "POST" and body:
            query.update(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        for trap in site.traps:
            tp = TR.respond(trap, path, query, raw_path)
            if tp is not None:
                if tp.location:
                    return Response(tp.status, b"", {"Location": tp.location, "Content-Type": "text/html"}, static=False)
                return r.html(r.page(tp.title, tp.body, crumbs=[("首页", "/"), (tp.title, "")]), static=False)
        resp = r.routes.get(norm_path(raw_path))
        if resp is not None:
            return resp
        return self._dynamic(r, path, query) or r.not_found()

    def _dynamic(self, r: SiteRenderer, path: str, q: dict[str, str]) -> Response | None:
        s = r.s
        if path == "/module/web/jpage/dataproxy.jsp" and s.scheme == "hanweb_proxy":
            lst = next((x for x in s.listings if str(x.col) == q.get("columnid")), None)
            try:
                start, end = int(q.get("startrecord", "1")), int(q.get("endrecord", "0"))
            except ValueError:
                return Response(400, b"bad parameters", {"Content-Type": "text/plain"}, static=False)
            if lst is None or start < 1 or end < start:
                return Response(200, P.hanweb_proxy_xml("", 0, 1, s.encoding.charset), {"Content-Type": "text/xml"},
                                static=False)
            return r.hanweb_proxy(lst, start, min(end, start + 200))
        if s.scheme == "json_api":
            for lst in s.listings:
                a = lst.api
                if path == a["path"] and all(q.get(k) == v for k, v in a["params"].items()):
                    try:
                        k = int(q.get(a["page_param"], "1"))
                    except ValueError:
                        k = 1
                    return Response(200, r.json_records(lst, k), {"Content-Type": "application/json;charset=UTF-8"})
        if path == "/link.jsp" and q.get("url", "").startswith("http"):
            return Response(302, b"", {"Location": q["url"], "Content-Type": "text/html"}, static=False)
        if path == "/wailian.html" and q.get("url", "").startswith("http"):
            u = e(q["url"])
            text = (f'<html><head>{s.encoding.meta_tag()}<meta http-equiv="refresh" content="3;url={u}"><title>即将离开本站</title>'
                    f'</head><body><p>您即将离开本站，前往：{u}</p><p><a href="{u}">继续访问</a></p></body></html>')
            return r.html(text, static=False)
        if path == "/pdfjs/web/viewer.html":
            return r.routes.get("/pdfjs/web/viewer.html")
        if s.scheme in P.QUERY_SCHEMES:   # a page number past the last: an empty page, as list scripts do
            for lst in s.listings:
                script, params = lst.addr.script, lst.addr.params or {}
                if path == script and all(q.get(k) == v for k, v in params.items()) and s.scheme in q:
                    body = f'<div class="column-title">{e(lst.name)}</div><ul class="list"><li>暂无信息</li></ul>'
                    return r.html(r.page(lst.name, body, column=lst.name, crumbs=r.crumbs(lst)), static=False)
        return None

    def _offsite(self, raw_path: str) -> Response:
        nxt = "/more/" + urlencode({"from": raw_path[:40]})
        body = ('<html><head><meta charset="utf-8"><title>外部平台</title></head><body><h1>外部平台</h1>'
                f'<p><a href="{e(nxt)}">2023年政府信息公开工作年度报告汇总</a></p></body></html>')
        return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"}, static=False)
