"""JSON list APIs: ``{"data": {"list": [{"title": …, "url": …}], "totalPage": 9}}`` and kin.

A portal either names its API in config.yaml (``list_api: "https://…/api/list?page={page}"``)
or a page announces it (``data-api="…"`` / ``data-list-api``). Any JSON answer is walked for
objects that carry a URL-like and a title-like field; the page count comes from the usual
names (totalPage, pageCount, pages, or total / pageSize).
"""
from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from crawler.discovery import is_attachment_url
from crawler.spiders.base.link import Link
from crawler.spiders.cms import Callback, Idiom, register

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

URL_KEYS = ("url", "link", "href", "docurl", "doc_url", "docpuburl", "pageurl", "fileurl", "file_url",
            "path", "attachurl", "downloadurl")
TITLE_KEYS = ("title", "doctitle", "doc_title", "name", "filename", "subject", "text")
PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "page_count", "total_pages", "pagetotal")
TOTAL_KEYS = ("total", "totalcount", "totalrecord", "totalrecords", "count", "recordcount")
SIZE_KEYS = ("pagesize", "page_size", "size", "perpage", "per_page", "limit", "rows")
_API_ATTR = re.compile(r"""data-(?:list-)?api\s*=\s*["']([^"']+)["']""", re.I)


def _walk(obj: Any) -> Iterator[dict]:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _get(d: dict, keys: tuple[str, ...]) -> Any:
    low = {str(k).lower(): v for k, v in d.items()}
    for k in keys:
        if k in low and low[k] not in (None, ""):
            return low[k]
    return None


def json_links(data: Any, base_url: str) -> list[Link]:
    from urllib.parse import urljoin

    links: list[Link] = []
    for d in _walk(data):
        url = _get(d, URL_KEYS)
        if not isinstance(url, str):
            continue
        url = urljoin(base_url, url.strip())
        if not url.startswith(("http://", "https://")):
            continue
        title = _get(d, TITLE_KEYS)
        links.append(Link(url, str(title or ""), kind="attachment" if is_attachment_url(url) else "page"))
    return links


def page_count(data: Any) -> int | None:
    for d in _walk(data):
        pages = _get(d, PAGES_KEYS)
        if isinstance(pages, (int, str)) and str(pages).isdigit():
            return int(pages)
        total, size = _get(d, TOTAL_KEYS), _get(d, SIZE_KEYS)
        if str(total).isdigit() and str(size).isdigit() and int(size) > 0:
            return -(-int(total) // int(size))
    return None


def page_url(template: str, page: int) -> str:
    return template.replace("{page}", str(page))


def discover_jsonapi(response: Response) -> list[Link]:
    out = []
    for m in _API_ATTR.finditer(response.text):
        tpl = response.urljoin(m.group(1))
        if "{page}" not in tpl:
            sep = "&" if "?" in tpl else "?"
            tpl = f"{tpl}{sep}page={{page}}"
        out.append(api_link(tpl, 1))
    return out


def api_link(template: str, page: int) -> Link:
    return Link(page_url(template, page), "", kind="api", callback="parse_api",
                meta={"api_template": template, "api_page": page}, priority_bonus=6)


def api_followups(response: Response) -> list[Link]:
    try:
        data = json.loads(response.text)
    except ValueError:
        logger.warning("list API answer is not JSON: %s", response.url)
        return []
    links = json_links(data, response.url)
    tpl = response.meta.get("api_template")
    page = int(response.meta.get("api_page") or 1)
    if tpl and page == 1:
        pages = page_count(data) or 1
        links += [api_link(tpl, p) for p in range(2, pages + 1)]
    return links


def configured_api(portal: Mapping[str, Any]) -> list[Link]:
    """The first page of the portal's ``list_api`` (a URL with ``{page}``, 1-based), if configured."""
    return [api_link(portal["list_api"], 1)] if portal.get("list_api") else []


register(Idiom("jsonapi", discover_jsonapi, callbacks=(Callback("parse_api", "api", api_followups),),
               start=configured_api))
