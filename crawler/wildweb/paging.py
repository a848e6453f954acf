"""Pagination of listings: how page N of a column is addressed and how the pager is drawn.

URL schemes (``SCHEMES``): static file series (``index.html, index_1.html …`` as TRS writes
them, ``index_2.html`` / ``list_2.html`` / ``ndbg_2.html`` as EmpireCMS, 开普云 and home-made
sites do), dynamic scripts with a page parameter (``?page=N``, ``&pageNo=N``,
``pageIndex=N``), the Hanweb POST data proxy and JSON list APIs (both with their own pager
inside the page's script) and single-page columns.

Pagers (``PAGERS``): numbered links with 下一页/尾页, 下一页/尾页 only, TRS
``createPageHTML(total, current, "index", "html")`` (no anchors in the HTML at all), a
``countPage``/``currentPage`` counter script that writes the links, and a GET form with a
page-number input (dynamic schemes).
"""
from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from .idioms import inline_link

logger = logging.getLogger(__name__)

e = html.escape

STATIC_SCHEMES = ("index_N", "index_N+1", "list_N", "_N")
QUERY_SCHEMES = ("page", "pageNo", "pageIndex")
SCHEMES = STATIC_SCHEMES + QUERY_SCHEMES + ("hanweb_proxy", "json_api", "single")
PAGERS = ("numbers", "next_only", "create_page_html", "script_counter", "form_get")


@dataclass
class Addressing:
    """Where the pages of one listing live."""
    scheme: str
    directory: str                 # static: the column directory ("/xxgk/ndbg/")
    ext: str                       # static page extension
    script: str = ""               # dynamic: the list script
    params: dict | None = None     # dynamic: its fixed parameters

    def url(self, k: int) -> str:
        """Path (with query) of page ``k`` (1-based)."""
        s = self.scheme
        if s in ("single", "hanweb_proxy", "json_api") or (s in STATIC_SCHEMES and k == 1):
            return self.first_static()
        if s == "index_N":
            return f"{self.directory}index_{k - 1}{self.ext}"
        if s == "index_N+1":
            return f"{self.directory}index_{k}{self.ext}"
        if s == "list_N":
            return f"{self.directory}list_{k}{self.ext}"
        if s == "_N":
            return f"{self.directory.rstrip('/')}_{k}{self.ext}"
        q = dict(self.params or {})
        if k > 1:
            q[s] = str(k)
        return f"{self.script}?{urlencode(q)}"

    def first_static(self) -> str:
        if self.scheme in QUERY_SCHEMES:
            return f"{self.script}?{urlencode(self.params or {})}"
        if self.scheme == "list_N":
            return f"{self.directory}list{self.ext}"
        if self.scheme == "_N":
            return f"{self.directory.rstrip('/')}{self.ext}"
        return f"{self.directory}index{self.ext}"

    def stem(self) -> tuple[str, str, int]:
        """(prefix, suffix, number of page 2) of a static series, for counter scripts."""
        if self.scheme == "_N":
            return self.directory.rstrip("/").rsplit("/", 1)[-1] + "_", self.ext, 2
        name = "list" if self.scheme == "list_N" else "index"
        return name + "_", self.ext, 1 if self.scheme == "index_N" else 2


def _rel_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def pager_html(a: Addressing, pager: str, idiom: str, form: str, k: int, n: int, page_path: str) -> tuple[str, str]:
    """(pager markup, extra <head> markup) for page ``k`` of ``n``."""
    if n <= 1:
        return '<div class="page">共1页</div>', ""
    if pager == "create_page_html":
        ext = a.ext.lstrip(".")
        return (f'<div class="page"><script type="text/javascript">createPageHTML({n}, {k - 1}, "index", "{ext}");'
                "</script></div>", '<script type="text/javascript" src="/js/page.js"></script>\n')
    if pager == "script_counter":
        return _counter_script(a, k, n), ""
    if pager == "form_get":
        return _form_pager(a, k, n), ""
    parts = [f"<span>共{n}页</span>", f"<span>当前第{k}/{n}页</span>"]

    def lk(j: int, text: str) -> str:
        url = a.url(j)
        target = _rel_name(url) if a.scheme in STATIC_SCHEMES and url.rsplit("/", 1)[0] == page_path.rsplit("/", 1)[0] else url
        return inline_link(idiom, form, target, text, cls="pagebtn")

    if k > 1:
        parts += [lk(1, "首页"), lk(k - 1, "上一页")]
    else:
        parts += ["<span>首页</span>", "<span>上一页</span>"]
    if pager == "numbers":
        for j in range(1, n + 1):
            parts.append(f'<span class="current">{j}</span>' if j == k else lk(j, str(j)))
    if k < n:
        parts += [lk(k + 1, "下一页"), lk(n, "尾页")]
    else:
        parts += ["<span>下一页</span>", "<span>尾页</span>"]
    return '<div class="page">' + " ".join(parts) + "</div>", ""


