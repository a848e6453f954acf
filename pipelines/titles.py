"""Report titles: is a title an information-disclosure annual report's, of which year and agency.

One recogniser for the crawler (anchor texts, page titles, attachment file names:
crawler.discovery scores links with it and the spider flags reports) and for the pipelines
(the title line of an extracted text: pipelines.metadata and pipelines.parse).

- ``recognize(title, anchor, url)``: report wording (政府信息公开 / 政务公开 … 年度报告 / 年报)
  without trap words (关于报送…的通知, 指南, 工作要点, 解读 …: notices, guides and plans about
  reports are not reports) and with a year; the title wins over the anchor, the URL helps
  only when neither says anything.
- ``parse_title(title)``: the year and the agency a report title prints, by its shape: agency
  before the year (``洛宁县人民政府办公室2023年…``), after it (``2023年洛阳市教育局…``), or
  the year in brackets after 报告 (``…年度报告（2023年度）``); ``二〇二一年`` and full-width
  digits read too. A title that prints only a generic office (``政府办公室``) gives no agency.
- ``find_title(text)``: the title line in an extracted text (also wrapped over two lines).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

#: the earliest report year read (local disclosure rules, e.g. Shanghai's and Guangzhou's,
#: predate the national Regulations of 2008)
FIRST_YEAR = 2000

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_YEAR = r"(?P<year>(?:19|20)\d{2}|[二][〇○零O][〇○零O一二三四五六七八九]{2})"
_YEAR_WORD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度|年)")
_YEAR_BARE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

# --- report wording and traps (is it a report?) --------------------------------------------
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
_REPORT_URL = re.compile(r"(?:gknb|xxgknb|ndbg|nianbao|annual[-_]?report|zfxxgkndbg)", re.I)

# --- title shapes (which year, which agency?) ----------------------------------------------
_AGENCY_END = (r"人民政府办公室|人民政府|办公室|办公厅|委员会|管理委员会|管委会|局|委|厅|院|署|所|站|中心|"
               r"街道办事处|办事处|乡|镇|街道|县|市|区|旗|公司|馆|队|会|部|处|社")


@dataclass(frozen=True)
class _Shapes:
    """The title shapes for one disclosure wording, in the order they are tried."""

    agency_first: re.Pattern[str]
    year_first_body: re.Pattern[str]
    year_first: re.Pattern[str]
    year_after: re.Pattern[str]

    @classmethod
    def of(cls, core: str, after_agency: str, after_body: str) -> "_Shapes":
        """``core``: the disclosure words (spaces allowed between characters); ``after_agency``:
        the words that end an agency printed after the year; ``after_body``: the same right
        after a body word (局, 人民政府 …)."""
        report = r"\s*(?:工\s*作)?\s*(?:年\s*度)?\s*(?:报\s*告|年\s*报)"
        agency = r"(?P<agency>[^\s，。：:；;、]{0,40}?)"
        return cls(
            # "洛宁县人民政府办公室2023年(度)(的)政府信息公开(工作)(年度)报告"
            re.compile(agency + r"\s*(?:关于)?\s*" + _YEAR + r"\s*年\s*度?\s*(?:的)?\s*" + core + report),
            # "2023年洛阳市人民政府信息公开工作年度报告": an agency ending in a body word right
            # before 信息公开 (tried first: 人民政府信息公开 is not 人民 + 政府信息公开)
            re.compile(_YEAR + r"\s*年\s*度?\s*(?P<agency>[^\s，。：:；;、\d]{1,40}?(?:" + _AGENCY_END
                       + r"))\s*" + after_body + r"(?:工作)?(?:年度)?(?:报告|年报)"),
            # "2023年洛阳市教育局政府信息公开工作年度报告"
            re.compile(_YEAR + r"\s*年\s*度?\s*(?P<agency>[^\s，。：:；;、\d]{2,40}?)\s*" + after_agency
                       + r"(?:工作)?(?:年度)?(?:报告|年报)"),
            # "洛阳市教育局政府信息公开工作年度报告（2023年度）"
            re.compile(agency + r"\s*" + core + r"\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)\s*[（(]\s*"
                       + _YEAR + r"\s*年?\s*度?\s*[)）]"),
        )

    def __iter__(self):
        return iter((self.agency_first, self.year_first_body, self.year_first, self.year_after))


#: a title as given (page title, anchor, file name): 政府信息公开 / 信息公开 / 政务公开 /
#: 信息与政务公开 (the wordings of older reports, 柘城县国税局2016年度信息与政务公开工作报告)
TITLE_SHAPES = _Shapes.of(r"(?:(?:政府|政务)?\s*信\s*息\s*(?:与\s*政\s*务\s*)?公\s*开|政\s*务\s*公\s*开)",
                          r"(?:(?:政府|政务)\s*信息(?:与政务)?公开|政务公开)", r"信息(?:与政务)?公开")
#: a title line searched in running text: the 信息公开 wording only, so that a sentence such as
#: 现将我办2023年度政务公开工作报告如下 is not taken for the title
TEXT_SHAPES = _Shapes.of(r"(?:政府|政务)?\s*信\s*息\s*公\s*开", r"(?:政府|政务)\s*信息公开", r"信息公开")

# Section headings and list markers that can sit in front of a title line in extracted text.
# (also "[2023]" / "【附件】" prefixes and the 公布/发布 of "关于公布…年度报告")
_LEADING_JUNK = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|总体情况|关于|公布|发布|附件\s*\d*[:：]?|"
                           r"[\[【(（][^\]】)）]{0,12}[\]】)）]|[\-—_*#>\s]+)+")
# A title that names no body: no place, just an office word.
_GENERIC_AGENCY = re.compile(
    r"^(?:本|我)?(?:省|市|县|区|州|盟|旗|镇|乡|街道)?(?:人民)?(?:政府)?(?:办公室|办公厅|机关|单位)?$|^(?:本|我)(?:办|局|委|院|厅|机关|单位)$")


@dataclass(frozen=True)
class ReportGuess:
    is_report: bool
    year: int | None = None
    agency: str | None = None
    reason: str = ""          # why not (trap word, no year, …) or which text matched


def latest_year() -> int:
    """The latest year a report can be of (next year's, for a portal's clock running ahead)."""
    return dt.date.today().year + 1


def normalize(text: str | None) -> str:
    """NFKC (full-width digits/letters → ASCII), collapse whitespace, drop zero-width chars."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"\s+", "", t)


