"""Portal software families: URL shapes and page chrome of the CMSs Chinese portals run on.

Each family fixes how a site's paths look (columns, articles, attachments, its dynamic list
script) and the chrome around every page: the government-site metadata block, navigation,
breadcrumb, the content node and the footer with its 网站标识码, ICP and 公安 filings. The
markup follows what each CMS is known to emit (TRS ``t20240131_123.html`` and ``P0…pdf``,
Hanweb ``/col/col123/`` and ``/art/2024/1/31/art_123_456.html``, 开普云 ``/c123/…/*.shtml``,
EmpireCMS ``/d/file/…``, ASP.NET's ``__VIEWSTATE`` post-back form, …).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

e = html.escape


def _hex(*parts: object, n: int = 32) -> str:
    return hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()[:n]


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    ext: str                 # extension of static pages
    dyn: str                 # dynamic list script of this family's home-made/CMS pages
    dyn_param: str           # its column parameter
    content_open: str        # opening tag of the article content node
    scripts: tuple[str, ...]  # <script src> of the chrome

    # -- paths -------------------------------------------------------------------------
    def hub(self) -> str:
        return {"hanweb": "/col/col1001/index.html", "ucap": "/zwgk/xxgk/index.shtml",
                "jsp": "/xxgk/index.jsp", "aspnet": "/Item/List.aspx?CategoryId=1"}.get(self.key, f"/xxgk/index{self.ext}")

    def column_dir(self, col: int, slug: str) -> str:
        """Directory of a static column (its listing pages live in it)."""
        if self.key == "hanweb":
            return f"/col/col{col}/"
        if self.key == "ucap":
            return f"/zwgk/c{col}/"
        if self.key == "nanwei":
            return f"/zwgk/zfxxgkzl/{slug}/"
        return f"/xxgk/{slug}/"

    def column_dyn(self, col: int) -> tuple[str, dict[str, str]]:
        """(script path, fixed parameters) of a dynamic column."""
        return self.dyn, {self.dyn_param: str(col)}

    def article(self, col: int, slug: str, day: dt.date, n: int) -> str:
        y, m, d = day.year, day.month, day.day
        if self.key == "hanweb":
            return f"/art/{y}/{m}/{d}/art_{col}_{n}.html"
        if self.key == "ucap":
            return f"/zwgk/c{col}/{y}{m:02d}/{_hex(col, n)}.shtml"
        if self.key == "jsp":
            return f"/xxgk/show.jsp?classid={col}&id={n}"
        if self.key == "aspnet":
            return f"/Item/Show.aspx?id={n}&CategoryId={col}"
        if self.key == "empire":
            return f"/xxgk/{slug}/{y}-{m:02d}-{d:02d}/{n}.html"
        return f"{self.column_dir(col, slug)}{y}{m:02d}/t{y}{m:02d}{d:02d}_{n}{self.ext}"

    def attachment(self, col: int, slug: str, day: dt.date, n: int, ext: str) -> str:
        y, m, d = day.year, day.month, day.day
        if self.key == "hanweb":
            return f"/module/download/downfile.jsp?classid=0&filename={y % 100:02d}{m:02d}{d:02d}{n % 10**7:07d}.{ext}"
        if self.key == "ucap":
            return f"/zwgk/c{col}/{y}{m:02d}/{_hex(col, n)}/files/{_hex(n, ext)}.{ext}"
        if self.key == "jsp":
            return f"/upload/file/{y}{m:02d}{d:02d}/{int(dt.datetime(y, m, d).timestamp()) * 1000 + n % 1000}.{ext}"
        if self.key == "aspnet":
            return f"/UploadFiles/{y}/{m}/{y}{m:02d}{d:02d}{n % 10**6:06d}.{ext}"
        if self.key == "empire":
            return f"/d/file/xxgk/{slug}/{y}-{m:02d}-{d:02d}/{_hex(n, ext)}.{ext}"
        if self.key == "nanwei":
            return f"/cms/uploadfiles/{y}{m:02d}/{_hex(n, ext, n=16)}.{ext}"
        return f"{self.column_dir(col, slug)}{y}{m:02d}/P0{y}{m:02d}{d:02d}{n % 10**6:06d}.{ext}"

    def download_servlet(self) -> bool:
        """Attachments answered as application/octet-stream with Content-Disposition."""
        return self.key in ("hanweb", "jsp")


FAMILIES: dict[str, Family] = {f.key: f for f in (
    Family("trs", "TRS WCM", ".html", "/was5/web/search", "channelid", '<div class="TRS_Editor">',
           ("/js/jquery-1.8.3.min.js", "/js/page.js")),
    Family("hanweb", "Hanweb 大汉 jcms", ".html", "/module/xxgk/subjectinfo.jsp", "infotypeid",
           '<div id="zoom" class="bt_content">', ("/script/jquery.js", "/module/web/jpage/jpage.js")),
    Family("ucap", "开普云 UCAP", ".shtml", "/ucap/list.do", "channelId", '<div id="UCAP-CONTENT" class="ucap-content">',
           ("/ucap/js/jquery.min.js", "/ucap/js/ucap.js")),
    Family("nanwei", "南威 Linewell", ".htm", "/cms/list.do", "catalogId", '<div class="xl-nr TRS_UEDITOR">',
           ("/static/js/jquery.min.js", "/static/js/lw-common.js")),
    Family("jsp", "home-made JSP", ".html", "/xxgk/list.jsp", "classid", '<div class="content" id="content">',
           ("/js/jquery.js", "/js/common.js")),
    Family("aspnet", "home-made ASP.NET", ".html", "/Item/List.aspx", "CategoryId",
           '<div id="ctl00_ContentPlaceHolder1_ArticleContent" class="ArticleContent">', ("/js/jquery.js", "/js/site.js")),
    Family("empire", "EmpireCMS-style static", ".html", "/e/action/ListInfo/", "classid", '<div class="artcontent">',
           ("/skin/js/jquery.js", "/e/data/js/ajax.js")),
)}


@dataclass(frozen=True)
class Encoding:
    charset: str             # python codec of the bytes
    header: str | None       # charset named in Content-Type (None: none)
    meta: str | None         # charset named in <meta> (None: none)
    meta_style: str          # 'charset' (<meta charset>) | 'http-equiv'

    def content_type(self, mime: str = "text/html") -> str:
        return f"{mime}; charset={self.header}" if self.header else mime

    def meta_tag(self) -> str:
        if not self.meta:
            return ""
        if self.meta_style == "charset":
            return f'<meta charset="{self.meta}">'
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self.meta}">'

    def encode(self, text: str) -> bytes:
        # characters outside the charset become numeric references, as CMS exports do
        return text.encode(self.charset, errors="xmlcharrefreplace")

    @property
    def label(self) -> str:
        return f"{self.charset} header={self.header or '-'} meta={self.meta or '-'}"


#: (weight, Encoding) — UTF-8 is the common case; GBK sites declare gb2312 in a meta, or
#: in the header only, or nowhere at all
ENCODINGS: tuple[tuple[int, Encoding], ...] = (
    (4, Encoding("utf-8", "utf-8", "utf-8", "http-equiv")),
    (3, Encoding("utf-8", None, "utf-8", "charset")),
    (2, Encoding("utf-8", "UTF-8", None, "charset")),
    (1, Encoding("utf-8", None, None, "charset")),
    (2, Encoding("gbk", None, "gb2312", "http-equiv")),
    (2, Encoding("gbk", "GBK", None, "http-equiv")),
    (1, Encoding("gbk", "GBK", "gbk", "http-equiv")),
    (1, Encoding("gb18030", None, "gb18030", "charset")),
    (1, Encoding("gbk", None, None, "charset")),
)


@dataclass
class Chrome:
    """What every page of one site shares: its name, family, encoding and navigation."""
    family: Family
    encoding: Encoding
    site_name: str
    owner: str                          # 主办 line
    site_code: str                      # 网站标识码
    nav: list[tuple[str, str]]          # (text, rendered link markup) — markup already carries its idiom
    footer_links: list[str]             # rendered link markup
    icp: str

    def page(self, title: str, body: str, *, column: str = "", published: str | None = None,
             source: str | None = None, crumbs: list[tuple[str, str]] | None = None, article: bool = False,
             extra_head: str = "", post_back: str | None = None) -> str:
        f = self.family
        meta = [self.encoding.meta_tag(),
                '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
                f'<meta name="SiteName" content="{e(self.site_name)}">',
                f'<meta name="SiteIDCode" content="{e(self.site_code)}">']
        if column:
            meta.append(f'<meta name="ColumnName" content="{e(column)}">')
        if article:
            meta.append(f'<meta name="ArticleTitle" content="{e(title)}">')
            if published:
                meta.append(f'<meta name="PubDate" content="{e(published)}">')
            meta.append(f'<meta name="ContentSource" content="{e(source or self.owner)}">')
        if f.key == "hanweb":
            meta.append('<meta name="WebId" content="1">')
        scripts = "".join(f'<script type="text/javascript" src="{s}"></script>' for s in f.scripts)
        nav = "".join(f"<li>{m}</li>" for _, m in self.nav)
        crumb = ""
        if crumbs:
            lead = "您现在的位置：" if f.key in ("hanweb", "nanwei", "jsp") else "当前位置："
            crumb = f'<div class="position">{lead}' + " &gt; ".join(
                f'<a href="{e(h)}">{e(t)}</a>' if h else e(t) for t, h in crumbs) + "</div>"
        info = ""
        if article:
            info = (f'<div class="article-info"><span>发布时间：{e((published or "")[:10])}</span>'
                    f'<span>来源：{e(source or self.owner)}</span><span>浏览次数：<script>'
                    'document.write(Math.floor(Math.random()*900+100))</script></span>'
                    '<span class="font">字号：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> '
                    '<a href="javascript:doZoom(12)">小</a></span></div>')
            inner = f'<h1 class="article-title">{e(title)}</h1>{info}{f.content_open}{body}</div>' \
                    '<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a> ' \
                    '<a href="javascript:window.close()">【关闭窗口】</a></div>'
        else:
            inner = body
        if post_back is not None:   # ASP.NET wraps the whole page in one post-back form
            inner = (f'<form name="aspnetForm" method="post" action="{e(post_back)}" id="aspnetForm">'
                     f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAg{_hex(title, n=12)}=">'
                     f'<input type="hidden" name="__EVENTTARGET" value=""><input type="hidden" name="__EVENTARGUMENT" value="">'
                     f"{inner}</form>")
        foot = " ".join(self.footer_links)
        return (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n' + "\n".join(m for m in meta if m) +
            f"\n<title>{e(title)}{'_' + e(self.site_name) if title != self.site_name else ''}</title>\n"
            '<link rel="stylesheet" type="text/css" href="/css/common.css">\n'
            f"{scripts}\n{extra_head}</head>\n<body>\n"
            '<div class="top-bar"><div class="w1200"><span class="date"><script>var d=new Date();'
            'document.write(d.getFullYear()+"年"+(d.getMonth()+1)+"月"+d.getDate()+"日");</script></span>'
            '<a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> '
            '<a href="javascript:void(0)" onclick="AddFavorite(document.title,window.location)">加入收藏</a> '
            '<a href="/wza/index.html" class="wza">无障碍浏览</a></div></div>\n'
            f'<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{e(self.site_name)}"></a></div>'
            '<div class="search"><form name="searchform" action="/search/index.jsp" method="get" target="_blank">'
            '<input type="text" name="q" class="s-input" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div></div>\n'
            f'<div class="nav"><ul>{nav}</ul></div>\n{crumb}\n<div class="main w1200">{inner}</div>\n'
            f'<div class="footer"><div class="w1200"><p>{foot}</p>'
            f'<p>主办单位：{e(self.owner)}　网站标识码：{e(self.site_code)}　{e(self.icp)}</p>'
            '<p><a href="http://www.beian.gov.cn/portal/registerSystemInfo" target="_blank">'
            f'<img src="/images/ga.png">豫公网安备 {self.site_code[:6]}02000{self.site_code[-3:]}号</a></p>'
            '<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' %3E%3C/span%3E"));</script>'
            '</div></div>\n<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");'
            'hm.src="https://hm.baidu.com/hm.js?' + _hex(self.site_code) + '";var s=document.getElementsByTagName("script")[0];'
            's.parentNode.insertBefore(hm,s);})();</script>\n</body>\n</html>\n'
        )
