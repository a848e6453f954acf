"""Link idioms: every way a portal page carries a URL that a browser navigates to.

Inline idioms put one URL on one element: ``href``; ``data_attr`` (``data-url`` /
``data-href`` / ``data-link`` / ``data-src`` on li/div/tr/span, opened by a delegated click
handler); ``onclick`` (``window.open(…)``, ``location.href=…``, ``self.location=…``,
``window.location.assign(…)``, a site function ``openArt('…')`` / ``goto("…", 1)``, or
``onmouseup``); ``js_href`` (``href="javascript:…"`` calling those). Group idioms put several
URLs in one control: ``option`` (a year/column ``<select>`` navigating on change), ``area``
(an image map). ``script_literal`` lists records in an inline script (a JS array, a JSON
object in a variable or in a ``<script type="application/json">``, ``writeItem(…)`` calls).
Attachments inside an article come as ``href``, ``onclick``, ``data_attr``, ``iframe``,
``embed`` (``<embed>``/``<object>``) or ``pdf_viewer`` (pdf.js ``viewer.html?file=…``).

Each renderer takes the URL exactly as it is to be written (absolute, root-relative or
relative: the caller decides) and returns markup; ``FORMS`` lists each idiom's variants.
"""
from __future__ import annotations

import html
import json
import logging
from urllib.parse import quote

logger = logging.getLogger(__name__)

e = html.escape

INLINE = ("href", "data_attr", "onclick", "js_href")
GROUP = ("option", "area")
FORMS: dict[str, tuple[str, ...]] = {
    "href": ("plain", "title", "blank"),
    "data_attr": ("li:data-url", "div:data-href", "tr:data-link", "span:data-src", "li:data-href"),
    "onclick": ("window.open", "location.href", "self.location", "location.assign", "openArt", "goto", "onmouseup"),
    "js_href": ("openArt", "window.open", "location.href", "goto", "void-open"),
    "option": ("location.href", "window.open", "location"),
    "area": ("rect",),
    "script_literal": ("js_array", "json_var", "json_tag", "write_calls"),
    "attachment": ("href", "onclick", "data_attr", "iframe", "embed", "pdf_viewer"),
}
#: how a URL is written: root-relative path, relative to the page, or absolute with host
URL_FORMS = ("path", "relative", "absolute")

_ONCLICK = {
    "window.open": ("onclick", "window.open('{u}')"),
    "location.href": ("onclick", "location.href='{u}'"),
    "self.location": ("onclick", "self.location='{u}'"),
    "location.assign": ("onclick", "window.location.assign('{u}')"),
    "openArt": ("onclick", "openArt('{u}')"),
    "goto": ("onclick", 'goto("{u}", 1)'),
    "onmouseup": ("onmouseup", "window.open('{u}','_blank')"),
}
_JS_HREF = {
    "openArt": "javascript:openArt('{u}')",
    "window.open": "javascript:window.open('{u}')",
    "location.href": "javascript:location.href='{u}'",
    "goto": 'javascript:goto("{u}",1)',
    "void-open": "javascript:void(window.open('{u}'))",
}

#: site functions the handlers call; no URL literal in it
SITE_SCRIPT = (
    '<script type="text/javascript">\n'
    'function openArt(url){ window.open(url, "_blank"); }\n'
    "function goto(url, t){ if (t == 1) { window.open(url); } else { window.location.href = url; } }\n"
    '$(function(){ $("[data-url],[data-href],[data-link],[data-src]").css("cursor","pointer").click(function(){\n'
    '  var u = $(this).attr("data-url") || $(this).attr("data-href") || $(this).attr("data-link") || $(this).attr("data-src");\n'
    "  if (u) { window.open(u); } }); });\n</script>\n"
)


def _attr(name: str, js: str) -> str:
    """An event/href attribute; single-quoted when the code holds double quotes."""
    if '"' in js:
        return f"{name}='{e(js, quote=False)}'"
    return f'{name}="{e(js, quote=False)}"'


def _js(u: str) -> str:
    return u.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')


