"""TRS WCM static pagination: ``createPageHTML(total, current, "index", "html")``.

A TRS column's first page is ``index.html``; page n (n ≥ 1) is ``index_n.html`` in the same
directory. The page count sits in the JavaScript call (sometimes in a ``var countPage = N``).
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from crawler.spiders.base.link import Link
from crawler.spiders.cms import Idiom, register

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_CALL = re.compile(
    r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_VAR = r"(?:var\s+)?{name}\s*=\s*['\"]?(\d+)"


def _resolve(token: str, text: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(_VAR.format(name=re.escape(token)), text)
    return int(m.group(1)) if m else None


def trs_page_urls(response: Response, max_pages: int = 1000) -> list[str]:
    """Every page of a TRS listing, from the createPageHTML call in this page."""
    text = response.text
    urls: list[str] = []
    for m in _CALL.finditer(text):
        total = _resolve(m.group(1), text)
        if not total:
            continue
        prefix, ext = m.group(3), m.group(4)
        for n in range(min(total, max_pages)):
            name = f"{prefix}.{ext}" if n == 0 else f"{prefix}_{n}.{ext}"
            urls.append(response.urljoin(name))
    return urls


def discover_trs(response: Response) -> list[Link]:
    return [Link(u, "", kind="listing", priority_bonus=6) for u in trs_page_urls(response)]


register(Idiom("trs", discover_trs))
