"""Page chrome of each sample site: header navigation, breadcrumb, content node, footer.

The content node differs per CMS as on real portals: TRS ``div.TRS_Editor``, Hanweb
``div#zoom``, the JSON-API site a plain ``div.article-content``, the department site Kaipu's
``div#UCAP-CONTENT``; the navigation and footer around it are the noise a crawler must skip.
"""
from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

e = html.escape


@dataclass(frozen=True)
class Site:
    key: str                 # short id used in paths of the committed tree
    host: str                # loopback address
    portal: str              # portal name for config
    name: str                # site title
    agency: str              # default issuing body for the portal config
    region_code: str
    cms: str                 # trs | hanweb | jsonapi | generic
    charset: str             # encoding of the bytes
    declared: str | None     # charset declared in <meta> (None: nothing declared)
    content_node: str        # opening tag of the content node
    nav: tuple = field(default=())


def content_open(site: Site) -> str:
    return site.content_node


def page_html(site: Site, title: str, body: str, *, published: str | None = None,
              source: str | None = None, extra_head: str = "", breadcrumb: list[tuple[str, str]] | None = None,
              content: bool = True) -> str:
    """A full page. ``body`` is inner HTML; with ``content`` it goes into the site's content node."""
    meta = []
    if site.declared:
        meta.append(f'<meta http-equiv="Content-Type" content="text/html; charset={site.declared}">')
    meta.append(f'<meta name="SiteName" content="{e(site.name)}">')
    if published:
        meta.append(f'<meta name="PubDate" content="{e(published)}">')
        meta.append(f'<meta name="firstpublishedtime" content="{e(published)}">')
    if source:
        meta.append(f'<meta name="ContentSource" content="{e(source)}">')
    meta.append(f'<meta name="ArticleTitle" content="{e(title)}">' if published else "")
    nav = "".join(f'<li><a href="{href}">{e(text)}</a></li>' for text, href in NAV)
    crumbs = ""
    if breadcrumb:
        crumbs = '<div class="position">当前位置：' + " &gt; ".join(
            f'<a href="{h}">{e(t)}</a>' for t, h in breadcrumb) + "</div>"
    info = ""
    if published:
        info = (f'<div class="info"><span>发布时间：{e(published[:10])}</span>'
                f'<span>来源：{e(source or site.agency)}</span><span>浏览次数：<script>document.write(Math.floor(Math.random()*1000))</script></span></div>')
    inner = f'<h1 class="title">{e(title)}</h1>{info}{site.content_node}{body}</div>' if content else body
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n" + "\n".join(m for m in meta if m) +
        f"\n<title>{e(title)}_{e(site.name)}</title>\n{extra_head}"
        '<link rel="stylesheet" href="/css/style.css">\n</head>\n<body>\n'
        f'<div class="top"><a href="/">{e(site.name)}</a> <a href="/wza/index.html">无障碍</a> '
        '<a href="/english/index.html">English</a></div>\n'
        f'<div class="nav"><ul>{nav}</ul></div>\n{crumbs}\n<div class="main">{inner}</div>\n'
        f'<div class="footer"><p>主办：{e(site.name)}办公室　网站标识码：4103000001　'
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo">豫公网安备 41030202000123号</a></p>'
        '<p>相关链接：<a href="http://www.gov.cn/">中国政府网</a> <a href="https://www.henan.gov.cn/">河南省人民政府</a> '
        '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=4103000001">我为政府网站找错</a></p></div>\n'
        "</body>\n</html>\n"
    )


NAV = [
    ("首页", "/"),
    ("政务要闻", "/xwzx/index.html"),
    ("政府信息公开", "/xxgk/index.html"),
    ("政务服务", "/zwfw/index.html"),
    ("互动交流", "/hdjl/index.html"),
    ("走进本地", "/zjbd/index.html"),
]


def encode(site: Site, text: str) -> bytes:
    # characters outside the site charset become numeric references, as CMS exports do
    return text.encode(site.charset, errors="xmlcharrefreplace")
