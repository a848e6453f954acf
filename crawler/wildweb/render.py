"""Render one planned site to responses: every page, listing, document, hop, sitemap.

The result is a table ``{norm_path: Response}`` of everything static (ETag/Last-Modified/304
apply) plus the site's dynamic parts (list APIs, the Hanweb proxy, traps, redirect helpers),
which model.py answers per request. HTML report pages are rendered from their content with
the first network's report renderer inside this site's chrome and encoding; attachments are
the first network's files, byte for byte.
"""
from __future__ import annotations

import copy
import datetime as dt
import html
import logging
import posixpath
import zlib
from urllib.parse import quote, urlencode, urlsplit

from crawler.sampleweb.render_html import report_content
from crawler.sampleweb.server import BASE_TIME, CST, SITE_DIR, TRS_PAGE_JS, Response, norm_path

from . import idioms as I
from . import paging as P
from . import sitemaps as S
from .families import Chrome
from .plan import OFFSITE_HOST, Doc, Entry, Link, Listing, SitePlan, first_content

logger = logging.getLogger(__name__)

e = html.escape

CONTENT_TYPES = {
    "pdf": "application/pdf", "pdf_scan": "application/pdf", "doc": "application/msword", "wps": "application/kswps",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "xls": "application/vnd.ms-excel",
}
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def relative(page: str, target: str) -> str:
    """``target`` written relative to the page at ``page`` (both root paths, queries kept)."""
    t = urlsplit(target)
    base = posixpath.dirname(urlsplit(page).path) or "/"
    rel = posixpath.relpath(t.path, base)
    if t.path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if not rel.startswith("."):
        rel = "./" + rel
    return rel + ("?" + t.query if t.query else "")


def _pub_dt(published: str) -> dt.datetime:
    return dt.datetime.strptime(published, "%Y-%m-%d %H:%M").replace(tzinfo=CST)