def inline_link(idiom: str, form: str, url: str, text: str, *, title: str | None = None, cls: str | None = None) -> str:
    """One clickable element carrying ``url``."""
    c = f' class="{cls}"' if cls else ""
    t = f' title="{e(title)}"' if title else ""
    if idiom == "href":
        tgt = ' target="_blank"' if form in ("blank", "title") else ""
        if form == "title" and not title:
            t = f' title="{e(text)}"'
        return f'<a href="{e(url)}"{tgt}{t}{c}>{e(text)}</a>'
    if idiom == "data_attr":
        tag, attr = form.split(":")
        tag = "span" if tag in ("li", "tr") else tag
        return f'<{tag} {attr}="{e(url)}"{t}{c}>{e(text)}</{tag}>'
    if idiom == "onclick":
        ev, code = _ONCLICK[form]
        return f'<a href="javascript:void(0)" {_attr(ev, code.format(u=_js(url)))}{t}{c}>{e(text)}</a>'
    if idiom == "js_href":
        return f"<a {_attr('href', _JS_HREF[form].format(u=_js(url)))}{t}{c}>{e(text)}</a>"
    raise ValueError(f"not an inline idiom: {idiom}")


def list_item(layout: str, idiom: str, form: str, url: str, text: str, date: str, *, title: str | None = None) -> str:
    """A listing row: ``<li>`` (layout 'ul') or ``<tr>`` (layout 'table'), the URL carried by ``idiom``."""
    if idiom == "data_attr":
        tag, attr = form.split(":")
        t = f' title="{e(title)}"' if title else ""
        if layout == "table":
            if tag == "tr":
                return f'<tr {attr}="{e(url)}"><td class="tit"{t}>{e(text)}</td><td class="date">{e(date)}</td></tr>'
            return f'<tr><td class="tit">{inline_link(idiom, form, url, text, title=title)}</td><td class="date">{e(date)}</td></tr>'
        if tag == "li":
            return f'<li {attr}="{e(url)}"{t}><span class="tit">{e(text)}</span><span class="date">{e(date)}</span></li>'
        return f'<li>{inline_link(idiom, form, url, text, title=title)}<span class="date">{e(date)}</span></li>'
    if idiom == "onclick" and layout == "ul" and form in ("window.open", "self.location"):
        # the whole row is clickable, as many list templates do it
        ev, code = _ONCLICK[form]
        t = f' title="{e(title)}"' if title else ""
        return f'<li {_attr(ev, code.format(u=_js(url)))}{t}><span class="tit">{e(text)}</span><span class="date">{e(date)}</span></li>'
    link = inline_link(idiom, form, url, text, title=title)
    if layout == "table":
        return f'<tr><td class="tit">{link}</td><td class="date">{e(date)}</td></tr>'
    return f'<li>{link}<span class="date">{e(date)}</span></li>'


def wrap_list(layout: str, rows: list[str]) -> str:
    if layout == "table":
        return ('<table class="list-table" width="100%" cellspacing="0" cellpadding="0"><tbody>'
                '<tr class="th"><td>标题</td><td>发布日期</td></tr>' + "".join(rows) + "</tbody></table>")
    return '<ul class="list">' + "".join(rows) + "</ul>"


def option_group(form: str, entries: list[tuple[str, str]], label: str = "请选择年度") -> str:
    """A ``<select>`` whose option values are the URLs; navigating on change."""
    handler = {"location.href": "window.location.href=this.options[this.selectedIndex].value",
               "window.open": "if(this.value){window.open(this.value)}",
               "location": "if(this.value!=''){location=this.value}"}[form]
    opts = "".join(f'<option value="{e(u)}">{e(t)}</option>' for u, t in entries)
    return (f'<div class="select-box"><span>{e(label)}：</span><select name="sel" onchange="{e(handler)}">'
            f'<option value="">--{e(label)}--</option>{opts}</select></div>')


