"""HTML: decode, pick the content node, text in document order, tables with spans expanded.

On a known CMS content node (TRS_Editor, #zoom, ...) the node's DOM is walked directly:
it is already free of boilerplate and walking it keeps every paragraph and the position of
every table. Without one, trafilatura extracts the narrative from the whole page and the
data tables of the densest node are appended after it.
"""
from __future__ import annotations

import logging
import re

from lxml import etree

from pipelines.dates import iso_date

from .base import Extraction, ExtractionFailed, PageInfo, Table, cell_text, clean_line, count_chars, normalize_for_compare, rectangular, table_to_lines
from .charset import decode

logger = logging.getLogger(__name__)

# Content containers used by the CMSes Chinese government portals run on (TRS WCM, Hanweb,
# Dameng/Kaipu, site-built templates), most specific first.
CONTENT_SELECTORS = (
    ".TRS_Editor", ".TRS_UEDITOR", "#UCAP-CONTENT", "#zoom", "#Zoom", ".zoom", "#fontzoom",
    ".article-content", ".article_content", ".articleContent", "#article-content",
    ".pages_content", ".zwnr", ".wzzw", ".detail-content", ".detail_content", "#detail",
    ".news_content", ".newsContent", "#content", ".content", ".article", "article",
    ".main-content", ".main_content", "#main",
)
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "button", "select", "input", "textarea", "head"}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
    "blockquote", "pre", "center", "hr", "form", "header", "footer", "nav", "aside", "main", "address",
    "figure", "figcaption", "caption", "tr", "td", "th", "tbody", "thead", "tfoot", "table", "body", "html",
}
_META_TITLE = ("ArticleTitle", "og:title", "title", "dc.title", "DC.Title", "Title")
_META_DATE = (
    "PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime", "ArticlePubDate",
    "article:published_time", "og:published_time", "dc.date", "DC.Date", "DC.Date.Created",
    "dcterms.created", "publish_date", "Maketime", "createDate",
)
MAX_SPAN = 500


def _sel(tree, selector: str):
    if selector.startswith("."):
        cls = selector[1:]
        return tree.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")
    if selector.startswith("#"):
        return tree.xpath(f"//*[@id='{selector[1:]}']")
    return tree.xpath(f"//{selector}")


def _has_nested_table(tbl) -> bool:
    return bool(tbl.xpath(".//table"))


def _cell_text(el) -> str:
    if len(el) == 0:  # the common case: a bare text cell
        return cell_text(el.text or "")
    blocks = [e for e in el.iterdescendants() if isinstance(e.tag, str) and (e.tag == "br" or e.tag in _BLOCK)]
    if not blocks:
        return cell_text("".join(el.itertext()))
    if all(e.tag != "br" and e.getparent() is el for e in blocks):
        # flat <p>/<div> children only: one line each
        parts = [el.text or ""]
        for ch in el:
            parts.append("".join(ch.itertext()) if ch.tag in _BLOCK else (ch.text or ""))
            parts.append(ch.tail or "")
        return cell_text("\n".join(parts))
    parts: list[str] = []
    buf: list[str] = []

    def walk(e):
        if not isinstance(e.tag, str):
            if e.tail:
                buf.append(e.tail)
            return
        tag = e.tag.lower()
        if tag in _SKIP:
            if e.tail:
                buf.append(e.tail)
            return
        if tag == "br" or tag in _BLOCK:
            parts.append("".join(buf))
            buf.clear()
        if e.text and tag != "br":
            buf.append(e.text)
        for ch in e:
            walk(ch)
        if tag in _BLOCK:
            parts.append("".join(buf))
            buf.clear()
        if e.tail:
            buf.append(e.tail)

    if el.text:
        buf.append(el.text)
    for ch in el:
        walk(ch)
    parts.append("".join(buf))
    return cell_text("\n".join(parts))


