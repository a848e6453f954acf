"""Report titles: the year and the issuing agency a report's title prints.

``2023年洛宁县…政府信息公开工作年度报告``, ``洛阳市教育局政府信息公开工作年度报告（2023年度）``,
``二〇二一年…``: the year and the agency as printed; a title that prints only a generic office
(``政府办公室``) gives no agency. ``find_title`` finds the title line in an extracted text.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = r"(?P<year>(?:19|20)\d{2}|[二][〇○零O][〇○零O一二三四五六七八九]{2})"
# "…2023年(度)(的)(政府)信息公开(工作)(年度)报告" — also 政务公开 and 年报
_REPORT_TAIL = r"\s*年\s*度?\s*(?:的)?\s*(?:政府|政务)?\s*信\s*息\s*公\s*开\s*(?:工\s*作)?\s*(?:年\s*度)?\s*(?:报\s*告|年\s*报)"
_TITLE_AGENCY_FIRST = re.compile(r"(?P<agency>[^\s，。：:；;、]{0,40}?)\s*(?:关于)?\s*" + _YEAR + _REPORT_TAIL)
# "洛阳市教育局政府信息公开工作年度报告（2023年度）"
_TITLE_YEAR_AFTER = re.compile(r"(?P<agency>[^\s，。：:；;、]{0,40}?)\s*(?:政府|政务)?\s*信息公开\s*(?:工作)?\s*(?:年度)?\s*"
                               r"(?:报告|年报)\s*[（(]\s*" + _YEAR + r"\s*年?\s*度?\s*[)）]")
_TITLE_YEAR_FIRST = re.compile(_YEAR + r"\s*年\s*度?\s*(?P<agency>[^\s，。：:；;、\d]{2,40}?)\s*(?:政府|政务)\s*信息公开(?:工作)?(?:年度)?(?:报告|年报)")

# Section headings and list markers that can sit in front of a title line in extracted text.
_LEADING_JUNK = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|总体情况|关于|附件\s*\d*[:：]?|[\-—_*#>\s]+)+")
# A title that names no body: no place, just an office word.
_GENERIC_AGENCY = re.compile(
    r"^(?:本|我)?(?:省|市|县|区|州|盟|旗|镇|乡|街道)?(?:人民)?(?:政府)?(?:办公室|办公厅|机关|单位)?$|^(?:本|我)(?:办|局|委|院|厅|机关|单位)$")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def parse_year(token: str) -> int | None:
    """'2023' or '二〇二三' -> 2023, within 2000..next year (older reports say 2008 at earliest)."""
    digits = "".join(_CN_DIGITS.get(c, c) for c in token)
    if not digits.isdigit():
        return None
    year = int(digits)
    return year if 2000 <= year <= dt.date.today().year + 1 else None


def clean_agency(raw: str | None) -> str | None:
    """Strip headings, quotes and whitespace around an agency name; None for an empty one."""
    if not raw:
        return None
    s = re.sub(r"\s+", "", _norm(raw))
    s = _LEADING_JUNK.sub("", s)
    s = s.strip("“”\"'《》<>()（）[]【】·.,，:：")
    s = re.sub(r"(关于|的)$", "", s)
    return s or None


def is_generic_agency(name: str | None) -> bool:
    """True for names that identify no body (政府办公室, 本机关, 市人民政府办公室 without a place)."""
    return not name or bool(_GENERIC_AGENCY.match(name))


# "关于报送2023年政府信息公开工作年度报告的通知" names a report but is a notice about reports.
_NOTICE_AFTER = re.compile(r"^\s*(?:的|工作的)?\s*(?:通知|函|要求|编制|报送|模板|说明|公示)")
_NOTICE_VERBS = re.compile(r"报送|编制|做好|印发|转发|撰写|发布.*要求")


def _title_match(s: str, rx: re.Pattern[str]) -> re.Match[str] | None:
    """The first match of a title pattern that is not a notice about reports."""
    for m in rx.finditer(s):
        if _NOTICE_AFTER.match(s[m.end():]) or _NOTICE_VERBS.search(m.group("agency") or ""):
            continue
        return m
    return None


def parse_title(title: str | None) -> tuple[int | None, str | None]:
    """(report_year, agency as printed) from a report title; agency None when generic/absent."""
    if not title:
        return None, None
    s = _norm(title)
    for rx in (_TITLE_AGENCY_FIRST, _TITLE_YEAR_FIRST, _TITLE_YEAR_AFTER):
        m = _title_match(s, rx)
        if not m:
            continue
        year = parse_year(m.group("year"))
        agency = clean_agency(m.group("agency"))
        if agency is not None and (is_generic_agency(agency) or len(agency) < 2):
            agency = None
        if year is not None:
            if agency is None and rx is _TITLE_AGENCY_FIRST:
                # "2023年洛宁县…政府信息公开工作年度报告": agency after the year
                m2 = _title_match(s, _TITLE_YEAR_FIRST)
                if m2:
                    a2 = clean_agency(m2.group("agency"))
                    if a2 and not is_generic_agency(a2):
                        agency = a2
            return year, agency
    return None, None


def find_title(text: str | None, *, max_lines: int = 40) -> str | None:
    """The report's title line in extracted text (joining a title wrapped over two lines)."""
    if not text:
        return None
    lines = [ln.strip() for ln in _norm(text).splitlines() if ln.strip()][:max_lines]
    # whole lines first, then a title wrapped over two lines (…工作年 / 度报告)
    pairs = [lines[i] + lines[i + 1] for i in range(len(lines) - 1)]
    for cand in lines + pairs:
        m = (_title_match(cand, _TITLE_AGENCY_FIRST) or _title_match(cand, _TITLE_YEAR_FIRST)
             or _title_match(cand, _TITLE_YEAR_AFTER))
        if m and len(cand) <= 120:
            return re.sub(r"\s+", " ", cand[: m.end()]).strip()
    return None