def area_group(name: str, entries: list[tuple[str, str]], image: str = "/images/banner_ndbg.jpg") -> str:
    """An image map: one ``<area>`` per URL."""
    areas = "".join(f'<area shape="rect" coords="{i * 160},0,{i * 160 + 150},80" href="{e(u)}" alt="{e(t)}" '
                    f'title="{e(t)}" target="_blank">' for i, (u, t) in enumerate(entries))
    return (f'<div class="banner-map"><img src="{image}" usemap="#{name}" border="0" width="{160 * max(1, len(entries))}" '
            f'height="80" alt="专题"><map name="{name}" id="{name}">{areas}</map></div>')


def script_records(form: str, records: list[dict], layout: str = "ul") -> str:
    """Records [{title, url, date}] in an inline script that renders them (document.write / innerHTML)."""
    if form == "js_array":
        items = ",".join("{title:'%s',url:'%s',time:'%s'}" % (_js(r["title"]), _js(r["url"]), r["date"]) for r in records)
        return ('<ul class="list" id="list"><script type="text/javascript">\n'
                f"var docs = [{items}];\n"
                "for (var i = 0; i < docs.length; i++) {\n"
                "  document.write('<li><a href=\"' + docs[i].url + '\" target=\"_blank\">' + docs[i].title + "
                "'</a><span class=\"date\">' + docs[i].time + '</span></li>');\n}\n</script></ul>")
    data = {"total": len(records), "list": [{"title": r["title"], "url": r["url"], "date": r["date"]} for r in records]}
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    render = ('var h = "";\nfor (var i = 0; i < pageData.list.length; i++) { var d = pageData.list[i];\n'
              '  h += "<li><a href=\\"" + d.url + "\\" target=\\"_blank\\">" + d.title + "</a><span>" + d.date + "</span></li>"; }\n'
              'document.getElementById("list").innerHTML = h;\n')
    if form == "json_var":
        return f'<ul class="list" id="list"></ul>\n<script type="text/javascript">\nvar pageData = {text};\n{render}</script>'
    if form == "json_tag":
        return (f'<ul class="list" id="list"></ul>\n<script type="application/json" id="listData">{text}</script>\n'
                '<script type="text/javascript">\nvar pageData = JSON.parse(document.getElementById("listData").textContent);\n'
                f"{render}</script>")
    if form == "write_calls":
        calls = "\n".join("writeItem('%s', '%s', '%s');" % (_js(r["title"]), _js(r["url"]), r["date"]) for r in records)
        return ('<ul class="list" id="list"><script type="text/javascript">\n'
                "function writeItem(t, u, d) { document.write('<li><a href=\"' + u + '\" target=\"_blank\" title=\"' + t + '\">' + "
                "t + '</a><span class=\"date\">' + d + '</span></li>'); }\n"
                f"{calls}\n</script></ul>")
    raise ValueError(form)


def attachment_link(form: str, url: str, text: str) -> str:
    """How an article page offers its attachment."""
    if form == "href":
        return f'<p class="attach">附件：<a href="{e(url)}" target="_blank">{e(text)}</a></p>'
    if form == "onclick":
        return (f'<p class="attach">附件：<a href="javascript:void(0)" onclick="window.open(\'{e(_js(url))}\')">'
                f"{e(text)}</a></p>")
    if form == "data_attr":
        return f'<p class="attach">附件：<span class="downfile" data-src="{e(url)}">{e(text)}</span></p>'
    if form == "iframe":
        return f'<div class="pdf-box"><iframe src="{e(url)}" width="100%" height="800" frameborder="0"></iframe></div>'
    if form == "embed":
        return (f'<div class="pdf-box"><object data="{e(url)}" type="application/pdf" width="100%" height="800">'
                f'<embed src="{e(url)}" type="application/pdf" width="100%" height="800"></object></div>')
    if form == "pdf_viewer":
        return (f'<div class="pdf-box"><iframe src="/pdfjs/web/viewer.html?file={quote(url, safe="")}" width="100%" '
                'height="800" frameborder="0"></iframe></div>')
    raise ValueError(form)