def table_grid(tbl) -> list[list[str]]:
    """The table's grid with rowspan/colspan expanded (the spanned text repeats)."""
    rows = [tr for tr in tbl.iter("tr") if tr.getparent() is not None and _owner_table(tr) is tbl]
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        row: list[str | None] = []
        c = 0
        cells = [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
        for td in cells:
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(td)
            try:
                cs = max(1, min(int(td.get("colspan") or 1), MAX_SPAN))
            except ValueError:
                cs = 1
            try:
                rs = max(1, min(int(td.get("rowspan") or 1), MAX_SPAN))
            except ValueError:
                rs = 1
            for k in range(cs):
                row.append(text)
                for dr in range(1, rs):
                    if r + dr < len(rows):
                        pending[(r + dr, c + k)] = text
            c += cs
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    return rectangular([[x or "" for x in row] for row in grid])


def _owner_table(tr):
    p = tr.getparent()
    while p is not None and (not isinstance(p.tag, str) or p.tag.lower() != "table"):
        p = p.getparent()
    return p


class _Walker:
    """Walk a content node emitting text lines in order and data tables in place."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        s = clean_line("".join(self.buf))
        if s:
            self.lines.append(s)
        self.buf.clear()

    def walk(self, e) -> None:
        if not isinstance(e.tag, str):  # comment / PI
            if e.tail:
                self.buf.append(e.tail)
            return
        tag = e.tag.lower()
        if tag in _SKIP:
            if e.tail:
                self.buf.append(e.tail)
            return
        if tag == "table" and not _has_nested_table(e):
            grid = table_grid(e)
            if grid and (len(grid[0]) > 1 and len(grid) > 1):
                self.flush()
                self.tables.append(Table(rows=grid, page=1))
                self.lines.extend(table_to_lines(grid))
                if e.tail:
                    self.buf.append(e.tail)
                return
        block = tag in _BLOCK or tag == "br"
        if block:
            self.flush()
        if e.text and tag != "br":
            self.buf.append(e.text)
        for ch in e:
            self.walk(ch)
        if block:
            self.flush()
        if e.tail:
            self.buf.append(e.tail)


def _text_len(el) -> int:
    return sum(len(t) - t.count(" ") - t.count("\n") for t in el.itertext())


def find_content_node(tree) -> tuple[object | None, str]:
    # one pass indexing classes and ids: cheaper than an XPath per selector
    by_class: dict[str, list] = {}
    by_id: dict[str, list] = {}
    by_tag: dict[str, list] = {}
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        by_tag.setdefault(el.tag, []).append(el) if el.tag == "article" else None
        c = el.get("class")
        if c:
            for tok in c.split():
                by_class.setdefault(tok, []).append(el)
        i = el.get("id")
        if i:
            by_id.setdefault(i.strip(), []).append(el)
    for s in CONTENT_SELECTORS:
        if s.startswith("."):
            cands = by_class.get(s[1:], [])
        elif s.startswith("#"):
            cands = by_id.get(s[1:], [])
        else:
            cands = by_tag.get(s, [])
        if len(cands) == 1:
            if _text_len(cands[0]) >= 20:
                return cands[0], s
            continue
        sized = [(_text_len(n), n) for n in cands]
        sized = [x for x in sized if x[0] >= 20]
        if sized:
            # nested matches (e.g. .content inside .content): the largest wins
            return max(sized, key=lambda x: x[0])[1], s
    return None, ""


def densest_node(tree):
    """Generic fallback: the element whose p/table/div-text children carry most text."""
    score: dict = {}
    for el in tree.iter("p", "table", "br", "span", "font"):
        parent = el.getparent()
        if parent is None:
            continue
        n = _text_len(el) if el.tag != "br" else 1
        score[parent] = score.get(parent, 0) + n
    if not score:
        return tree
    return max(score, key=score.get)


def _meta(tree, names: tuple[str, ...]) -> tuple[str | None, str | None]:
    metas = {}
    for m in tree.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip()
        if key and m.get("content") and key.lower() not in metas:
            metas[key.lower()] = m.get("content").strip()
    for n in names:
        v = metas.get(n.lower())
        if v:
            return v, n
    return None, None


def extract_html(data: bytes, content_type: str | None = None, url: str | None = None) -> Extraction:
    text, charset, warnings = decode(data, content_type, html=True)
    if not text.strip():
        raise ExtractionFailed("empty HTML document")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        # plain lxml elements: lxml.html's per-element class lookup costs ~20% here
        tree = etree.fromstring(text, etree.HTMLParser(remove_comments=True, remove_pis=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise ExtractionFailed(f"unparseable HTML: {e}") from None
    if tree is None:
        raise ExtractionFailed("unparseable HTML: no document element")

    meta: dict = {"charset": charset}
    title, src = _meta(tree, _META_TITLE)
    if not title:
        t = tree.find(".//title")
        title = clean_line("".join(t.itertext())) if t is not None else None
        src = "title" if title else None
    if not title:
        h = tree.find(".//h1")
        title = clean_line("".join(h.itertext())) if h is not None else None
        src = "h1" if title else None
    meta["title"], meta["title_source"] = title or None, src

    node, selector = find_content_node(tree)
    if node is not None:
        w = _Walker()
        w.walk(node)
        w.flush()
        lines = w.lines
        if title and lines and normalize_for_compare(title) not in normalize_for_compare("".join(lines[:5])):
            # the headline sits outside the body node on most CMS templates
            h1 = tree.find(".//h1")
            h1_text = clean_line("".join(h1.itertext())) if h1 is not None else ""
            head = h1_text or title
            lines = [head] + lines
        body, tables, extractor = "\n".join(lines), w.tables, "html-dom"
        meta["content_selector"] = selector
    else:
        import trafilatura

        narrative = trafilatura.extract(
            text, include_tables=False, include_comments=False, favor_recall=True, deduplicate=False, url=url
        ) or ""
        dense = densest_node(tree)
        w = _Walker()
        for tbl in dense.iter("table"):
            if not _has_nested_table(tbl):
                grid = table_grid(tbl)
                if grid and len(grid) > 1 and len(grid[0]) > 1:
                    w.tables.append(Table(rows=grid, page=1))
                    w.lines.extend(table_to_lines(grid))
        body = "\n".join([ln for ln in (clean_line(x) for x in narrative.splitlines()) if ln] + w.lines)
        tables, extractor = w.tables, "html-trafilatura"
        meta["content_selector"] = None
        warnings.append("no known content node: narrative by trafilatura, tables appended after it")

    pub, psrc = _meta(tree, _META_DATE)
    published = iso_date(pub) if pub else None
    if published:
        meta["published_at_source"] = f"meta:{psrc}"
    else:
        try:
            from htmldate import find_date

            published = find_date(text, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
            meta["published_at_source"] = "htmldate" if published else None
        except Exception as e:  # htmldate is best effort
            logger.debug("htmldate failed: %s", e)
            published = None
    meta["published_at"] = published
    if not body.strip():
        warnings.append("no text in the content node")
    return Extraction(
        format="html",
        extractor=extractor,
        text=body,
        tables=tables,
        pages=[PageInfo(number=1, chars=count_chars(body), ocr=False)],
        metadata=meta,
        warnings=warnings,
    )
