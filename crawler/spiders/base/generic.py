"""Plain links: <a href>, <area href>, <iframe src>, plus a meta refresh target."""
from __future__ import annotations

import logging
import re

from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor

from crawler.discovery import SKIP_EXTENSIONS, is_attachment_url

from .link import Link

logger = logging.getLogger(__name__)

_extractor = LinkExtractor(
    tags=("a", "area", "iframe", "frame"),
    attrs=("href", "src"),
    deny_extensions=[e.lstrip(".") for e in SKIP_EXTENSIONS],
    canonicalize=False,
    unique=True,
    strip=True,
)
_JS_OPEN = re.compile(r"""(?:window\.open|location\.href\s*=|window\.location\s*=)\s*\(?\s*['"]([^'"]+)['"]""")


class GenericMixin:
    def discover_links(self, response: Response) -> list[Link]:
        links: list[Link] = []
        for lk in _extractor.extract_links(response):
            anchor = lk.text or ""
            if not anchor:
                # the title attribute often carries the full title of a truncated anchor
                pass
            kind = "attachment" if is_attachment_url(lk.url) else "page"
            links.append(Link(lk.url, anchor, kind=kind))
        # full titles: <a title="…2023年政府信息公开工作年度报告">2023年政府信息…</a>
        titles = {}
        for a in response.css("a[title]"):
            href = a.attrib.get("href")
            if href:
                titles[response.urljoin(href.strip())] = a.attrib["title"].strip()
        for link in links:
            full = titles.get(link.url)
            if full and len(full) > len(link.anchor):
                link.anchor = full
        for m in _JS_OPEN.finditer(response.text):
            url = response.urljoin(m.group(1))
            if url.startswith("http"):
                links.append(Link(url, "", kind="attachment" if is_attachment_url(url) else "page"))
        return links
