"""Discovery heuristics: which links to follow first, which URLs are attachments or traps.

Pure functions over strings (no Scrapy), so they are unit-tested directly. Whether a title,
anchor or file name is an annual report (and of which year and agency) is
``pipelines.titles.recognize``, shared with the pipelines that read titles from report texts;
the link scores here build on it.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from pipelines.titles import has_report_word, latest_year, normalize, recognize

logger = logging.getLogger(__name__)

#: file types fetched as attachments (a .wps is usually a DOC in disguise)
ATTACHMENT_EXTENSIONS = frozenset({
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".rtf", ".txt",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".ofd", ".zip", ".rar",
})
#: extensions never worth fetching (media, scripts, styles)
SKIP_EXTENSIONS = frozenset({
    ".css", ".js", ".ico", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".mp4", ".mp3",
    ".flv", ".avi", ".wmv", ".swf", ".exe", ".apk", ".dmg", ".iso", ".7z",
})
_IMAGE_EXT = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff"})

# Listing / column names: no year, not a report ("政府信息公开年报" column)
_DISCLOSURE_COLUMN = re.compile(
    r"政府信息公开|信息公开年报|公开年报|年度报告|政务公开|信息公开|法定主动公开|公开目录|"
    r"xxgk|zfxxgk|gknb|xxgknb|ndbg|zwgk|gkml|nianbao|annual"
)
_NOISE = re.compile(
    r"新闻|要闻|动态|图片|视频|领导|互动|留言|信箱|登录|注册|无障碍|English|联系我们|网站地图|"
    r"招聘|天气|日历|旅游|投资|招商|便民|办事指南|在线访谈|征集|调查|专题|图解|解读|直播|"
    r"login|register|english|video|weather|calendar",
    re.I,
)
_PAGINATION = re.compile(r"^(下一?页|下页|尾页|末页|上一?页|首页|next|»|›|>|\d{1,4})$", re.I)
_PAGED_URL = re.compile(r"(index|list|default)_\d+\.s?html?$|[?&](page|pageNo|pageIndex|p|pn|curpage)=\d+", re.I)

_SITE_SUFFIX = re.compile(r"\s*[-_|—–｜·]+\s*[^-_|—–｜·]*(网站|门户|政府网|人民政府|平台|首页)[^-_|—–｜·]*$")


@lru_cache(maxsize=65536)   # every page repeats its navigation links
def url_extension(url: str) -> str:
    """Lower-case extension of the URL path ('' when none), ignoring the query."""
    path = unquote(urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def is_attachment_url(url: str) -> bool:
    return url_extension(url) in ATTACHMENT_EXTENSIONS


def is_skipped_url(url: str) -> bool:
    return url_extension(url) in SKIP_EXTENSIONS


def is_image_url(url: str) -> bool:
    return url_extension(url) in _IMAGE_EXT


def clean_title(title: str | None) -> str:
    """A page <title> without the site name suffix ("… - 洛阳市人民政府门户网站")."""
    t = normalize(title)
    prev = None
    while prev != t:
        prev = t
        t = _SITE_SUFFIX.sub("", t)
    return t


@lru_cache(maxsize=65536)
def score_link(url: str, anchor: str | None = "", context: str | None = "") -> int:
    """Priority of a link: the disclosure column and report-like anchors first, noise last.

    ``context`` is the text around the link (its list item / the column heading) when known.
    The score is used as the Scrapy request priority and, when negative, limits how deep the
    spider follows the link.
    """
    a = normalize(anchor)
    u = unquote(url)
    score = 0
    guess = recognize(anchor=a, url=url) if a else recognize(url=url)
    if guess.is_report:
        score += 20
    elif has_report_word(a):
        score += 6                               # 年报 column / trap-worded: still look
    if _DISCLOSURE_COLUMN.search(a) or _DISCLOSURE_COLUMN.search(u.lower()):
        score += 8
    if context and _DISCLOSURE_COLUMN.search(normalize(context)):
        score += 2
    if _PAGINATION.match(a) or _PAGED_URL.search(u):
        score += 4
    if is_attachment_url(url):
        score += 2 if not is_image_url(url) else 0
    if _NOISE.search(a) or _NOISE.search(u):
        score -= 10
    if score == 0 and not a:
        score = -1                                # image links, icons
    return score


# --- trap guard -------------------------------------------------------------------------

_DATE_PARAM = re.compile(r"^(date|day|month|year|ym|ymd|yyyy|dt|time|cal|calendar|d|m|y)$", re.I)
_PATH_DATE = re.compile(r"(?<!\d)((?:19|20|21|22|23|29|30)\d{2})[-/_]?(0[1-9]|1[0-2])(?:[-/_]?([0-3]\d))?(?!\d)")


class TrapGuard:
    """Stops URL explosions: calendars, endless pagination, session-id style query variants.

    One guard per portal crawl. ``allow(url)`` is False for a URL the spider should not queue.
    """

    def __init__(self, *, max_query_variants: int = 60, max_url_length: int = 400,
                 max_page_number: int = 1000, max_path_depth: int = 14,
                 year_range: tuple[int, int] | None = None) -> None:
        self.max_query_variants = max_query_variants
        self.max_url_length = max_url_length
        self.max_page_number = max_page_number
        self.max_path_depth = max_path_depth
        lo, hi = year_range or (1990, latest_year())
        self.year_lo, self.year_hi = lo, hi
        self._variants: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
        self.blocked = 0

    def reason(self, url: str) -> str | None:
        """Why the URL is a trap, or None."""
        if len(url) > self.max_url_length:
            return "url too long"
        parts = urlsplit(url)
        segs = [s for s in parts.path.split("/") if s]
        if len(segs) > self.max_path_depth:
            return "path too deep"
        if len(segs) >= 4 and len(segs) != len(set(segs)):
            # repeated segments: relative-link loops like /a/b/a/b/a/b/
            if max(segs.count(s) for s in segs) >= 3:
                return "repeating path"
        m = re.search(r"(?:^|/)(?:index|list|default|page|more)_(\d+)\.s?html?$", parts.path)
        if m and int(m.group(1)) > self.max_page_number:
            return "page number"
        for m in _PATH_DATE.finditer(parts.path):
            if not self.year_lo <= int(m.group(1)) <= self.year_hi:
                return "date out of range"
        query = parse_qsl(parts.query, keep_blank_values=True)
        for k, v in query:
            if _DATE_PARAM.match(k) or _PATH_DATE.search(v):
                ym = re.search(r"(?<!\d)(\d{4})(?!\d)", v)
                if ym and not self.year_lo <= int(ym.group(1)) <= self.year_hi:
                    return "date out of range"
            if k.lower() in ("page", "pageno", "pageindex", "p", "pn", "curpage") and v.isdigit() \
                    and int(v) > self.max_page_number:
                return "page number"
        if query:
            key = (parts.netloc, parts.path, tuple(sorted({k for k, _ in query})))
            seen = self._variants.setdefault(key, set())
            if parts.query not in seen:
                if len(seen) >= self.max_query_variants:
                    return "too many query variants"
                seen.add(parts.query)
        return None

    def allow(self, url: str) -> bool:
        r = self.reason(url)
        if r:
            self.blocked += 1
            logger.debug("trap guard: %s (%s)", url, r)
            return False
        return True
