"""Discovery heuristics: which links to follow first, and which documents are annual reports.

Pure functions over strings (no Scrapy), so they are unit-tested directly and reused by the
spider, the process pipeline and anyone who needs "is this title an annual report?".

Report recognition reads a title / anchor text / URL and answers with a ``ReportGuess``:
``is_report`` plus the report year and the agency when they can be read. Pages that *look*
like reports but are not (关于报送…年度报告的通知, 政府信息公开指南, 政务公开工作要点, 解读, …)
are rejected by a list of trap words.
"""
from __future__ import annotations

import datetime as _dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

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

# "年度报告" / "年报" in the disclosure sense
_REPORT_CORE = re.compile(
    r"(政府|政务)?信息公开(工作)?(年度)?(报告|年报)|政务公开(工作)?(年度)?报告|公开年报|"
    r"信息公开工作年度|年度(政府)?信息公开"
)
_REPORT_WORD = re.compile(r"年度报告|年报|年度工作报告")
#: titles that mention an annual report but are something else
TRAP_WORDS = (
    "通知", "指南", "要点", "报送", "印发", "通报", "征集", "目录", "制度", "规定",
    "办法", "意见", "方案", "考核", "评议", "评估", "解读", "图解", "说明会", "培训", "会议",
    "统计表模板", "编制", "撰写", "格式", "样式", "范本", "模板", "督查", "检查", "整改",
    "工作计划", "工作总结", "动态", "专栏", "栏目", "公示", "发布会",
)
# Listing / column names: no year, not a report ("政府信息公开年报" column)
_DISCLOSURE_COLUMN = re.compile(
    r"政府信息公开|信息公开年报|公开年报|年度报告|政务公开|信息公开|法定主动公开|公开目录|"
    r"xxgk|zfxxgk|gknb|xxgknb|ndbg|zwgk|gkml|nianbao|annual"
)
_REPORT_URL = re.compile(r"(?:gknb|xxgknb|ndbg|nianbao|annual[-_]?report|zfxxgkndbg)", re.I)
_NOISE = re.compile(
    r"新闻|要闻|动态|图片|视频|领导|互动|留言|信箱|登录|注册|无障碍|English|联系我们|网站地图|"
    r"招聘|天气|日历|旅游|投资|招商|便民|办事指南|在线访谈|征集|调查|专题|图解|解读|直播|"
    r"login|register|english|video|weather|calendar",
    re.I,
)
_PAGINATION = re.compile(r"^(下一?页|下页|尾页|末页|上一?页|首页|next|»|›|>|\d{1,4})$", re.I)
_PAGED_URL = re.compile(r"(index|list|default)_\d+\.s?html?$|[?&](page|pageNo|pageIndex|p|pn|curpage)=\d+", re.I)

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度|年)")
_YEAR_BARE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SITE_SUFFIX = re.compile(r"\s*[-_|—–｜·]+\s*[^-_|—–｜·]*(网站|门户|政府网|人民政府|平台|首页)[^-_|—–｜·]*$")
_AGENCY_END = re.compile(
    r"(人民政府办公室|人民政府|办公室|办公厅|委员会|管理委员会|管委会|局|委|厅|院|署|所|站|中心|"
    r"街道办事处|办事处|乡|镇|街道|县|市|区|旗|公司|馆|队|会|部|处|社)$"
)
_AGENCY_LEAD = re.compile(r"^(关于)?(公布|发布|公开)?")

FIRST_YEAR = 2008          # the 2007 Regulations took effect 1 May 2008


def normalize(text: str | None) -> str:
    """NFKC (full-width digits/letters → ASCII), collapse whitespace, drop zero-width chars."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"\s+", "", t)


def _cn_years(text: str) -> str:
    return _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)) + "年", text)


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


@dataclass(frozen=True)
class ReportGuess:
    is_report: bool
    year: int | None = None
    agency: str | None = None
    reason: str = ""          # why not (trap word, no year, …) or which text matched


def _max_year() -> int:
    return _dt.date.today().year + 1


def find_year(text: str) -> int | None:
    """The report year in a title: '2023年' / '2023年度' / '二〇二三年' (first plausible one)."""
    t = _cn_years(normalize(text))
    for m in _YEAR.finditer(t):
        y = int(m.group(1))
        if FIRST_YEAR - 1 <= y <= _max_year():
            return y
    return None


def find_agency(title: str) -> str | None:
    """Agency named in a report title: before the year, or between the year and 政府信息公开."""
    t = _cn_years(normalize(title))
    t = re.sub(r"^[\[【(（][^\]】)）]*[\]】)）]", "", t)          # "[2023]" / "【附件】" prefixes
    m = _YEAR.search(t)
    core = _REPORT_CORE.search(t)
    candidates: list[str] = []
    if m:
        candidates.append(t[: m.start()])
        if core and core.start() >= m.end():
            candidates.append(t[m.end(): core.start()])
    elif core:
        candidates.append(t[: core.start()])
    for c in candidates:
        c = _AGENCY_LEAD.sub("", c).strip("：:、，,.。 ()（）《》“”\"'")
        c = re.sub(r"(关于|的)$", "", c)
        if 2 <= len(c) <= 40 and _AGENCY_END.search(c):
            return c
    return None


def recognize(title: str | None = None, anchor: str | None = None, url: str | None = None) -> ReportGuess:
    """Is this document an information-disclosure annual report, and of which year/agency?

    Title (the page's own heading) wins over the anchor text that led to it; the URL only
    helps when neither text is available (an attachment linked as "下载").
    """
    texts = [normalize(x) for x in (title, anchor) if x and normalize(x)]
    if url:
        name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
        if re.search(r"[\u4e00-\u9fff]", name):
            texts.append(normalize(name.rsplit(".", 1)[0]))
    for text in texts:
        t = _cn_years(text)
        if not (_REPORT_CORE.search(t) or (_REPORT_WORD.search(t) and "公开" in t)):
            continue
        for w in TRAP_WORDS:
            if w in t:
                return ReportGuess(False, reason=f"trap word {w!r} in {text!r}")
        year = find_year(t)
        if year is None:
            return ReportGuess(False, reason=f"no report year in {text!r}")
        return ReportGuess(True, year, find_agency(t), reason=text)
    if url and not texts:
        m = _REPORT_URL.search(url)
        y = _YEAR_BARE.search(urlsplit(url).path)
        if m and y and FIRST_YEAR <= int(y.group(1)) <= _max_year():
            return ReportGuess(True, int(y.group(1)), None, reason=f"url {url}")
    return ReportGuess(False, reason="no report wording")


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
    elif _REPORT_WORD.search(a):
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
        lo, hi = year_range or (1990, _max_year())
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