class SiteRenderer:
    def __init__(self, site: SitePlan, port: int, files: dict[str, bytes]):
        self.s = site
        self.port = port
        self.base = f"http://{site.host}:{port}"
        self.offsite = f"http://{OFFSITE_HOST}:{port}"
        self.files = files                      # shared cache of the first network's file bytes
        self.routes: dict[str, Response] = {}
        self.docs = {d.id: d for d in site.docs}
        self.chrome = self._chrome()

    # -- helpers ---------------------------------------------------------------------------
    def url(self, target: str, page: str, form: str | None = None) -> str:
        """How this site writes a link to ``target`` on ``page``."""
        if target.startswith("http"):
            return target
        f = form or self.s.url_form
        if f == "absolute":
            return self.base + target
        if f == "relative":
            return relative(page, target)
        return target

    def off(self, path: str) -> str:
        return self.offsite + path

    def html(self, text: str, status: int = 200, static: bool = True, lm: dt.datetime | None = None) -> Response:
        enc = self.s.encoding
        return Response(status, enc.encode(text), {"Content-Type": enc.content_type()}, static=static,
                        last_modified=lm or BASE_TIME)

    def put(self, path: str, resp: Response) -> None:
        self.routes.setdefault(norm_path(path), resp)

    def link_markup(self, link: Link, page: str, cls: str | None = None) -> str:
        u = self.url(link.target, page)
        idiom = link.idiom if link.idiom in I.INLINE else "href"
        return I.inline_link(idiom, link.form if idiom == link.idiom else "plain", u, link.text, title=link.title, cls=cls)

    def _chrome(self) -> Chrome:
        s = self.s
        hub = s.hub_link
        nav = [("首页", '<a href="/">首页</a>'),
               ("政务要闻", f'<a href="{self.news_column()}">政务要闻</a>')]
        if hub.idiom != "area":
            nav.append(("政府信息公开", I.inline_link(hub.idiom, hub.form, hub.target, hub.text)))
        nav += [("政务服务", '<a href="/zwfw/index.html">政务服务</a>'), ("互动交流", '<a href="/hdjl/index.html">互动交流</a>')]
        website_report = next(d for d in s.decoys if d.kind == "website_report")
        footer = ['<a href="http://www.gov.cn/" target="_blank">中国政府网</a>',
                  '<a href="https://www.henan.gov.cn/" target="_blank">河南省人民政府</a>',
                  f'<a href="{e(website_report.path)}">政府网站工作年度报表</a>',
                  '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=' + self.site_code() + '" target="_blank">'
                  "我为政府网站找错</a>", '<a href="/wzdt/index.html">网站地图</a>']
        return Chrome(s.family, s.encoding, s.name, s.agency if s.kind == "dept" else f"{s.name}办公室",
                      self.site_code(), nav, footer, f"豫ICP备{10000000 + s.index * 1234567 % 9000000}号")

    def site_code(self) -> str:
        return f"{self.s.region.code}{self.s.index:04d}"

    def news_column(self) -> str:
        return f"{self.s.family.column_dir(1301, 'xwzx')}index{self.s.family.ext}"

    def page(self, title: str, body: str, **kw) -> str:
        if self.s.family.key == "aspnet" and kw.get("article"):   # article pages post back; listings never nest forms
            kw["post_back"] = "./Default.aspx"
        return self.chrome.page(title, body, **kw)

    # -- everything --------------------------------------------------------------------------
    def render(self) -> dict[str, Response]:
        self.home()
        self.hub()
        self.columns()
        self.listings()
        self.documents()
        self.misc()
        self.sitemap_and_robots()
        return self.routes

    def home(self) -> None:
        s = self.s
        parts = []
        if s.hub_link.idiom == "area":
            parts.append(I.area_group("homeMap", [(self.url(s.hub_link.target, "/"), "政府信息公开"),
                                                  (self.news_column(), "政务要闻")], "/images/banner_home.jpg"))
        news = "".join(f'<li><a href="{self.url(p, "/")}" target="_blank">{e(t)}</a><span>{d}</span></li>'
                       for p, t, d in s.news)
        parts.append(f'<div class="news"><h3>政务要闻<a class="more" href="{self.news_column()}">更多&gt;&gt;</a></h3>'
                     f"<ul>{news}</ul></div>")
        if s.hub_link.idiom != "area":
            parts.append(f'<div class="xxgk-entry"><h3>{self.link_markup(s.hub_link, "/")}</h3>'
                         "<p>政府信息公开指南 · 法定主动公开内容 · 依申请公开 · 政府信息公开年报</p></div>")
        traps = [self.link_markup(lk, "/") for where, lk in s.trap_links if where == "home"]
        if traps:
            parts.append('<div class="quick">' + " ".join(traps) + "</div>")
        parts.append(self.offsite_block())
        body = f'<div class="banner"><img src="/images/banner.jpg" alt="{e(s.name)}"></div>' + "".join(parts)
        text = self.page(s.name, body, extra_head=I.SITE_SCRIPT)
        self.put("/", self.html(text))
        self.put("/index" + s.family.ext, self.html(text))

    def offsite_block(self) -> str:
        out = []
        for where, lk in self.s.offsite:
            if where != "home":
                continue
            target = self.off(lk.target)
            if lk.idiom == "option":
                out.append(I.option_group(lk.form, [("http://www.gov.cn/", "中国政府网"), (target, lk.text)], "友情链接"))
            elif lk.idiom == "iframe":
                out.append(f'<div class="weather"><iframe src="{e(target)}" width="300" height="28" frameborder="0" '
                           'scrolling="no" allowtransparency="true"></iframe></div>')
            elif lk.idiom == "area":
                out.append(I.area_group("linkMap", [(target, lk.text)], "/images/banner_links.jpg"))
            elif lk.idiom == "redirect":
                out.append(f'<a href="/link.jsp?{e(urlencode({"url": target}))}" target="_blank">{e(lk.text)}（外链）</a>')
            elif lk.idiom == "meta_refresh":
                out.append(f'<a href="/wailian.html?{e(urlencode({"url": target}))}" target="_blank">{e(lk.text)}</a>')
            else:
                out.append(I.inline_link(lk.idiom, lk.form, target, lk.text))
        return '<div class="links"><h3>相关链接</h3>' + " ".join(out) + "</div>"

    def hub(self) -> None:
        s, f = self.s, self.s.family
        hub = f.hub()
        guide = next(d for d in s.decoys if d.kind == "guide")
        cols = [("政府信息公开指南", guide.path), ("政府信息公开制度", "/xxgk/zd.html")]
        cols += [(c.name, c.path) for c in s.columns]
        cl = s.column_link
        block = []
        if cl.idiom == "option":
            block.append(I.option_group(cl.form, [(self.url(p, hub), t) for t, p in cols] +
                                        [(self.url(cl.target, hub), cl.text)], "栏目导航"))
            items = cols
        elif cl.idiom == "area":
            block.append(I.area_group("xxgkMap", [(self.url(cl.target, hub), cl.text)], "/images/xxgk_nb.jpg"))
            items = cols
        else:
            items = cols
        lis = "".join(f'<li><a href="{self.url(p, hub)}">{e(t)}</a></li>' for t, p in items)
        if cl.idiom in I.INLINE:
            lis += f"<li>{self.link_markup(cl, hub)}</li>"
        lis += '<li><a href="/hdjl/index.html">依申请公开</a></li>'
        lis += "".join(f"<li>{self.link_markup(lk, hub)}</li>" for where, lk in s.trap_links if where == "hub")
        body = f'<div class="xxgk-nav"><h2>政府信息公开</h2><ul>{lis}</ul>{"".join(block)}</div>'
        self.put(hub, self.html(self.page("政府信息公开", body, column="政府信息公开", extra_head=I.SITE_SCRIPT,
                                          crumbs=[("首页", "/"), ("政府信息公开", "")])))

    def columns(self) -> None:
        """Ordinary hub columns, the 年报 column page of sub-columns, news and service pages."""
        s, f = self.s, self.s.family
        crumbs = [("首页", "/"), ("政府信息公开", f.hub())]
        for c in s.columns:
            lis = "".join(f'<li><a href="{self.url(lk.target, c.path)}">{e(lk.text)}</a></li>' for lk in c.links) or "<li>暂无信息</li>"
            self.put(c.path, self.html(self.page(c.name, f'<ul class="list">{lis}</ul>', column=c.name,
                                                 crumbs=crumbs + [(c.name, "")])))
        if s.column_mode != "flat":
            idiom, form = s.sub_idiom
            links = [(self.url(lst.entry.target, s.column_path), lst.name) for lst in s.listings]
            if idiom == "option":
                block = I.option_group(form, links, "请选择" + ("年度" if s.column_mode == "years" else "类别"))
            elif idiom == "area":
                block = I.area_group("nbMap", links, "/images/nb_columns.jpg")
            else:
                block = '<ul class="sub-columns">' + "".join(
                    f"<li>{I.inline_link(idiom, form, u, t)}</li>" for u, t in links) + "</ul>"
            self.put(s.column_path, self.html(self.page("政府信息公开年报", f'<h2>政府信息公开年报</h2>{block}',
                                                        column="政府信息公开年报", extra_head=I.SITE_SCRIPT,
                                                        crumbs=crumbs + [("政府信息公开年报", "")])))
        news = "".join(f'<li><a href="{self.url(p, self.news_column())}">{e(t)}</a><span>{d}</span></li>' for p, t, d in s.news)
        self.put(self.news_column(), self.html(self.page("政务要闻", f'<ul class="list">{news}</ul>', column="政务要闻",
                                                         crumbs=[("首页", "/"), ("政务要闻", "")])))
        for p, t, d in s.news:
            self.put(p, self.html(self.page(t, f'<p style="text-indent:2em;">{e(t)}。（新闻正文）</p>', article=True,
                                            published=f"{d} 10:00", source=s.name,
                                            crumbs=[("首页", "/"), ("政务要闻", self.news_column()), ("正文", "")])))
        for p, t in (("/zwfw/index.html", "政务服务"), ("/hdjl/index.html", "互动交流"), ("/xxgk/zd.html", "政府信息公开制度"),
                     ("/wzdt/index.html", "网站地图"), ("/wza/index.html", "无障碍浏览")):
            body = f'<ul class="list"><li><a href="/">返回首页</a></li><li><a href="{f.hub()}">政府信息公开</a></li></ul>'
            self.put(p, self.html(self.page(t, body, column=t, crumbs=[("首页", "/"), (t, "")])))

    # -- listings -----------------------------------------------------------------------------
    def listings(self) -> None:
        for lst in self.s.listings:
            self.shell(lst)
            if self.s.scheme == "json_api":
                self.json_column(lst)
            elif self.s.scheme == "hanweb_proxy":
                self.hanweb_column(lst)
            else:
                self.static_listing(lst)

    def crumbs(self, lst: Listing) -> list[tuple[str, str]]:
        s = self.s
        c = [("首页", "/"), ("政府信息公开", s.family.hub()), ("政府信息公开年报", s.column_path)]
        return c + ([(lst.name, "")] if s.column_mode != "flat" else [])

    def shell(self, lst: Listing) -> None:
        s = self.s
        if not lst.shell:
            return
        first = lst.first()
        if s.shell == "redirect":
            self.routes[norm_path(lst.shell)] = Response(302, b"", {"Location": first, "Content-Type": "text/html"}, static=False)
            return
        if s.shell == "iframe":
            body = (f'<div class="column-title">{e(lst.name)}</div><iframe id="listFrame" name="listFrame" '
                    f'src="{e(self.url(first, lst.shell))}" width="100%" height="900" frameborder="0" scrolling="no"></iframe>')
            text = self.page(lst.name, body, column=lst.name, crumbs=self.crumbs(lst))
        elif s.shell == "frameset":
            text = (f"<html><head>{s.encoding.meta_tag()}<title>{e(lst.name)}</title></head>"
                    f'<frameset rows="130,*" frameborder="no" border="0"><frame src="/top.html" name="top" scrolling="no">'
                    f'<frame src="{e(self.url(first, lst.shell))}" name="main"></frameset></html>')
        else:
            text = (f'<html><head>{s.encoding.meta_tag()}<meta http-equiv="refresh" content="0; url={e(self.url(first, lst.shell))}">'
                    f"<title>{e(lst.name)}</title></head><body><p>页面跳转中……</p></body></html>")
        self.put(lst.shell, self.html(text))

    def row_target(self, entry: Entry, page: str) -> str:
        if entry.kind == "offsite":
            return self.off(entry.link.target)
        return self.url(entry.link.target, page)

    def rows_html(self, rows: list[Entry], page: str) -> str:
        s = self.s
        inline, groups = [], {"option": [], "area": []}
        for en in rows:
            u = self.row_target(en, page)
            if en.link.idiom in groups:
                groups[en.link.idiom].append((u, en.link.text, en.link.form))
                continue
            inline.append(I.list_item(s.layout, en.link.idiom, en.link.form, u, en.link.text, en.date, title=en.link.title))
        out = ""
        if groups["option"]:
            out += I.option_group(groups["option"][0][2], [(u, t) for u, t, _ in groups["option"]], "快速查看")
        if groups["area"]:
            out += I.area_group(f"map{zlib.crc32(page.encode()) % 1000}", [(u, t) for u, t, _ in groups["area"]])
        return out + I.wrap_list(s.layout, inline)

    def script_rows(self, rows: list[Entry], page: str) -> str:
        recs = []
        for en in rows:
            u = self.row_target(en, page)
            recs.append({"title": en.link.title or en.link.text, "url": u, "date": en.date})
        return I.script_records(self.s.container_form, recs)

    def static_listing(self, lst: Listing) -> None:
        s = self.s
        pages = lst.pages(s.per_page)
        n = len(pages)
        for k, rows in enumerate(pages, 1):
            path = lst.addr.url(k)
            body = self.script_rows(rows, path) if s.container == "script_literal" else self.rows_html(rows, path)
            pager, head = P.pager_html(lst.addr, s.pager, s.pager_idiom, s.pager_form, k, n, path)
            text = self.page(lst.name, f'<div class="column-title">{e(lst.name)}</div>{body}{pager}', column=lst.name,
                             crumbs=self.crumbs(lst), extra_head=head + I.SITE_SCRIPT)
            self.put(path, self.html(text))
            if s.scheme in P.QUERY_SCHEMES and k == 1:
                self.put(f"{path}&{s.scheme}=1", self.html(text))
            if s.scheme in P.STATIC_SCHEMES and k == 1 and lst.shell != lst.addr.directory:
                self.put(lst.addr.directory, self.html(text))

    def json_column(self, lst: Listing) -> None:
        a = lst.api
        page = lst.first()
        body = f'<div class="column-title">{e(lst.name)}</div>' + P.json_caller(
            a["caller"], a["path"], a["params"], a["page_param"], a["shape"], self.s.per_page)
        self.put(page, self.html(self.page(lst.name, body, column=lst.name, crumbs=self.crumbs(lst))))

    def json_records(self, lst: Listing, k: int) -> bytes:
        pages = lst.pages(self.s.per_page)
        rows = pages[k - 1] if 1 <= k <= len(pages) else []
        recs = [{"id": i + (k - 1) * self.s.per_page + 1, "title": en.link.title or en.link.text,
                 "url": self.root_or_absolute(en), "date": en.date} for i, en in enumerate(rows)]
        return P.json_page(lst.api["shape"], recs, k, len(pages), sum(len(p) for p in pages))

    def root_or_absolute(self, en: Entry) -> str:
        """URLs in API records: a relative one would resolve against the API, not the page."""
        if en.kind == "offsite":
            return self.off(en.link.target)
        return self.base + en.link.target if self.s.url_form == "absolute" else en.link.target

    def hanweb_records(self, rows: list[Entry]) -> str:
        out = []
        for en in rows:
            u = self.off(en.link.target) if en.kind == "offsite" else en.link.target
            t = en.link.title or en.link.text
            out.append(f'<record><![CDATA[<li><a href="{e(u)}" title="{e(t)}" target="_blank">{e(en.link.text)}</a>'
                       f'<span class="bt_time">{en.date}</span></li>]]></record>')
        return "".join(out)

    def hanweb_column(self, lst: Listing) -> None:
        pages = lst.pages(self.s.per_page)
        total = sum(len(p) for p in pages)
        body = f'<div class="column-title">{e(lst.name)}</div>' + P.hanweb_column(
            lst.unit, lst.col, self.s.per_page, total, self.hanweb_records(pages[0]), self.s.name)
        self.put(lst.first(), self.html(self.page(lst.name, body, column=lst.name, crumbs=self.crumbs(lst))))

    def hanweb_proxy(self, lst: Listing, start: int, end: int) -> Response:
        rows = [en for p in lst.pages(self.s.per_page) for en in p]
        per = max(1, end - start + 1)
        recs = self.hanweb_records(rows[start - 1:end])
        return Response(200, P.hanweb_proxy_xml(recs, len(rows), per, self.s.encoding.charset),
                        {"Content-Type": f"text/xml;charset={self.s.encoding.charset.upper()}"}, last_modified=BASE_TIME)

    # -- documents ----------------------------------------------------------------------------
    def documents(self) -> None:
        s = self.s
        attached: dict[str, list[Doc]] = {}
        for d in s.docs:
            if d.parent:
                attached.setdefault(d.parent, []).append(d)
        for d in s.docs:
            lm = _pub_dt(d.published)
            for kind, hop in d.via:
                if kind in ("301", "302"):
                    self.routes[norm_path(hop)] = Response(int(kind), b"", {"Location": d.path, "Content-Type": "text/html"},
                                                           static=False)
                else:
                    text = (f'<html><head>{s.encoding.meta_tag()}<meta http-equiv="refresh" content="0;url={e(self.url(d.path, hop))}">'
                            f'<title>页面跳转</title></head><body><p>页面跳转中，<a href="{e(self.url(d.path, hop))}">点击这里</a>。</p></body></html>')
                    self.put(hop, self.html(text, lm=lm))
            if d.fmt == "html":
                self.put(d.path, self.html(self.report_page(d, attached.get(d.path, [])), lm=lm))
            else:
                self.put(d.path, self.attachment(d, lm))
            if d.wrapper_path:
                body = (f'<p style="text-indent:2em;">{e(d.title)}全文见附件。</p>'
                        + I.attachment_link(d.link.form, self.attachment_url(d, d.wrapper_path), d.link.text))
                self.put(d.wrapper_path, self.html(self.page(d.title, body, article=True, published=d.published,
                                                             source=d.printed_agency or s.agency,
                                                             crumbs=self.doc_crumbs(d)), lm=lm))
        for x in s.decoys:
            body = f'<p style="text-indent:2em;">{e(x.body)}</p>'
            self.put(x.path, self.html(self.page(x.title, body, article=True, published=x.published, source=s.agency,
                                                 crumbs=[("首页", "/"), ("政府信息公开", s.family.hub()), ("正文", "")]),
                                       lm=_pub_dt(x.published)))
        for x in s.disallowed:
            body = f'<p style="text-indent:2em;">{e(x["title"])}（内部发布，robots.txt 禁止抓取）</p>'
            self.put(x["path"], self.html(self.page(x["title"], body, article=True, published="2024-02-11 09:00")))

    def attachment_url(self, d: Doc, page: str) -> str:
        """pdf.js resolves ``file=`` against the viewer, so the viewer gets a root path."""
        if d.link.form == "pdf_viewer" and self.s.url_form == "relative":
            return d.path
        return self.url(d.path, page)

    def doc_crumbs(self, d: Doc) -> list[tuple[str, str]]:
        lst = next((x for x in self.s.listings if x.id == d.listing), self.s.listings[0])
        c = self.crumbs(lst)
        if self.s.column_mode != "flat":
            c = c[:-1] + [(lst.name, lst.shell or lst.first())]
        return c + [("正文", "")]

    def report_page(self, d: Doc, attachments: list[Doc]) -> str:
        rep = copy.deepcopy(self.s.contents[d.content] if d.content else first_content(d.group))
        rep["title"] = d.title
        body = report_content(rep)
        for a in attachments:
            body += I.attachment_link(a.link.form, self.attachment_url(a, d.path), a.link.text)
        return self.page(d.title, body, article=True, published=d.published, source=d.printed_agency or self.s.agency,
                         crumbs=self.doc_crumbs(d))

    def attachment(self, d: Doc, lm: dt.datetime) -> Response:
        data = self.files.get(d.file)
        if data is None:
            data = (SITE_DIR / d.file).read_bytes()
            self.files[d.file] = data
        ext = d.path.rsplit(".", 1)[-1]
        if self.s.family.download_servlet():
            h = {"Content-Type": "application/octet-stream",
                 "Content-Disposition": f"attachment; filename={quote(d.title)}.{ext}; filename*=UTF-8''{quote(d.title + '.' + ext)}"}
        else:
            h = {"Content-Type": CONTENT_TYPES[d.fmt]}
        return Response(200, data, h, last_modified=lm)

    # -- the rest -----------------------------------------------------------------------------
    def misc(self) -> None:
        f = self.s.family
        self.put("/css/common.css", Response(200, b"body{font:12px/1.8 SimSun}.list li span.date{float:right}",
                                             {"Content-Type": "text/css"}))
        self.put("/js/page.js", Response(200, TRS_PAGE_JS.encode(), {"Content-Type": "application/javascript"}))
        for src in f.scripts:
            self.put(src, Response(200, b"/* site script */(function(){})();", {"Content-Type": "application/javascript"}))
        self.put("/top.html", self.html(f"<html><head>{self.s.encoding.meta_tag()}<title>{e(self.s.name)}</title></head>"
                                        f'<body><div class="logo"><a href="/" target="_top">{e(self.s.name)}</a></div></body></html>'))
        self.put("/pdfjs/web/viewer.html", self.html("<html><head><meta charset=\"utf-8\"><title>PDF.js viewer</title>"
                                                     '<script src="viewer.js"></script></head><body><div id="viewerContainer">'
                                                     "</div></body></html>"))

    def sitemap_and_robots(self) -> None:
        s = self.s
        entries = [(self.base + "/", "2024-04-01"), (self.base + s.family.hub(), "2024-04-01"),
                   (self.base + s.column_path, "2024-04-01")]
        entries += [(self.base + p, d) for p, _, d in s.news]
        for d in s.docs:
            if d.in_sitemap:
                entries.append((self.base + d.path, d.published[:10]))
            if d.wrapper_path and d.in_sitemap:
                entries.append((self.base + d.wrapper_path, d.published[:10]))
        entries += [(self.base + x.path, x.published[:10]) for x in s.decoys[:2]]
        entries.append((self.off(f"/sitemap/{s.key}/portal.html"), "2024-04-01"))
        files, declared = S.files(s.sitemap_mode, self.base, entries)
        for path, (data, ctype) in files.items():
            self.put(path, Response(200, data, {"Content-Type": ctype}))
        self.put("/robots.txt", Response(200, S.robots(s.robots_disallow, declared), {"Content-Type": "text/plain"}))

    def not_found(self) -> Response:
        text = self.page("页面不存在", '<div class="error"><p>对不起，您访问的页面不存在或已被删除。</p><p><a href="/">返回首页</a></p></div>')
        return self.html(text, 404, static=False)
