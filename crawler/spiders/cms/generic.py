"""Plain links (every page): <a href>, <area href>, <iframe src>, plus the URL literals of
``window.open(...)`` / ``location.href = ...`` in the page's scripts."""
from __future__ import annotations

import logging
import re

from typing import TYPE_CHECKING

from crawler.discovery import is_attachment_url
from crawler.spiders.base.link import Link, page_links
from crawler.spiders.cms import Idiom, register

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_JS_OPEN = re.compile(r"""(?:window\.open|location\.href\s*=|window\.location\s*=)\s*\(?\s*['"]([^'"]+)['"]""")


def discover_links(response: Response) -> list[Link]:
    links = page_links(response)
    text = response.text
    if "window.open" in text or "location" in text:
        known = {lk.url for lk in links}
        for m in _JS_OPEN.finditer(text):
            url = response.urljoin(m.group(1))
            if url.startswith("http") and url not in known:
                links.append(Link(url, "", kind="attachment" if is_attachment_url(url) else "page"))
    return links


register(Idiom("generic", discover_links, always=True))