def _cn_years(text: str) -> str:
    return _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)) + "年", text)


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def parse_year(token: str) -> int | None:
    """'2023' or '二〇二三' -> 2023, within FIRST_YEAR..next year."""
    digits = "".join(_CN_DIGITS.get(c, c) for c in token)
    if not digits.isdigit():
        return None
    year = int(digits)
    return year if FIRST_YEAR <= year <= latest_year() else None


def find_year(text: str) -> int | None:
    """The first plausible year in a text: '2023年' / '2023年度' / '二〇二三年'."""
    t = _cn_years(normalize(text))
    for m in _YEAR_WORD.finditer(t):
        y = int(m.group(1))
        if FIRST_YEAR <= y <= latest_year():
            return y
    return None


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
    shapes = TITLE_SHAPES
    for rx in shapes:
        m = _title_match(s, rx)
        if not m:
            continue
        year = parse_year(m.group("year"))
        agency = clean_agency(m.group("agency"))
        if agency is not None and (is_generic_agency(agency) or len(agency) < 2):
            agency = None
        if year is not None:
            if agency is None and rx is shapes.agency_first:
                # "2023年洛宁县…政府信息公开工作年度报告": agency after the year
                for rx2 in (shapes.year_first_body, shapes.year_first):
                    m2 = _title_match(s, rx2)
                    a2 = clean_agency(m2.group("agency")) if m2 else None
                    if a2 and not is_generic_agency(a2):
                        agency = a2
                        break
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
        m = next((m for m in (_title_match(cand, rx) for rx in TEXT_SHAPES) if m), None)
        if m and len(cand) <= 120:
            return re.sub(r"\s+", " ", cand[: m.end()]).strip()
    return None


# ---------------------------------------------------------------- is it a report?

def has_report_word(text: str | None) -> bool:
    """年度报告 / 年报 somewhere (a 年报 column, a trap-worded notice: worth a look, not a report)."""
    return bool(_REPORT_WORD.search(normalize(text)))


def _recognize_text(text: str) -> ReportGuess | None:
    """The guess for one normalized text; None when it has no report wording at all."""
    t = _cn_years(text)
    if not (_REPORT_CORE.search(t) or (_REPORT_WORD.search(t) and "公开" in t)):
        return None
    for w in TRAP_WORDS:
        if w in t:
            return ReportGuess(False, reason=f"trap word {w!r} in {text!r}")
    year, agency = parse_title(t)
    if year is None:  # a shape no pattern reads ("…政府信息公开工作2023年度报告"): any year
        year = find_year(t)
    if year is None:
        return ReportGuess(False, reason=f"no report year in {text!r}")
    return ReportGuess(True, year, agency, reason=text)


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
        guess = _recognize_text(text)
        if guess is not None:
            return guess
    if url and not texts:
        m = _REPORT_URL.search(url)
        y = _YEAR_BARE.search(urlsplit(url).path)
        if m and y and FIRST_YEAR <= int(y.group(1)) <= latest_year():
            return ReportGuess(True, int(y.group(1)), None, reason=f"url {url}")
    return ReportGuess(False, reason="no report wording")
