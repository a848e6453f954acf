"""Hanweb (大汉) jpage lists: records come from ``/module/web/jpage/dataproxy.jsp``.

The page embeds ``<script type="text/xml"><datastore>`` with the first records as CDATA and a
``<nextgroup>`` link to the data proxy; the browser then asks the proxy for
``startrecord=…&endrecord=…&perpage=…`` and gets XML back::

    <datastore><totalrecord>123</totalrecord><totalpage>9</totalpage>
      <recordset><record><![CDATA[<li><a href="/art/2024/1/20/art_1_1.html">…</a></li>]]></record>…

Links inside records are followed like any link; the remaining record groups are requested
from the proxy once the first answer says how many records there are.
"""
from __future__ import annotations

import html
import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector

from crawler.discovery import is_attachment_url
from crawler.spiders.base.link import Link
from crawler.spiders.cms import Callback, Idiom, register

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_PROXY = re.compile(r"""[^"'<>\s()]*dataproxy\.jsp[^"'<>\s()]*""", re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NUM = r"""{name}['"]?\s*[:=]\s*['"]?(\d+)"""
#: jpage defaults when the page does not say (records per page, pages per proxy request)
PER_PAGE = 15
GROUP = 3


def _num(name: str, text: str) -> int | None:
    m = re.search(_NUM.format(name=name), text, re.I)
    return int(m.group(1)) if m else None


def _tag_num(tag: str, text: str) -> int | None:
    m = re.search(rf"<{tag}>\s*(\d+)\s*</{tag}>", text, re.I)
    return int(m.group(1)) if m else None


def record_links(xml_text: str, base_url: str) -> list[Link]:
    """Links inside the CDATA records of a datastore (page-embedded or a proxy answer)."""
    links: list[Link] = []
    for rec in _RECORD.findall(xml_text):
        sel = Selector(text=rec)
        for a in sel.css("a[href]"):
            href = a.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            from urllib.parse import urljoin

            url = urljoin(base_url, html.unescape(href))
            anchor = a.attrib.get("title") or " ".join(a.css("::text").getall()).strip()
            links.append(Link(url, anchor, kind="attachment" if is_attachment_url(url) else "page"))
    return links


def proxy_url(response: Response) -> str | None:
    text = response.text
    i = text.find("dataproxy.jsp")          # cheap pre-check: the regex alone is quadratic
    if i < 0:
        return None
    window = text[max(0, i - 300): i + 2000]
    m = _PROXY.search(window)
    if not m:
        return None
    return response.urljoin(html.unescape(m.group(0)))


def group_urls(base: str, total_records: int, per_page: int, group: int, *, skip_first: bool) -> list[str]:
    """Proxy URLs for every record group: startrecord/endrecord windows of per_page*group."""
    step = max(1, per_page * group)
    urls = []
    sep = "&" if "?" in base else "?"
    for start in range(1, max(total_records, 1) + 1, step):
        if skip_first and start == 1:
            continue
        urls.append(f"{base}{sep}startrecord={start}&endrecord={start + step - 1}&perpage={per_page}")
    return urls


def strip_window(url: str) -> str:
    """The proxy URL without startrecord/endrecord/perpage (to rebuild further windows)."""
    parts = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if k.lower() not in ("startrecord", "endrecord", "perpage")]
    query = "&".join(f"{k}={v}" for k, v in q)
    return parts._replace(query=query).geturl()


def discover_hanweb(response: Response) -> list[Link]:
    text = response.text
    out: list[Link] = []
    if "<datastore" in text or "<record" in text:
        out += record_links(text, response.url)
    url = proxy_url(response)
    if url is None:
        return out
    per = _num("perpage", text) or PER_PAGE
    group = _num("groupsize", text) or GROUP
    total = _num("totalrecord", text)
    base = strip_window(url)
    if total:
        urls = group_urls(base, total, per, group, skip_first=False)
    else:
        urls = group_urls(base, 1, per, group, skip_first=False)
    for u in urls:
        out.append(Link(u, "", kind="listing", callback="parse_hanweb_proxy",
                        meta={"hanweb": {"per": per, "group": group}}, priority_bonus=6))
    return out


def hanweb_followups(response: Response) -> list[Link]:
    """Links and remaining record windows from a dataproxy.jsp answer."""
    text = response.text
    links = record_links(text, response.url)
    info = response.meta.get("hanweb") or {}
    per = int(info.get("per") or PER_PAGE)
    group = int(info.get("group") or GROUP)
    total = _tag_num("totalrecord", text)
    pages = _tag_num("totalpage", text)
    if total is None and pages:
        total = pages * per
    if total:
        base = strip_window(response.url)
        for u in group_urls(base, total, per, group, skip_first=True):
            links.append(Link(u, "", kind="listing", callback="parse_hanweb_proxy",
                              meta={"hanweb": {"per": per, "group": group}}, priority_bonus=6))
    return links


register(Idiom("hanweb", discover_hanweb,
               callbacks=(Callback("parse_hanweb_proxy", "listing", hanweb_followups),)))
