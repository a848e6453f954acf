"""PDF: text layer via PyMuPDF words regrouped into lines, tables via find_tables, OCR fallback.

PyMuPDF (1.2x; 2.0's table finder is several times slower) reads words; they are regrouped
into visual lines by vertical overlap, because LibreOffice/WPS PDFs set quotation marks in
another font and MuPDF then starts a new line/block at each quote. Tables are only looked
for on pages whose vector drawings contain ruling lines. A table that ends a page and a
table that starts the next with the same column layout are stitched into one.

MuPDF and pdfium are not thread-safe: every call into them holds :data:`PDF_LOCK`.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from pipelines.dates import iso_date

from .base import Extraction, ExtractionFailed, PageInfo, Table, cell_text, count_chars, join_wrapped, rectangular
from . import ruled
from .limits import MAX_OCR_PAGES, MAX_PDF_PAGES

logger = logging.getLogger(__name__)

PDF_LOCK = threading.RLock()
MIN_TEXT_CHARS = 20  # fewer on a page that carries an image: OCR the page
MAX_PAGE_SHIFT = 20.0  # points (7 mm) a table's continuation may sit off on the next page


_CJK_CH = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201f]")


@dataclass
class _Line:
    top: float
    bottom: float
    size: float
    chars: list  # (x0, x1, ch)

    @property
    def text(self) -> str:
        self.chars.sort(key=lambda c: c[0])
        out: list[str] = []
        prev = None
        for x0, x1, ch in self.chars:
            if prev is not None:
                gap = x0 - prev[1]
                cjk = _CJK_CH.match(ch) and _CJK_CH.match(prev[2])
                if gap > (0.6 if cjk else 0.2) * self.size:
                    out.append(" ")
            out.append(ch)
            prev = (x0, x1, ch)
        return "".join(out)


def group_lines(chars: list[tuple]) -> list[_Line]:
    """Cluster (x0, x1, baseline, size, ch) glyphs into visual lines.

    Grouping uses the baseline and font size, not glyph boxes: a quotation mark set in
    another font has a different box but the same baseline as its neighbours. Sorted by
    baseline, a line's glyphs are contiguous, so one pass comparing with the current line
    suffices.
    """
    lines: list[_Line] = []
    cur: _Line | None = None
    cur_base = 0.0
    for x0, x1, base, size, ch in sorted(chars, key=lambda c: (c[2], c[0])):
        if cur is not None and base - cur_base <= 0.4 * max(size, cur.size):
            cur.chars.append((x0, x1, ch))
            if base + 0.2 * size > cur.bottom:
                cur.bottom = base + 0.2 * size
            if size > cur.size:
                cur.size = size
        else:
            cur = _Line(base - 0.8 * size, base + 0.2 * size, size, [(x0, x1, ch)])
            cur_base = base
            lines.append(cur)
    return lines


def page_chars(page) -> list[tuple]:
    """Horizontal glyphs of a page as (x0, x1, baseline, size, char), whitespace dropped."""
    out = []
    d = page.get_text("rawdict", flags=0)
    for b in d["blocks"]:
        for ln in b.get("lines", ()):
            dx, dy = ln["dir"]
            if abs(dy) > 0.05:  # rotated text: keep it, in reading order of its line
                pass
            for sp in ln["spans"]:
                size = sp["size"] or 1.0
                for c in sp["chars"]:
                    ch = c["c"]
                    if ch.isspace():
                        continue
                    bb = c["bbox"]
                    out.append((bb[0], bb[2], c["origin"][1], size, ch))
    return out


def _has_rulings(page) -> bool:
    """Cheap test for a ruled table: a few horizontal and vertical strokes/thin rects."""
    h = v = 0
    for d in page.get_cdrawings():
        for item in d.get("items", ()):
            if item[0] == "l":
                p1, p2 = item[1], item[2]
                if abs(p1[1] - p2[1]) < 1 and abs(p1[0] - p2[0]) > 10:
                    h += 1
                elif abs(p1[0] - p2[0]) < 1 and abs(p1[1] - p2[1]) > 10:
                    v += 1
            elif item[0] == "re":
                r = item[1]
                w, ht = r[2] - r[0], r[3] - r[1]
                if ht < 3 and w > 10:
                    h += 1
                elif w < 3 and ht > 10:
                    v += 1
                elif w > 10 and ht > 10:
                    h += 2
                    v += 2
        if h >= 3 and v >= 3:
            return True
    return False


def expand_table(tab) -> tuple[list[list[str]], list[list[int]]]:
    """PyMuPDF table -> (grid, owner ids), filling slots covered by a merged cell.

    ``extract()`` gives None for covered slots; the covering cell is the one whose bbox
    contains the slot's centre. A slot is (row band, column band), each band taken from
    the smallest cell seen in that row / column, so spanning cells do not widen them.
    """
    raw = tab.extract()
    rows = tab.rows
    ncol = max(len(r.cells) for r in rows) if rows else 0
    owners: list[tuple[tuple, str]] = []
    col_x: list[tuple[float, float] | None] = [None] * ncol
    row_y: list[tuple[float, float]] = []
    for r, row in enumerate(rows):
        band = (row.bbox[1], row.bbox[3])
        for c, bb in enumerate(row.cells):
            if bb is None:
                continue
            owners.append((bb, cell_text(raw[r][c] if c < len(raw[r]) else "")))
            if col_x[c] is None or (bb[2] - bb[0]) < (col_x[c][1] - col_x[c][0]):
                col_x[c] = (bb[0], bb[2])
            if bb[1] >= band[0] - 0.5 and (bb[3] - bb[1]) < (band[1] - band[0]):
                band = (bb[1], bb[3])
        row_y.append(band)
    grid: list[list[str]] = []
    ids: list[list[int]] = []
    for r in range(len(rows)):
        yc = (row_y[r][0] + row_y[r][1]) / 2
        out, oid = [], []
        for c in range(ncol):
            if col_x[c] is None:
                out.append("")
                oid.append(-1)
                continue
            xc = (col_x[c][0] + col_x[c][1]) / 2
            hit, k = "", -1
            for i, (obb, txt) in enumerate(owners):
                if obb[0] - 0.5 <= xc <= obb[2] + 0.5 and obb[1] - 0.5 <= yc <= obb[3] + 0.5:
                    hit, k = txt, i
                    break
            out.append(hit)
            oid.append(k)
        grid.append(out)
        ids.append(oid)
    return grid, ids


@dataclass
class _Found:
    bbox: tuple
    grid: list[list[str]]
    ids: list[list[int]]
    xs: list[float] | None = None  # column edges (ruled engine)


@dataclass
class _PageTables:
    number: int
    tables: list[_Found]
    first_text_top: float | None
    last_text_bottom: float | None


def _regrid(rows: list[list], xs: list[float], union: list[float]) -> list[list]:
    """Re-express a grid on finer column edges: a wider cell repeats in each sub-column."""
    idx = []
    for j in range(len(union) - 1):
        xc = (union[j] + union[j + 1]) / 2
        c = next((i for i in range(len(xs) - 1) if xs[i] <= xc < xs[i + 1]), len(xs) - 2)
        idx.append(c)
    return [[r[c] for c in idx] for r in rows]


def _union_edges(a: list[float], b: list[float]) -> list[float]:
    out: list[float] = []
    for x in sorted(a + b):
        if not out or x - out[-1] > ruled.TOL:
            out.append(x)
    return out


def _continue(prev: Table, part: _Found, prev_ids: list[list[int]]) -> None:
    """Append a table's continuation from the next page to ``prev``.

    A merged cell carried over the page break is empty on the new page: it takes the text
    above it. A row split by the page break (most cells empty) is merged into the last row.
    A repeated header row is dropped.
    """
    rows = [list(r) for r in part.grid]
    ids = part.ids
    last = prev.rows[-1]
    if rows and rows[0] == prev.rows[0]:
        rows, ids = rows[1:], ids[1:]
    if not rows:
        return
    for c, v in enumerate(rows[0]):
        if v == "" and c < len(last) and last[c]:
            owner = ids[0][c]
            span = [r for r in range(len(rows)) if owner >= 0 and ids[r][c] == owner]
            if len(span) > 1:
                for r in span:
                    rows[r][c] = last[c]
    first = rows[0]
    empty = sum(1 for c, v in enumerate(first) if not v and c < len(last) and last[c])
    if empty * 2 > len(first):
        seen: set = set()
        for c, v in enumerate(first):
            if v and c < len(last) and v != last[c]:
                key = (prev_ids[-1][c] if prev_ids and c < len(prev_ids[-1]) else c, ids[0][c])
                old = last[c]
                merged = join_wrapped([old, v])
                # a merged cell spanning several columns: update every slot it holds once
                for k in range(len(last)):
                    if last[k] == old and prev_ids and k < len(prev_ids[-1]) and prev_ids[-1][k] == key[0] and first[k] == v:
                        last[k] = merged
                last[c] = merged
                seen.add(key)
        rows, ids = rows[1:], ids[1:]
    prev.rows.extend(rows)
    prev_ids.extend(ids)


def _stitch(pages: list[_PageTables]) -> list[Table]:
    """Join a table ending one page with one starting the next page.

    Same column layout required: equal outer edges (ruled engine; the two parts are put on
    the union of their column edges) or equal column counts (find_tables engine).
    """
    out: list[Table] = []
    prev: tuple[Table, list[list[int]], list[float] | None] | None = None
    prev_page: _PageTables | None = None
    for pt in pages:
        for i, f in enumerate(pt.tables):
            if (
                i == 0
                and prev is not None
                and prev_page is not None
                and prev_page.number == pt.number - 1
                and (pt.first_text_top is None or pt.first_text_top >= f.bbox[1] - 2)
                and (prev_page.last_text_bottom is None or prev_page.last_text_bottom <= prev_page.tables[-1].bbox[3] + 2)
            ):
                t_prev, ids_prev, xs_prev = prev
                # a scanned page may sit a few millimetres off the previous one: same width
                # and nearly the same place is the same table, compared after the shift
                shift = f.xs[0] - xs_prev[0] if xs_prev and f.xs else 0.0
                if (xs_prev and f.xs and abs(shift) <= MAX_PAGE_SHIFT
                        and abs((f.xs[-1] - f.xs[0]) - (xs_prev[-1] - xs_prev[0])) <= 3):
                    xs_f = [x - shift for x in f.xs]
                    union = _union_edges(xs_prev, xs_f)
                    t_prev.rows[:] = _regrid(t_prev.rows, xs_prev, union)
                    ids_prev[:] = _regrid(ids_prev, xs_prev, union)
                    part = _Found(f.bbox, _regrid(f.grid, xs_f, union), _regrid(f.ids, xs_f, union), union)
                    _continue(t_prev, part, ids_prev)
                    prev = (t_prev, ids_prev, union)
                    continue
                if not (xs_prev and f.xs) and t_prev.n_cols == len(f.grid[0]):
                    _continue(t_prev, f, ids_prev)
                    continue
            t = Table(rows=[list(r) for r in f.grid], page=pt.number)
            out.append(t)
            prev = (t, [list(r) for r in f.ids], f.xs)
        if not pt.tables:
            prev = None
        prev_page = pt
    for t in out:
        t.rows = rectangular(t.rows)
    return [t for t in out if t.rows]


def extract_pdf(data: bytes, *, ocr: bool = True, tables: bool = True, table_engine: str = "rules") -> Extraction:
    fitz = _fitz()
    warnings: list[str] = []
    with PDF_LOCK:
        try:
            doc = fitz.open(stream=data, filetype="pdf")
        except Exception as e:
            raise ExtractionFailed(f"corrupt or truncated PDF: {e}") from None
        try:
            if doc.needs_pass:
                raise ExtractionFailed("encrypted PDF: a password is required to open it")
            if doc.is_repaired:
                warnings.append("PDF was damaged (truncated or bad xref) and repaired by MuPDF")
            n = doc.page_count
            if n == 0:
                raise ExtractionFailed("corrupt or truncated PDF: no pages")
            if n > MAX_PDF_PAGES:
                warnings.append(f"only the first {MAX_PDF_PAGES} of {n} pages read")
            md = doc.metadata or {}
            meta = {"title": md.get("title") or None, "producer": md.get("producer") or None,
                    "creator": md.get("creator") or None, "created": iso_date(md.get("creationDate")),
                    "modified": iso_date(md.get("modDate")), "page_count": n}
            page_texts: list[str] = []
            infos: list[PageInfo] = []
            page_tables: list[_PageTables] = []
            need_ocr: list[int] = []
            for pno in range(min(n, MAX_PDF_PAGES)):
                try:
                    page = doc.load_page(pno)
                    chars_ = page_chars(page)
                except Exception as e:
                    warnings.append(f"page {pno + 1} unreadable: {e}")
                    page_texts.append("")
                    infos.append(PageInfo(pno + 1, 0, False))
                    continue
                lines = group_lines(chars_)
                txt = "\n".join(ln.text for ln in lines)
                chars = count_chars(txt)
                if chars < MIN_TEXT_CHARS and page.get_images(full=False):
                    need_ocr.append(pno)
                elif chars and _garbled(txt) > 0.3:
                    # fonts without a usable ToUnicode map: private-use / replacement chars
                    warnings.append(f"page {pno + 1}: text layer is garbled, OCRed instead")
                    need_ocr.append(pno)
                page_texts.append(txt)
                infos.append(PageInfo(pno + 1, chars, False))
                if tables and chars >= MIN_TEXT_CHARS and not (need_ocr and need_ocr[-1] == pno):
                    try:
                        found = _page_tables(page, chars_, table_engine)
                    except Exception as e:
                        found = []
                        warnings.append(f"page {pno + 1}: table finder failed: {e}")
                    if found:
                        found.sort(key=lambda t: t.bbox[1])
                        body = [ln for ln in lines if ln.chars and not _is_page_number(ln.text)]
                        # text inside a table does not count as above/below it
                        outside = [ln for ln in body if not any(f.bbox[1] - 2 <= ln.top and ln.bottom <= f.bbox[3] + 2 for f in found)]
                        first = min((ln.top for ln in outside), default=None)
                        last = max((ln.bottom for ln in outside), default=None)
                        page_tables.append(_PageTables(pno + 1, found, first, last))
            all_tables = _stitch(page_tables)
        finally:
            doc.close()

    extractor = "pymupdf"
    if need_ocr and ocr:
        from .ocr import ocr_pdf_pages

        todo = need_ocr[:MAX_OCR_PAGES]
        if len(need_ocr) > len(todo):
            warnings.append(f"only {len(todo)} of {len(need_ocr)} image pages OCRed")
        results, lost = ocr_pdf_pages(data, todo)
        for pno in lost:
            warnings.append(f"page {pno + 1}: OCR worker died (out of memory or a crash); page left unread")
        for pno, op in sorted(results.items()):
            page_texts[pno] = op.text
            infos[pno] = PageInfo(pno + 1, count_chars(op.text), True)
            page_tables.append(_PageTables(
                pno + 1, [_Found(t["bbox"], t["grid"], t["ids"], t["xs"]) for t in op.tables],
                op.first_text_top, op.last_text_bottom))
        page_tables.sort(key=lambda p: p.number)
        all_tables = _stitch([p for p in page_tables if p.tables])
        extractor = "pymupdf+rapidocr" if len(todo) < len(infos) else "rapidocr"
    elif need_ocr:
        warnings.append(f"{len(need_ocr)} pages without a text layer were not OCRed")
    text = "\n\f".join(page_texts)
    if not count_chars(text):
        warnings.append("no text found in the PDF")
    return Extraction(format="pdf", extractor=extractor, text=text, tables=all_tables, pages=infos, metadata=meta, warnings=warnings)


def _fitz():
    import fitz  # PyMuPDF

    # it otherwise prints a package recommendation to stdout (breaks --json CLI output)
    getattr(fitz, "no_recommend_layout", lambda: None)()
    return fitz


def _render_cell(items: list[tuple]) -> str:
    lines = group_lines([(i[0], i[1], i[3], i[4], i[5]) for i in items])
    return join_wrapped([ln.text for ln in lines])


def _page_tables(page, chars: list[tuple], engine: str) -> list["_Found"]:
    """Tables of one page: from its ruling lines ("rules") or MuPDF's find_tables."""
    found: list[_Found] = []
    if engine == "pymupdf":
        if not _has_rulings(page):
            return found
        for tab in page.find_tables().tables:
            grid, ids = _trim(*expand_table(tab))
            if len(grid) >= 2 and len(grid[0]) >= 2:
                found.append(_Found(tuple(tab.bbox), grid, ids))
        return found
    hs, vs = ruled.segments(page)
    tabs = ruled.find_tables(hs, vs)
    if not tabs:
        return found
    # (x0, x1, y centre, baseline, size, char)
    items = [(c[0], c[1], c[2] - 0.35 * c[3], c[2], c[3], c[4]) for c in chars]
    for t in tabs:
        grid, roots, _ = ruled.fill(t, items, _render_cell)
        if len(grid) >= 2 and len(t.xs) >= 3:
            found.append(_Found(t.bbox, grid, roots, list(t.xs)))
    return found


def _garbled(s: str) -> float:
    chars = [ch for ch in s if not ch.isspace()]
    if not chars:
        return 0.0
    bad = sum(1 for ch in chars if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or ord(ch) < 32)
    return bad / len(chars)


def _is_page_number(s: str) -> bool:
    s = s.strip().strip("-—－ ").strip()
    return s.isdigit() or (s.startswith("第") and s.endswith("页")) or s.replace("/", "").replace(" ", "").isdigit()


def _trim(grid: list[list[str]], ids: list[list[int]]) -> tuple[list[list[str]], list[list[int]]]:
    """Drop columns empty in every row (ruling artefacts); rows are kept (split rows)."""
    if not grid:
        return grid, ids
    keep = [c for c in range(len(grid[0])) if any(r[c].strip() for r in grid)]
    return [[r[c] for c in keep] for r in grid], [[r[c] for c in keep] for r in ids]
