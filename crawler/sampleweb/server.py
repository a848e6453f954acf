"""Loopback server of the sample portal network.

One ThreadingHTTPServer per site address (127.0.0.11 …, and 127.0.0.99 as "another domain"),
all on the same port. Report documents come from the committed files under site/; listing,
navigation and trap pages are rendered per request from truth.json, so ``delete`` can take a
report out of its listing. Every static response carries ETag and Last-Modified and answers
conditional requests with 304.
"""
from __future__ import annotations

import email.utils
import errno
import hashlib
import html
import json
import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import network as N
from .pages import NAV, Site, encode, page_html

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).resolve().parent / "site"
e = html.escape
CST = timezone(timedelta(hours=8))
BASE_TIME = datetime(2024, 4, 1, 9, 0, tzinfo=timezone.utc)

CONTENT_TYPES = {
    "html": "text/html", "pdf": "application/pdf", "pdf_scan": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword", "wps": "application/kswps", "xls": "application/vnd.ms-excel",
}
PER_PAGE = {"city": 8, "luoning": 5, "luolong": 4, "zsj": 3, "yiyang": 20}
WALL_COOKIE = "__jsl_clearance_s"


def norm_path(path_qs: str) -> str:
    """Path plus sorted query, so a URL matches however a client orders its parameters."""
    parts = urlsplit(path_qs)
    q = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + ("?" + urlencode(q) if q else "")


def http_date(dt: datetime) -> str:
    return email.utils.format_datetime(dt.astimezone(timezone.utc), usegmt=True)


def _pub_dt(published: str) -> datetime:
    return datetime.strptime(published, "%Y-%m-%d %H:%M").replace(tzinfo=CST)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] | None = None
    static: bool = True              # ETag/Last-Modified and 304 apply
    last_modified: datetime | None = None
    stream: Callable[[Any], None] | None = None  # writes the body itself (oversize)


