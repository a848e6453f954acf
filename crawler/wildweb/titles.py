"""How real pages print a report's title, a listing's anchor text, and what decoys say.

Title styles put the year and the agency in the places real portals do (before/after each
other, 年度 or 年, a Chinese-numeral year, the year in parentheses, 年报 for 年度报告, the
agency shortened to what the portal's own region makes obvious, no agency, no year). Anchor
styles are what the listing shows of it (the title, a truncated title with the full one in
``title=``, only "2023年度", the file name of an attachment).
"""
from __future__ import annotations

import logging
import random

logger = logging.getLogger(__name__)

CORE = "政府信息公开工作年度报告"
_CN = dict(zip("0123456789", "〇一二三四五六七八九"))

#: (weight, style); styles marked ``needs_main`` only for the portal's own agency
TITLE_STYLES = (
    (30, "std"), (10, "year_first"), (10, "niandu"), (8, "paren"), (7, "cn_year"), (8, "no_agency"),
    (8, "short_agency"), (7, "nianbao"), (7, "no_year"), (5, "niandu_twice"),
)
ANCHOR_STYLES = ((55, "same"), (15, "truncated"), (10, "year_only"), (10, "dated"), (10, "file"))


def cn_year(year: int) -> str:
    return "".join(_CN[c] for c in str(year))


def title_for(style: str, agency: str | None, short: str | None, year: int) -> str:
    a = agency or ""
    return {
        "std": f"{a}{year}年{CORE}",
        "year_first": f"{year}年{a}{CORE}",
        "niandu": f"{a}{year}年度政府信息公开工作报告",
        "paren": f"{a}{CORE}（{year}年）",
        "cn_year": f"{a}{cn_year(year)}年{CORE}",
        "no_agency": f"{year}年{CORE}",
        "short_agency": f"{short or a}{year}年{CORE}",
        "nianbao": f"{a}{year}年政府信息公开年报",
        "no_year": f"{a}{CORE}",
        "niandu_twice": f"{a}{year}年度{CORE}",
    }[style]


def anchor_for(style: str, title: str, year: int, date: str, ext: str | None) -> tuple[str, str | None]:
    """(anchor text, title attribute or None)."""
    if style == "truncated" and len(title) > 18:
        return title[:16] + "...", title
    if style == "year_only":
        return f"{year}年度", title
    if style == "dated":
        return f"[{date}] {title}", None
    if style == "file" and ext:
        return f"{title}.{ext}", None
    return title, None


def pick(r: random.Random, table: tuple[tuple[int, str], ...]) -> str:
    return r.choices([s for _, s in table], weights=[w for w, _ in table])[0]


#: decoy kind -> (title template, body text); {a} agency, {r} region, {g} government, {y} year, {n} next year
DECOYS: dict[str, tuple[str, str]] = {
    "notice": ("关于做好{y}年度政府信息公开工作年度报告编制发布工作的通知",
               "各乡镇人民政府、街道办事处，{r}人民政府各部门：根据《中华人民共和国政府信息公开条例》规定，请各单位于{n}年1月31日前"
               "编制完成并向社会公布本单位{y}年政府信息公开工作年度报告，同时报送{r}政务公开办公室备案。"),
    "notice_submit": ("关于报送{y}年政府信息公开工作年度报告的通知",
                      "请各单位按照国办公开办函〔2021〕30号规定的格式，于{n}年1月20日前报送{y}年政府信息公开工作年度报告电子版。"),
    "guide": ("{a}政府信息公开指南",
              "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。一、主动公开；二、依申请公开；三、监督和救济。"),
    "workplan": ("{r}{n}年政务公开工作要点",
                 "为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，结合本地实际，制定本要点。一、围绕稳定经济运行加强政务公开。"),
    "gov_work_report": ("{n}年{g}政府工作报告",
                        "各位代表：现在，我代表{g}，向大会报告政府工作，请予审议，并请政协委员提出意见。一、{y}年工作回顾。"),
    "stats_bulletin": ("{r}{y}年国民经济和社会发展统计公报",
                       "{y}年，全{lvl}上下坚持稳中求进工作总基调，经济运行总体平稳。初步核算，全年地区生产总值比上年增长5.2%。"),
    "rule_of_law": ("{a}{y}年法治政府建设年度报告",
                    "{y}年，{a}深入学习贯彻习近平法治思想，全面推进依法行政，现将{y}年度法治政府建设情况报告如下。"),
    "interpretation": ("图解：{a}{y}年政府信息公开工作年度报告",
                       "一图读懂{a}{y}年政府信息公开工作年度报告。（图片）"),
    "format_notice": ("关于印发政府信息公开工作年度报告格式的通知",
                      "现将新修订的政府信息公开工作年度报告格式印发给你们，请遵照执行。自{n}年起，年度报告统一按照新格式编制。"),
    "budget": ("{a}{y}年度部门决算公开", "根据预算法有关规定，现将{a}{y}年度部门决算公开如下。一、部门基本情况。"),
    "website_report": ("{s}{y}年政府网站工作年度报表", "依据《政府网站发展指引》，现将本网站{y}年度工作报表公开如下：网站名称、首页网址、主办单位……"),
}


def decoy_text(kind: str, *, agency: str, region: str, government: str, site: str, year: int, level: str) -> tuple[str, str]:
    t, body = DECOYS[kind]
    kw = {"a": agency, "r": region, "g": government, "y": year, "n": year + 1, "s": site, "lvl": "市" if level == "city" else "县"}
    return t.format(**kw), body.format(**kw)
