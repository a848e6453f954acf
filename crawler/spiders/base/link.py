"""A link found on a page, with what the spider needs to request it, and the plain extraction
of a page's links (<a href>, <area href>, <iframe src>) that every listing idiom builds on."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

from w3lib.url import safe_url_string

from crawler.discovery import ATTACHMENT_EXTENSIONS, SKIP_EXTENSIONS, url_extension

if TYPE_CHECKING:  # Scrapy stays out of the import: config validation reads the idiom registry
    from scrapy.http import Response

logger = logging.getLogger(__name__)


@dataclass
class Link:
    url: str
    anchor: str = ""
    kind: str = "page"              # page | listing | attachment | api
    callback: str = "parse"         # spider method name (JOBDIR needs names, not bound methods)
    method: str = "GET"
    formdata: dict[str, str] | None = None
    meta: dict = field(default_factory=dict)
    priority_bonus: int = 0


_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
_ATTR = {"a": "href", "area": "href", "iframe": "src", "frame": "src"}
#: relative hrefs that safe_url_string returns unchanged (no scheme, "//host", fragment, space,
#: bracket, non-ASCII or trailing "?"), checked against it on random strings of these characters
_PLAIN_REF = re.compile(r"(?!//)[A-Za-z0-9\-._~/?=&%+,;]*(?<!\?)\Z")


def page_links(response: Response) -> list[Link]:
    """Every <a>/<area> href and <iframe>/<frame> src, resolved against <base href>, de-duplicated.

    One pass over the parsed tree (lxml) instead of Scrapy's LinkExtractor: the crawl calls this
    on every page, and the full title attribute (truncated anchors: "2023年政府信息…") comes in
    the same pass.
    """
    from scrapy.utils.response import get_base_url

    base = get_base_url(response)
    enc = response.encoding
    seen: dict[str, Link] = {}
    for el in response.selector.root.iter(*_ATTR):
        ref = el.get(_ATTR[el.tag])
        if not ref:
            continue
        ref = ref.strip()
        if not ref or ref.lower().startswith(_SKIP_SCHEMES):
            continue
        if not _PLAIN_REF.match(ref):  # non-ASCII, spaces, quotes…: percent-encode as Scrapy would
            ref = safe_url_string(ref, encoding=enc)
        url = urljoin(base, ref)
        if "#" in url:
            url = urldefrag(url)[0]
        if not url.startswith(("http://", "https://")):
            continue
        ext = url_extension(url)
        if ext in SKIP_EXTENSIONS:
            continue
        text = " ".join("".join(el.itertext()).split()) if el.tag == "a" else ""
        title = (el.get("title") or "").strip()
        anchor = title if len(title) > len(text) else text
        link = seen.get(url)
        if link is None:
            seen[url] = Link(url, anchor, kind="attachment" if ext in ATTACHMENT_EXTENSIONS else "page")
        elif len(anchor) > len(link.anchor):
            link.anchor = anchor
    return list(seen.values())