def _counter_script(a: Addressing, k: int, n: int) -> str:
    prefix, ext, second = a.stem()
    first = _rel_name(a.first_static())
    off = second - 1          # number written for page index i (0-based) is i + off
    return (
        '<div class="page"><script language="javascript">\n'
        f"var countPage = {n};//共多少页\nvar currentPage = {k - 1};//所在页从0开始\n"
        "var prevPage = currentPage-1;\nvar nextPage = currentPage+1;\n"
        f'document.write("共"+countPage+"页&nbsp;&nbsp;");\n'
        "if (currentPage > 0) {\n"
        f'  document.write("<a href=\\"{first}\\">首页</a>&nbsp;");\n'
        f'  if (prevPage == 0) document.write("<a href=\\"{first}\\">上一页</a>&nbsp;");\n'
        f'  else document.write("<a href=\\"{prefix}"+(prevPage+{off})+"{ext}\\">上一页</a>&nbsp;");\n'
        "}\n"
        "if (nextPage < countPage) {\n"
        f'  document.write("<a href=\\"{prefix}"+(nextPage+{off})+"{ext}\\">下一页</a>&nbsp;");\n'
        f'  document.write("<a href=\\"{prefix}"+(countPage-1+{off})+"{ext}\\">尾页</a>");\n'
        "}\n</script></div>"
    )


def _form_pager(a: Addressing, k: int, n: int) -> str:
    hidden = "".join(f'<input type="hidden" name="{e(p)}" value="{e(v)}">' for p, v in (a.params or {}).items())
    return (f'<div class="page"><form name="pageForm" action="{e(a.script)}" method="get">{hidden}'
            f"<span>共{n}页 当前第{k}页</span> 转到第"
            f'<input type="text" name="{e(a.scheme)}" size="3" value="{k}" class="page-input">页 '
            '<input type="submit" value="GO" class="page-go"></form></div>')


# --- list APIs found only in the page's own script ---------------------------------------------

#: JSON shapes: (records path, total-pages key, (title, url, date) keys)
JSON_SHAPES = {
    "data.list": (("data", "list"), ("data", "pages"), ("title", "url", "publishTime")),
    "rows": (("rows",), ("pageCount",), ("docTitle", "docUrl", "docDate")),
    "result.records": (("result", "records"), ("result", "pages"), ("name", "link", "date")),
    "data": (("data",), ("pageTotal",), ("title", "href", "time")),
}
#: how the page's script calls the API
CALLERS = ("fetch", "ajax", "getJSON")


def json_page(shape: str, records: list[dict], k: int, n: int, total: int) -> bytes:
    path, pages_key, (tk, uk, dk) = JSON_SHAPES[shape]
    recs = [{"id": r["id"], tk: r["title"], uk: r["url"], dk: r["date"]} for r in records]
    body: dict = {}
    node = body
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = recs
    node = body
    for p in pages_key[:-1]:
        node = node.setdefault(p, {})
    node[pages_key[-1]] = n
    body.update({"code": 200, "total": total, "page": k})
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def json_caller(caller: str, api: str, params: dict, page_param: str, shape: str, per: int) -> str:
    """The column page's script that loads and renders the records (the API URL lives only here)."""
    _, _, (tk, uk, dk) = JSON_SHAPES[shape]
    path = JSON_SHAPES[shape][0]
    recs = "res" + "".join(f".{p}" for p in path)
    render = (f'var h="";var list={recs}||[];for(var i=0;i<list.length;i++){{h+="<li><a href=\\""+list[i].{uk}+'
              f'"\\" target=\\"_blank\\">"+list[i].{tk}+"</a><span class=\\"date\\">"+list[i].{dk}+"</span></li>";}}'
              'document.getElementById("docList").innerHTML=h;')
    fixed = "&".join(f"{p}={v}" for p, v in params.items())
    if caller == "fetch":
        call = (f'fetch("{api}?{fixed}&{page_param}="+page+"&pageSize={per}").then(function(r){{return r.json();}})'
                f".then(function(res){{{render}}});")
    elif caller == "ajax":
        data = ",".join(f'{p}:"{v}"' for p, v in params.items())
        call = (f'$.ajax({{url:"{api}",type:"GET",dataType:"json",data:{{{data},{page_param}:page,pageSize:{per}}},'
                f"success:function(res){{{render}}}}});")
    else:
        data = ",".join(f'{p}:"{v}"' for p, v in params.items())
        call = f'$.getJSON("{api}",{{{data},{page_param}:page,pageSize:{per}}},function(res){{{render}}});'
    return (f'<ul id="docList" class="list"></ul><div id="pager" class="page"></div>\n<script type="text/javascript">\n'
            f"function loadPage(page){{{call}}}\n$(function(){{loadPage(1);}});\n</script>")


def hanweb_column(unit: int, col: int, per: int, total: int, first_records: str, site_name: str) -> str:
    """A Hanweb jcms column: the first records inline as XML, the rest from dataproxy.jsp by POST."""
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1'
        f'&webid=1&path=/&columnid={col}&unitid={unit}&webname={quote(site_name)}&permissiontype=0"></a>]]></nextgroup>'
        f"<recordset>{first_records}</recordset></datastore></script>"
        f'<script type="text/javascript">$(document).ready(function(){{$("#{unit}").jpage({{dataStore:dataStore,'
        f'perPage:{per},totalRecord:{total},proxyUrl:"/module/web/jpage/dataproxy.jsp",groupSize:1,barPosition:"bottom",'
        f'ajaxType:"post",ajaxParam:{{col:1,appid:1,webid:1,path:"/",columnid:{col},sourceContentType:1,unitid:{unit},'
        f'webname:"{e(site_name)}",permissiontype:0}}}});}});</script></div>'
    )


def hanweb_proxy_xml(records: str, total: int, per: int, charset: str) -> bytes:
    xml = (f'<?xml version="1.0" encoding="{charset.upper()}"?>\n<datastore><nextgroup><![CDATA[]]></nextgroup>'
           f"<recordset>{records}</recordset><totalrecord>{total}</totalrecord>"
           f"<totalpage>{-(-total // per)}</totalpage></datastore>")
    return xml.encode(charset, errors="xmlcharrefreplace")