class Model:
    """What the network serves: built from truth.json plus the live modifications."""

    def __init__(self, truth: dict, site_dir: Path, port: int = 0):
        self.truth = truth
        self.site_dir = site_dir
        self.port = port
        self.lock = threading.Lock()
        self.deleted: set[tuple[str, str]] = set()
        self.overlay: dict[tuple[str, str], tuple[bytes, datetime]] = {}
        self.generation = 0
        self.docs: dict[tuple[str, str], dict] = {}
        for d in truth["reports"]:
            self.docs[(d["host"], norm_path(d["path"]))] = d
        self.redirects: dict[tuple[str, str], tuple[str, str]] = {}
        for d in truth["reports"]:
            for v in d["via"]:
                self.redirects[(d["host"], norm_path(v["path"]))] = (v["kind"], d["path"])
        self.failures = {(N.SITE_BY_KEY[f["site"]].host, norm_path(f["path"])): f for f in truth["expected_failures"]}
        self.traps = {(N.SITE_BY_KEY[t["site"]].host, norm_path(t["path"])): t
                      for t in truth["traps"] if t["site"] in N.SITE_BY_KEY and t["path"].startswith("/")}
        self._bytes: dict[str, bytes] = {}

    # ---- listings -----------------------------------------------------------------------

    def list_items(self, site: Site) -> list[dict]:
        """Items of the site's report column, newest first: reports, redirect sources, failures, traps."""
        items = []
        for d in self.truth["reports"]:
            if d["site"] != site.key or (d["host"], norm_path(d["path"])) in self.deleted:
                continue
            if d["listed"]:
                items.append({"title": d["anchor"], "url": d["path"], "date": d["published"][:10]})
            for v in d["via"]:
                items.append({"title": d["anchor"], "url": v["path"], "date": d["published"][:10]})
        for f in self.truth["expected_failures"]:
            if f["site"] == site.key:
                items.append({"title": f["title"], "url": f["path"], "date": _date_in(f["path"])})
        for t in self.truth["traps"]:
            if t["site"] == site.key and t["path"].startswith("/") and _in_report_column(site, t["path"]):
                items.append({"title": t["title"], "url": t["path"], "date": _date_in(t["path"])})
        if site.key == "city":
            items.append({"title": "洛阳市各县区2023年政府信息公开工作年度报告汇总（省平台）",
                          "url": f"http://{N.OFFSITE_HOST}:{self.port}/ndbg/summary2023.html", "date": "2024-04-02"})
        items.sort(key=lambda x: (x["date"], x["url"]), reverse=True)
        return items

    def pages_of(self, site: Site) -> list[list[dict]]:
        items = self.list_items(site)
        n = PER_PAGE[site.key]
        return [items[i:i + n] for i in range(0, len(items), n)] or [[]]

    def listing_paths(self, site: Site) -> list[tuple[str, str]]:
        """(path, kind) of every listing URL of a site."""
        pages = self.pages_of(site)
        if site.cms == "trs":
            return [("/xxgk/ndbg/index.html" if i == 0 else f"/xxgk/ndbg/index_{i}.html", "trs-static-page")
                    for i in range(len(pages))]
        if site.cms == "hanweb":
            n = PER_PAGE[site.key]
            total = sum(len(p) for p in pages)
            out = [("/col/col1024/index.html", "hanweb-column")]
            for i in range(len(pages)):
                out.append((norm_path(f"/module/web/jpage/dataproxy.jsp?startrecord={i * n + 1}&endrecord="
                                      f"{min(total, (i + 1) * n)}&perpage={n}&columnid=1024&unitid=4561"),
                            "hanweb-dataproxy"))
            return out
        if site.cms == "jsonapi":
            return [("/xxgk/ndbg/index.html", "jsonapi-column")] + [
                (f"/api/list?channel=ndbg&page={i + 1}", "json-api") for i in range(len(pages))]
        if site.key == "zsj":
            return [("/zwgk/ndbg/index.html" if i == 0 else f"/zwgk/ndbg/index_{i + 1}.html", "plain")
                    for i in range(len(pages))]
        return [("/zfxxgk/ndbg/index.shtml", "plain")]

    # ---- dispatch -----------------------------------------------------------------------

    def handle(self, host: str, raw_path: str, method: str, headers: dict[str, str], body: bytes) -> Response:
        if host == N.OFFSITE_HOST:
            return self._offsite(raw_path)
        site = N.SITE_BY_HOST.get(host)
        if site is None:
            return Response(404, b"unknown host", {"Content-Type": "text/plain"}, static=False)
        key = norm_path(raw_path)
        path = urlsplit(raw_path).path
        query = dict(parse_qsl(urlsplit(raw_path).query, keep_blank_values=True))
        if method == "POST" and body:
            query.update(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        if path == "/robots.txt":
            return Response(200, N.ROBOTS[site.key].encode(), {"Content-Type": "text/plain"},
                            last_modified=BASE_TIME)
        with self.lock:
            if (host, key) in self.deleted:
                return self._not_found(site)
        if (host, key) in self.failures:
            return self._failure(site, self.failures[(host, key)], headers)
        if (host, key) in self.redirects:
            kind, target = self.redirects[(host, key)]
            return self._redirect(site, kind, target)
        if (host, key) in self.docs:
            return self._document(site, self.docs[(host, key)])
        if (host, key) in self.traps:
            return self._trap(site, self.traps[(host, key)])
        return self._page(site, path, query)

    def _document(self, site: Site, d: dict) -> Response:
        k = (d["host"], norm_path(d["path"]))
        with self.lock:
            over = self.overlay.get(k)
        if over:
            data, lm = over
        else:
            data = self._file(d["file"])
            lm = _pub_dt(d["published"])
        ct = CONTENT_TYPES[d["format"]]
        if d["format"] == "html":
            ct = f"text/html; charset={site.charset.upper()}" if site.cms == "trs" else "text/html"
        h = {"Content-Type": ct}
        if "downfile.jsp" in d["path"]:
            fname = d["path"].rsplit("filename=", 1)[-1]
            ext = fname.rsplit(".", 1)[-1]
            from urllib.parse import quote
            h = {"Content-Type": "application/octet-stream",
                 "Content-Disposition": f"attachment; filename={fname}; filename*=UTF-8''{quote(d['title'] + '.' + ext)}"}
        return Response(200, data, h, last_modified=lm)

    def _file(self, rel: str) -> bytes:
        b = self._bytes.get(rel)
        if b is None:
            b = (self.site_dir / rel).read_bytes()
            self._bytes[rel] = b
        return b

    def _html(self, site: Site, text: str, status: int = 200, static: bool = True) -> Response:
        ct = f"text/html; charset={site.charset.upper()}" if site.cms == "trs" else "text/html"
        return Response(status, encode(site, text), {"Content-Type": ct}, static=static,
                        last_modified=BASE_TIME + timedelta(days=self.generation))

    def _not_found(self, site: Site) -> Response:
        return self._html(site, page_html(site, "404 页面不存在", "<p>对不起，您访问的页面不存在或已删除。</p>"
                                          '<p><a href="/">返回首页</a></p>', content=False), 404, static=False)

    def _failure(self, site: Site, f: dict, headers: dict[str, str]) -> Response:
        if f["status"] == 404:
            return self._not_found(site)
        if f["status"] == 412:
            token = hashlib.sha1(f["path"].encode()).hexdigest()[:16]
            if f"{WALL_COOKIE}=ok-{token}" in headers.get("cookie", ""):
                return self._html(site, page_html(site, f["title"], "<p>（已通过验证）</p>"))
            script = (
                "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>"
                "<script>var _0x5c1f=['cookie','" + WALL_COOKIE + "=ok-'];(function(){var t='" + token + "';"
                "document[_0x5c1f[0]]=_0x5c1f[1]+t+';max-age=3600;path=/';location.href=location.pathname+location.search;})();"
                "</script></body></html>")
            return Response(412, script.encode(), {"Content-Type": "text/html",
                                                   "Set-Cookie": f"__jsluid_h={token[:8]}; max-age=31536000; path=/; HttpOnly"},
                            static=False)
        if f["reason"] == "oversize":
            size = f["content_length"]

            def stream(wfile: Any) -> None:
                head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
                wfile.write(head)
                left = size - len(head)
                chunk = b"\0" * 65536
                while left > 0:
                    n = min(left, len(chunk))
                    wfile.write(chunk[:n])
                    left -= n
            return Response(200, b"", {"Content-Type": "application/pdf", "Content-Length": str(size)},
                            static=False, stream=stream)
        # robots-disallowed: a real page; a polite crawler never sees it
        return self._html(site, page_html(site, f["title"], "<p>（robots.txt 禁止抓取的路径）</p>",
                                          published="2020-01-15 10:00"))

    def _redirect(self, site: Site, kind: str, target: str) -> Response:
        if kind in ("301", "302"):
            return Response(int(kind), b"", {"Location": target, "Content-Type": "text/html"}, static=False)
        body = (f'<html><head><meta http-equiv="refresh" content="0;url={e(target)}">'
                f'<title>页面跳转</title></head><body><p>页面跳转中，<a href="{e(target)}">点击这里</a>。</p></body></html>')
        return self._html(site, body)

    def _trap(self, site: Site, t: dict) -> Response:
        y = _date_in(t["path"])
        texts = {
            "通知": "各县（市、区）人民政府、市人民政府各部门：根据《中华人民共和国政府信息公开条例》规定，请各单位于2024年1月31日前"
                    "编制完成并公开本单位2023年政府信息公开工作年度报告，同时报送市政务公开办。联系人：张某，电话：0379-6xxxxxxx。",
            "指南": "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。一、主动公开：公开范围、公开形式、"
                    "公开时限。二、依申请公开：申请的提交、申请的处理、收费标准。三、监督方式。",
            "要点": "为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，结合实际，制定本要点。一、围绕稳定经济运行加强政务公开；"
                    "二、围绕优化营商环境加强政务公开；三、加强政务公开平台建设。",
        }
        text = next((v for k, v in texts.items() if k in t["title"]), "")
        return self._html(site, page_html(site, t["title"], f'<p style="text-indent:2em;">{e(text)}</p>',
                                          published=f"{y} 09:00", source=site.agency))

    def _offsite(self, raw_path: str) -> Response:
        body = ("<html><head><meta charset=\"utf-8\"><title>外部平台</title></head><body>"
                "<h1>外部平台</h1><p><a href=\"/ndbg/summary2022.html\">2022年政府信息公开工作年度报告汇总</a></p></body></html>")
        return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"}, static=False)

    # ---- navigation and listing pages ---------------------------------------------------

    def _page(self, site: Site, path: str, q: dict[str, str]) -> Response:
        if path in ("/", "/index.html", "/index.shtml"):
            return self._html(site, self._home(site))
        if path == "/xxgk/index.html":
            return self._html(site, self._xxgk(site))
        if path == "/css/style.css":
            return Response(200, b"body{font-family:SimSun}.list li span{float:right}", {"Content-Type": "text/css"},
                            last_modified=BASE_TIME)
        if path == "/module/web/jpage/jpage.js" and site.cms == "hanweb":
            return Response(200, b"(function($){$.fn.jpage=function(o){/* paging via dataproxy.jsp */};})(jQuery);",
                            {"Content-Type": "application/javascript"}, last_modified=BASE_TIME)
        if path == "/js/page.js":
            return Response(200, TRS_PAGE_JS.encode(), {"Content-Type": "application/javascript"}, last_modified=BASE_TIME)
        if path == "/calendar" and site.key == "city":
            return self._calendar(site, q.get("month", "202401"))
        for p, title in N.NEWS:
            if path == p:
                return self._html(site, page_html(site, title, f'<p style="text-indent:2em;">{e(title)}。（新闻正文）</p>',
                                                  published=f"{_date_in(p)} 10:00", source=site.name))
        if site.cms == "trs" and path.startswith("/xxgk/ndbg/index"):
            return self._trs_list(site, path)
        if site.cms == "hanweb":
            if path == "/col/col1024/index.html":
                return self._hanweb_column(site)
            if path == "/module/web/jpage/dataproxy.jsp":
                return self._hanweb_proxy(site, q)
        if site.cms == "jsonapi":
            if path == "/xxgk/ndbg/index.html":
                return self._json_column(site)
            if path == "/api/list":
                return self._json_api(site, q)
        if site.key == "zsj" and path.startswith("/zwgk/ndbg/index"):
            return self._plain_list(site, path)
        if site.key == "yiyang" and path == "/zfxxgk/ndbg/index.shtml":
            return self._plain_list(site, path)
        if path in {h for _, h in NAV} or path in ("/wza/index.html", "/english/index.html", "/xxgk/tzgg/index.html",
                                                     "/xxgk/fdzdgknr/index.html"):
            return self._html(site, self._column(site, path))
        return self._not_found(site)

    def _home(self, site: Site) -> str:
        news = "".join(f'<li><a href="{p}" target="_blank">{e(t)}</a><span>{_date_in(p)}</span></li>' for p, t in N.NEWS)
        extra = '<p><a href="/calendar?month=202401">活动日历</a></p>' if site.key == "city" else ""
        extra += (f'<p>相关平台：<a href="http://{N.OFFSITE_HOST}:{self.port}/">河南省政务公开平台</a></p>')
        body = (f'<div class="banner">{e(site.name)}欢迎您</div><div class="news"><h3>政务要闻</h3><ul>{news}</ul></div>'
                f'<div class="xxgk"><a href="/xxgk/index.html">政府信息公开</a></div>{extra}'
                '<div class="links"><a href="/zwfw/index.html">办事服务</a> <a href="/hdjl/index.html">领导信箱</a></div>')
        return page_html(site, site.name, body, content=False)

    def _xxgk(self, site: Site) -> str:
        from .build import list_path
        links = [("政府信息公开指南", self._trap_path(site, "指南") or "/xxgk/index.html"),
                 ("政府信息公开制度", "/xxgk/index.html"),
                 ("法定主动公开内容", "/xxgk/fdzdgknr/index.html"),
                 ("通知公告", "/xxgk/tzgg/index.html"),
                 ("政府信息公开年报", list_path(site)),
                 ("依申请公开", "/hdjl/index.html")]
        body = "<ul class=\"xxgk-nav\">" + "".join(f'<li><a href="{h}">{e(t)}</a></li>' for t, h in links) + "</ul>"
        return page_html(site, "政府信息公开", body, content=False,
                         breadcrumb=[("首页", "/"), ("政府信息公开", "/xxgk/index.html")])

    def _trap_path(self, site: Site, word: str) -> str | None:
        for t in self.truth["traps"]:
            if t["site"] == site.key and word in t["title"] and t["path"].startswith("/"):
                return t["path"]
        return None

    def _column(self, site: Site, path: str) -> str:
        items = []
        if path == "/xxgk/tzgg/index.html":
            p = self._trap_path(site, "通知")
            if p and not _in_report_column(site, p):
                items.append((p, "关于报送2023年政府信息公开工作年度报告的通知"))
        if path == "/xxgk/fdzdgknr/index.html":
            p = self._trap_path(site, "要点")
            if p and not _in_report_column(site, p):
                items.append((p, f"{site.name[:-4] if site.name.endswith('人民政府') else site.name}2024年政务公开工作要点"))
            items.append(("/xwzx/202402/t20240226_1103.html", "关于公开征求意见的公告"))
        title = next((t for t, h in NAV if h == path), "栏目")
        lis = "".join(f'<li><a href="{h}">{e(t)}</a></li>' for h, t in items) or "<li>暂无信息</li>"
        return page_html(site, title, f'<ul class="list">{lis}</ul>', content=False,
                         breadcrumb=[("首页", "/"), (title, path)])

    def _calendar(self, site: Site, month: str) -> Response:
        try:
            m = int(month)
        except ValueError:
            m = 202401
        y, mo = divmod(m, 100)
        nxt = (y + 1) * 100 + 1 if mo >= 12 else m + 1
        body = (f"<p>{y}年{mo}月 活动安排：暂无</p>"
                f'<p><a href="/calendar?month={nxt}">下一月</a> <a href="/calendar?month={nxt}&amp;view=week">周视图</a></p>')
        return self._html(site, page_html(site, f"活动日历 {y}年{mo}月", body, content=False), static=False)

    def _li(self, it: dict, rel_base: str | None = None) -> str:
        href = it["url"]
        if rel_base and href.startswith(rel_base):
            href = "./" + href[len(rel_base):]
        return (f'<li><a href="{e(href)}" target="_blank" title="{e(it["title"])}">{e(it["title"])}</a>'
                f'<span class="date">{it["date"]}</span></li>')

    def _trs_list(self, site: Site, path: str) -> Response:
        pages = self.pages_of(site)
        name = path.rsplit("/", 1)[-1]
        idx = 0 if name == "index.html" else int(name[len("index_"):-len(".html")]) if name[6:-5].isdigit() else -1
        if idx < 0 or idx >= len(pages):
            return self._not_found(site)
        lis = "".join(self._li(it, "/xxgk/ndbg/") for it in pages[idx])
        body = (f'<div class="column-title">政府信息公开年报</div><ul class="list">{lis}</ul>'
                f'<div class="page"><script type="text/javascript">createPageHTML({len(pages)}, {idx}, "index", "html");</script></div>')
        head = '<script type="text/javascript" src="/js/page.js"></script>\n'
        return self._html(site, page_html(site, "政府信息公开年报", body, content=False, extra_head=head,
                                          breadcrumb=[("首页", "/"), ("政府信息公开", "/xxgk/index.html"),
                                                      ("政府信息公开年报", "/xxgk/ndbg/index.html")]))

    def _hanweb_records(self, items: list[dict]) -> str:
        return "".join(f"<record><![CDATA[{self._li(it)}]]></record>" for it in items)

    def _hanweb_column(self, site: Site) -> Response:
        items = [it for p in self.pages_of(site) for it in p]
        n = PER_PAGE[site.key]
        total = len(items)
        first = self._hanweb_records(items[:n])
        body = (
            '<div class="column-title">政府信息公开年报</div><div id="4561">'
            '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1'
            '&webid=1&path=/&columnid=1024&unitid=4561&webname=%E6%B4%9B%E5%AE%81&permissiontype=0"></a>]]></nextgroup>'
            f'<recordset>{first}</recordset></datastore></script>'
            '<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
            f'<script>$(document).ready(function(){{$("#4561").jpage({{dataStore:dataStore,perPage:{n},totalRecord:{total},'
            'proxyUrl:"/module/web/jpage/dataproxy.jsp",groupSize:3,barPosition:"bottom",'
            'ajaxParam:{col:1,appid:1,webid:1,path:"/",columnid:1024,sourceContentType:1,unitid:4561,'
            'webname:"洛宁县人民政府",permissiontype:0}});});</script></div>')
        return self._html(site, page_html(site, "政府信息公开年报", body, content=False,
                                          breadcrumb=[("首页", "/"), ("政府信息公开", "/xxgk/index.html"),
                                                      ("政府信息公开年报", "/col/col1024/index.html")]))

    def _hanweb_proxy(self, site: Site, q: dict[str, str]) -> Response:
        items = [it for p in self.pages_of(site) for it in p]
        try:
            per = max(1, int(q.get("perpage", PER_PAGE[site.key])))
            start = max(1, int(q.get("startrecord", 1)))
            end = int(q.get("endrecord", start + per - 1))
        except ValueError:
            return Response(400, b"bad parameters", {"Content-Type": "text/plain"}, static=False)
        total = len(items)
        sel = items[start - 1:end]
        nxt = f"/module/web/jpage/dataproxy.jsp?startrecord={end + 1}&amp;endrecord={end + per}&amp;perpage={per}" \
            if end < total else ""
        xml = ('<?xml version="1.0" encoding="GBK"?>\n<datastore>'
               f'<nextgroup><![CDATA[{"<a href=" + chr(34) + nxt + chr(34) + "></a>" if nxt else ""}]]></nextgroup>'
               f'<recordset>{self._hanweb_records(sel)}</recordset>'
               f'<totalrecord>{total}</totalrecord><totalpage>{-(-total // per)}</totalpage></datastore>')
        return Response(200, xml.encode("gbk", errors="xmlcharrefreplace"), {"Content-Type": "text/xml;charset=GBK"},
                        last_modified=BASE_TIME + timedelta(days=self.generation))

    def _json_column(self, site: Site) -> Response:
        body = ('<div class="column-title">政府信息公开年报</div><ul id="list"></ul><div id="pager"></div>'
                '<script>var channel="ndbg";function load(p){fetch("/api/list?channel="+channel+"&page="+p)'
                '.then(function(r){return r.json()}).then(function(j){var h="";j.data.forEach(function(d){'
                'h+="<li><a href=\\""+d.url+"\\">"+d.title+"</a><span>"+d.date+"</span></li>"});'
                'document.getElementById("list").innerHTML=h;});}load(1);</script>')
        return self._html(site, page_html(site, "政府信息公开年报", body, content=False,
                                          breadcrumb=[("首页", "/"), ("政府信息公开", "/xxgk/index.html"),
                                                      ("政府信息公开年报", "/xxgk/ndbg/index.html")]))

    def _json_api(self, site: Site, q: dict[str, str]) -> Response:
        if q.get("channel") != "ndbg":
            data = {"code": 0, "total": 0, "pages": 0, "page": 1, "data": []}
        else:
            pages = self.pages_of(site)
            try:
                page = int(q.get("page", "1"))
            except ValueError:
                page = 1
            sel = pages[page - 1] if 1 <= page <= len(pages) else []
            data = {"code": 0, "total": sum(len(p) for p in pages), "pages": len(pages), "page": page,
                    "pageSize": PER_PAGE[site.key], "data": sel}
        return Response(200, json.dumps(data, ensure_ascii=False).encode(), {"Content-Type": "application/json"},
                        last_modified=BASE_TIME + timedelta(days=self.generation))

    def _plain_list(self, site: Site, path: str) -> Response:
        pages = self.pages_of(site)
        name = path.rsplit("/", 1)[-1]
        if site.key == "zsj":
            idx = 0 if name == "index.html" else (int(name[6:-5]) - 1 if name[6:-5].isdigit() else -1)
        else:
            idx = 0
        if idx < 0 or idx >= len(pages):
            return self._not_found(site)
        lis = "".join(self._li(it) for it in pages[idx])
        nav = ""
        if site.key == "zsj" and len(pages) > 1:
            if idx > 0:
                prev = "/zwgk/ndbg/index.html" if idx == 1 else f"/zwgk/ndbg/index_{idx}.html"
                nav += f'<a href="{prev}">上一页</a> '
            if idx + 1 < len(pages):
                nav += f'<a href="/zwgk/ndbg/index_{idx + 2}.html">下一页</a>'
        return self._html(site, page_html(site, "政府信息公开年报", f'<ul class="list">{lis}</ul><div class="page">{nav}</div>',
                                          content=False, breadcrumb=[("首页", "/"), ("政府信息公开年报", path)]))


def _date_in(path: str) -> str:
    import re

    m = re.search(r"(20\d\d)(\d\d)(\d\d)", path)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.search(r"/art/(20\d\d)/(\d+)/(\d+)/", path)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return "2024-01-01"


def _in_report_column(site: Site, path: str) -> bool:
    """Traps listed inside the report column itself (others sit in their own columns)."""
    return (site.key == "luoning" and "art_1024_" in path) or (site.key == "luolong" and "/xxgk/ndbg/" in path)


TRS_PAGE_JS = r"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("首页&nbsp;上一页&nbsp;");
  else {
    document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
    if(nCurrIndex == 1) document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">上一页</a>&nbsp;");
    else document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt + "\">上一页</a>&nbsp;");
  }
  if(nCurrIndex == _nPageCount - 1) document.write("下一页&nbsp;尾页");
  else {
    document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\">下一页</a>&nbsp;");
    document.write("<a href=\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\">尾页</a>");
  }
}
"""


def listing_pages(truth: dict) -> list[dict]:
    """Every listing URL of the network (site, path, kind), for recall and coverage tests."""
    model = Model(truth, SITE_DIR)
    out = []
    for s in N.SITES:
        for path, kind in model.listing_paths(s):
            out.append({"site": s.key, "path": path, "kind": kind})
    return out


class _Handler(BaseHTTPRequestHandler):
    server_version = "TRS_Web/6.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    net: "ServerCore"

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet; the request log records hits
        logger.debug("%s " + fmt, self.client_address[0], *args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        host = self.server.server_address[0]
        body = b""
        if method == "POST":
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
        hdrs = {k.lower(): v for k, v in self.headers.items()}
        try:
            resp = self.net.model.handle(host, self.path, method, hdrs, body)
        except Exception:  # a server bug must show as 500 in the log, not kill the thread silently
            logger.exception("sample server error on %s%s", host, self.path)
            resp = Response(500, b"internal error", {"Content-Type": "text/plain"}, static=False)
        status = resp.status
        headers = dict(resp.headers or {})
        if resp.static and status == 200:
            etag = '"' + hashlib.sha256(resp.body).hexdigest()[:24] + '"'
            lm = resp.last_modified or BASE_TIME
            headers["ETag"] = etag
            headers["Last-Modified"] = http_date(lm)
            if _not_modified(hdrs, etag, lm):
                status = 304
        self.net.log(host, self.path, method, status, hdrs)
        self.send_response(status)
        for k, v in headers.items():
            if k == "Content-Length":
                continue
            self.send_header(k, v)
        if status == 304:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if resp.stream is not None:
            self.send_header("Content-Length", headers["Content-Length"])
            self.end_headers()
            if method != "HEAD":
                try:
                    resp.stream(self.wfile)
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
                    logger.debug("client dropped the oversize stream (as it should)")
                self.close_connection = True
            return
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if method != "HEAD":
            try:
                self.wfile.write(resp.body)
            except (BrokenPipeError, ConnectionResetError):
                pass


def _not_modified(h: dict[str, str], etag: str, lm: datetime) -> bool:
    inm = h.get("if-none-match")
    if inm is not None:
        return inm.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]
    ims = h.get("if-modified-since")
    if ims:
        try:
            t = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return lm.replace(microsecond=0) <= t
    return False


class ServerCore:
    """The servers on every address, sharing one port, one model and one request log."""

    def __init__(self, model: Model, hosts: list[str], port: int = 0, retries: int = 30):
        self.model = model
        self._log: list[dict] = []
        self._log_lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"net": self})
        self.servers: list[ThreadingHTTPServer] = []
        last: OSError | None = None
        for _ in range(retries):
            servers: list[ThreadingHTTPServer] = []
            try:
                first = ThreadingHTTPServer((hosts[0], port), handler)
                servers.append(first)
                p = first.server_address[1]
                for h in hosts[1:]:
                    servers.append(ThreadingHTTPServer((h, p), handler))
                self.servers = servers
                break
            except OSError as exc:
                for s in servers:
                    s.server_close()
                if exc.errno != errno.EADDRINUSE or port:
                    raise
                last = exc
        else:
            raise OSError(f"no free common port on {hosts}: {last}")
        for s in self.servers:
            s.daemon_threads = True
        self.port = self.servers[0].server_address[1]
        model.port = self.port
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for s in self.servers:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                                 name=f"sampleweb-{s.server_address[0]}")
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def close(self) -> None:
        for s in self.servers:
            s.server_close()

    def log(self, host: str, path: str, method: str, status: int, headers: dict[str, str]) -> None:
        with self._log_lock:
            self._log.append({"host": host, "path": path, "method": method, "status": status,
                              "headers": headers, "time": time.time()})

    def requests(self) -> list[dict]:
        with self._log_lock:
            return list(self._log)


class LoopbackNetwork:
    """Lifecycle of a network served by a ServerCore in ``self._core``: start, stop, ``with``."""

    _core: ServerCore
    _started: bool = False
    port: int
    label = "network"

    def start(self) -> Self:
        if not self._started:
            self._core.start()
            self._started = True
            logger.info("%s on port %d", self.label, self.port)
        return self

    def stop(self) -> None:
        """Stop serving and release the sockets (also for a network never started)."""
        if self._started:
            self._core.stop()
            self._started = False
        else:
            self._core.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def requests(self) -> list[dict]:
        return self._core.requests()


def wait_for_signal() -> None:
    """Block until SIGTERM or SIGINT (``python -m … serve``)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
