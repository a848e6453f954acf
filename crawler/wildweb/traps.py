"""Infinite URL spaces a crawler must bound, as real portals grow them.

Each kind answers every URL of its template with a page (or a redirect) that links further
into the template, forever: an event calendar (next/previous month and day views), a date
archive (one directory per day, previous day by a relative link), a site search (page N+1
and related searches with report-like wording), session ids in the path (each page links on
with a new ``;jsessionid=``), a broken relative link that nests a directory deeper on every
hop, and redirect loops/chains. ``template`` is the URL with its numbers/dates/ids abstracted
— what a crawler's per-template budget should key on — and ``pattern`` matches every URL of it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

logger = logging.getLogger(__name__)

e = html.escape

KINDS = ("calendar", "date_archive", "search", "session_id", "deep_relative", "redirect_loop", "redirect_chain")


@dataclass(frozen=True)
class Trap:
    kind: str
    entry: str        # first URL (path + query) a page links to
    template: str
    pattern: str      # regex over path + query
    title: str        # anchor text of the entry link


@dataclass
class TrapPage:
    status: int
    title: str = ""
    body: str = ""
    location: str | None = None


def make(kind: str, variant: int) -> Trap:
    """The trap of ``kind``; ``variant`` picks among the shapes real sites use."""
    if kind == "calendar":
        if variant % 2:
            return Trap(kind, "/hdjl/hdrl/calendar.jsp?date=2024-01", "/hdjl/hdrl/calendar.jsp?date={date}",
                        r"^/hdjl/hdrl/calendar\.jsp\?", "活动日历")
        return Trap(kind, "/zwdt/rl/index.html?year=2024&month=1", "/zwdt/rl/index.html?year={n}&month={n}[&day={n}]",
                    r"^/zwdt/rl/index\.html\?", "工作日程")
    if kind == "date_archive":
        return Trap(kind, "/xwzx/archive/2024/01/31/", "/xwzx/archive/{n}/{n}/{n}/", r"^/xwzx/archive/\d+/", "往期回顾")
    if kind == "search":
        return Trap(kind, "/search/index.jsp?q=" + quote("政府信息公开年报") + "&page=1",
                    "/search/index.jsp?q={q}&page={n}[&sort={s}]", r"^/search/", "热门搜索：政府信息公开年报")
    if kind == "session_id":
        sid = hashlib.md5(f"sid{variant}".encode()).hexdigest().upper()
        return Trap(kind, f"/wsbs/index.jsp;jsessionid={sid}", "/wsbs/{name}.jsp;jsessionid={sid}[?id={n}]",
                    r"^/wsbs/\w+\.jsp;jsessionid=", "网上办事")
    if kind == "deep_relative":
        return Trap(kind, "/xxgk/zcwj/index.html", "/xxgk/zcwj/(xxgk/zcwj/)*index.html", r"^/xxgk/zcwj/", "政策文件")
    if kind == "redirect_loop":
        return Trap(kind, "/go.jsp?url=" + quote("/zwfw/a.html", safe=""), "/go.jsp?url={path}", r"^/go\.jsp\?", "办事大厅")
    if kind == "redirect_chain":
        return Trap(kind, "/r/1", "/r/{n}", r"^/r/\d+", "在线服务")
    raise ValueError(kind)


def respond(trap: Trap, path: str, query: dict[str, str], raw: str) -> TrapPage | None:
    """The page at ``raw`` (path + query) if it belongs to ``trap``, else None."""
    if not re.match(trap.pattern, raw):
        return None
    return _HANDLERS[trap.kind](path, query, raw)


def _calendar(path: str, q: dict[str, str], raw: str) -> TrapPage:
    if path.endswith("calendar.jsp"):
        try:
            y, m = (int(x) for x in q.get("date", "2024-01")[:7].split("-"))
        except ValueError:
            y, m = 2024, 1
        day = q.get("date", "")[8:10]

        def u(yy: int, mm: int, d: str = "") -> str:
            return "calendar.jsp?date=" + f"{yy:04d}-{mm:02d}" + (f"-{d}" if d else "")
    else:
        try:
            y, m = int(q.get("year", "2024")), int(q.get("month", "1"))
        except ValueError:
            y, m = 2024, 1
        day = q.get("day", "")

        def u(yy: int, mm: int, d: str = "") -> str:
            return "index.html?" + urlencode({"year": yy, "month": mm, **({"day": d} if d else {})})
    m = min(max(m, 1), 12)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    py, pm = (y - 1, 12) if m == 1 else (y, m - 1)
    days = "".join(f'<td><a href="{e(u(y, m, f"{d:02d}"))}">{d}</a></td>' for d in range(1, 29, 3))
    body = (f'<div class="calendar"><h3>{y}年{m}月{(day + "日") if day else ""} 工作日程</h3>'
            f'<p><a href="{e(u(py, pm))}">上一月</a> <a href="{e(u(ny, nm))}">下一月</a></p>'
            f'<table class="cal"><tr>{days}</tr></table><p>本日暂无安排。</p></div>')
    return TrapPage(200, f"工作日程 {y}年{m}月", body)


def _archive(path: str, q: dict[str, str], raw: str) -> TrapPage:
    m = re.match(r"^/xwzx/archive/(\d+)/(\d+)/(\d+)/", path)
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else dt.date(2024, 1, 31)
    except ValueError:
        day = dt.date(2024, 1, 31)
    prev, nxt = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    body = (f"<h3>{day.year}年{day.month}月{day.day}日 新闻归档</h3><p>当日暂无新闻。</p>"
            f'<p><a href="../../../{prev.year}/{prev.month:02d}/{prev.day:02d}/">前一天</a> '
            f'<a href="../../../{nxt.year}/{nxt.month:02d}/{nxt.day:02d}/">后一天</a></p>')
    return TrapPage(200, f"新闻归档 {day.isoformat()}", body)


def _search(path: str, q: dict[str, str], raw: str) -> TrapPage:
    word = q.get("q", "")
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    sort = q.get("sort", "relevance")
    related = ["2023年政府信息公开工作年度报告", "政府信息公开工作年度报告", "政务公开 年报", word + " 2022"]
    rel = " ".join(f'<a href="index.jsp?{e(urlencode({"q": r, "page": 1}))}">{e(r)}</a>' for r in related)
    body = (f'<div class="search-result"><p>搜索“{e(word)}”，找到约 {1000 + len(word)} 条结果（第{page}页）</p>'
            f'<p>排序：<a href="index.jsp?{e(urlencode({"q": word, "page": page, "sort": "date"}))}">按时间</a> '
            f'<a href="index.jsp?{e(urlencode({"q": word, "page": page, "sort": "relevance"}))}">按相关度</a></p>'
            f"<ul><li>（结果摘要）{e(word)} …… 第{page}页 排序{e(sort)}</li></ul>"
            f'<p><a href="index.jsp?{e(urlencode({"q": word, "page": page + 1, "sort": sort}))}">下一页</a></p>'
            f"<p>相关搜索：{rel}</p></div>")
    return TrapPage(200, "搜索结果", body)


def _session(path: str, q: dict[str, str], raw: str) -> TrapPage:
    # a client without cookies gets a new session on every response, and every link carries it
    nxt = hashlib.md5(raw.encode()).hexdigest().upper()
    m = re.search(r"[?&]id=(\d+)", raw)
    n = int(m.group(1)) + 1 if m else 1
    body = (f'<ul class="list"><li><a href="/wsbs/item.jsp;jsessionid={nxt}?id={n}">办事事项{n}</a></li></ul>'
            f'<p><a href="/wsbs/index.jsp;jsessionid={nxt}">返回网上办事首页</a></p>')
    return TrapPage(200, "网上办事", body)


def _deep(path: str, q: dict[str, str], raw: str) -> TrapPage:
    # a template whose links forgot the leading slash: every hop nests one level deeper
    body = ('<ul class="sub-nav"><li><a href="xxgk/zcwj/index.html">政策文件</a></li>'
            '<li><a href="xxgk/zcwj/gfxwj.html">规范性文件</a></li></ul><p>暂无信息。</p>')
    return TrapPage(200, "政策文件", body)


def _loop(path: str, q: dict[str, str], raw: str) -> TrapPage:
    target = q.get("url", "/zwfw/a.html")
    other = "/zwfw/b.html" if target.endswith("a.html") else "/zwfw/a.html"
    return TrapPage(302, location="/go.jsp?" + urlencode({"url": other}))


def _chain(path: str, q: dict[str, str], raw: str) -> TrapPage:
    m = re.match(r"^/r/(\d+)", path)
    n = int(m.group(1)) if m else 1
    return TrapPage(302, location=f"/r/{n + 1}")


_HANDLERS = {"calendar": _calendar, "date_archive": _archive, "search": _search, "session_id": _session,
             "deep_relative": _deep, "redirect_loop": _loop, "redirect_chain": _chain}
