"""OCR for scanned PDF pages and images: RapidOCR (see ocr_engine), offline.

Pages are rendered at ~200 dpi, flattened (white paper) and deskewed (scan_prep). Tables:
ruling lines found in the page image (tolerant to thin, thick and broken rules) give row
and column edges, a missing rule between two slots a merged cell; each cell's ink is cut
into text lines and recognised on its own, so figures are read from cells only. Text
outside the tables is found by the detector on the page with the tables blanked out and
rebuilt into lines by grouping boxes on the same visual line. Without rulings,
consecutive lines of 3+ boxes become table rows.

One engine per process, guarded by a lock; pages of one document run in worker processes
(ocr_pool), one engine per core.
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

import numpy as np

from storage.optional import require

from .base import Extraction, ExtractionFailed, PageInfo, Table, clean_line, count_chars, join_wrapped
from .limits import MAX_IMAGE_PIXELS, MAX_RENDER_PIXELS

logger = logging.getLogger(__name__)

DPI = 200

#: what OCR imports beyond the core install: the ``[ocr]`` extra
OCR_MODULES = ("rapidocr", "onnxruntime", "cv2", "pypdfium2", "PIL")


def require_ocr() -> None:
    """Fail early, naming the ``[ocr]`` extra, when OCR's dependencies are not installed."""
    for name in OCR_MODULES:
        require(name, extra="ocr", feature="OCR of scanned PDF pages and images")


def _lines(boxes: list[tuple]) -> list[list[tuple]]:
    """Group boxes into visual lines by vertical overlap; each line sorted by x."""
    lines: list[list] = []  # [top, bottom, boxes]
    for b in sorted(boxes, key=lambda b: ((b[1] + b[3]) / 2, b[0])):
        h = b[3] - b[1]
        for ln in lines[-5:]:
            ov = min(ln[1], b[3]) - max(ln[0], b[1])
            if ov >= 0.5 * min(h, ln[1] - ln[0]):
                ln[2].append(b)
                ln[0], ln[1] = min(ln[0], b[1]), max(ln[1], b[3])
                break
        else:
            lines.append([b[1], b[3], [b]])
    lines.sort(key=lambda ln: ln[0])
    return [sorted(ln[2], key=lambda b: b[0]) for ln in lines]


@dataclass
class RuledGrid:
    """A ruled table found in a page image: rule positions and the rule masks."""

    ys: list[int]  # horizontal rule centres, top to bottom
    xs: list[int]  # vertical rule centres, left to right
    hmask: np.ndarray
    vmask: np.ndarray

    def has_vrule(self, x: int, y0: int, y1: int) -> bool:
        """Is there a vertical rule at x between y0 and y1 (checked in the middle half)?"""
        a, b = y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4
        strip = self.vmask[a : b + 1, max(x - 3, 0) : x + 4]
        return bool(strip.size) and strip.any(axis=1).mean() > 0.6

    def has_hrule(self, y: int, x0: int, x1: int) -> bool:
        a, b = x0 + (x1 - x0) // 4, x1 - (x1 - x0) // 4
        strip = self.hmask[max(y - 3, 0) : y + 4, a : b + 1]
        return bool(strip.size) and strip.any(axis=0).mean() > 0.6


def _centres(profile: np.ndarray, min_gap: int = 4) -> list[int]:
    idx = np.flatnonzero(profile)
    if idx.size == 0:
        return []
    groups = np.split(idx, np.flatnonzero(np.diff(idx) > min_gap) + 1)
    return [int(g.mean()) for g in groups]


def rule_masks(dark: np.ndarray, ppm: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rule pixels of a binarised page (``ppm``: pixels per mm).

    Strokes of at least 3 mm are kept, gaps of up to 1.2 mm along them closed (rules
    broken by a faint scan or JPEG), then only rules of 8 mm (horizontal) / 4 mm
    (vertical) survive: no stroke of a table font is that long.
    """
    import cv2

    def line(mask: np.ndarray, piece: int, gap: int, long: int, horizontal: bool) -> np.ndarray:
        k = (lambda n: cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1) if horizontal else (1, n)))
        m = cv2.morphologyEx(mask, cv2.MORPH_OPEN, k(piece))
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, k(gap))
        return cv2.morphologyEx(m, cv2.MORPH_OPEN, k(long))

    piece, gap = max(6, round(3 * ppm)), max(3, round(1.2 * ppm))
    return (line(dark, piece, gap, max(20, round(8 * ppm)), True),
            line(dark, piece, gap, max(12, round(4 * ppm)), False))


def find_grids(gray: np.ndarray, ppm: float | None = None) -> list[RuledGrid]:
    """Ruled tables: rows of horizontal rules joined by vertical ones."""
    h, w = gray.shape
    ppm = ppm or w / 210.0  # an A4 page unless told
    import cv2

    # darker than the paper around it: faint grey rules on grey paper count as well as black ones
    block = max(3, round(1.5 * ppm)) | 1
    dark = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    hmask, vmask = rule_masks(dark, ppm)
    ys_all = _centres(hmask.any(axis=1), min_gap=max(4, round(0.8 * ppm)))
    grids: list[RuledGrid] = []
    group: list[int] = []

    def close(group: list[int]) -> None:
        if len(group) < 2:
            return
        band = vmask[group[0] : group[-1] + 1]
        # a vertical rule must touch a good part of the table height
        cover = band.sum(axis=0) / max(band.shape[0], 1)
        xs = _centres(cover > 0.15, min_gap=max(4, round(0.8 * ppm)))
        if len(xs) < 2:
            return
        # a table's frame: its top and bottom rules run across it (strokes of a bold
        # heading, joined into "rules", do not)
        framed = [y for y in group if hmask[max(y - 3, 0) : y + 4, xs[0] : xs[-1] + 1].any(axis=0).mean() > 0.7]
        if len(framed) >= 2:
            grids.append(RuledGrid([y for y in group if framed[0] <= y <= framed[-1]], xs, hmask, vmask))

    for y in ys_all:
        # consecutive rules belong to one table when a vertical rule joins them
        between = vmask[group[-1] + 3 : y - 2] if group else None
        if group and between is not None and between.size > 0 and between.any(axis=1).mean() < 0.6:
            close(group)
            group = []
        group.append(y)
    close(group)
    return grids


def erase_rules(gray: np.ndarray, grids: list[RuledGrid]) -> np.ndarray:
    """White out the rules of the tables found (only inside them: a bold heading's strokes
    look like rules to the masks) so no text is read across a cell border."""
    if not grids:
        return gray
    import cv2

    mask = (grids[0].hmask | grids[0].vmask).astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8)).astype(bool)
    out = gray.copy()
    for g in grids:
        ys, xs = slice(max(g.ys[0] - 6, 0), g.ys[-1] + 7), slice(max(g.xs[0] - 6, 0), g.xs[-1] + 7)
        out[ys, xs][mask[ys, xs]] = 255
    return out


def _band(v: float, edges: list[int]) -> int | None:
    for i in range(len(edges) - 1):
        if edges[i] <= v < edges[i + 1]:
            return i
    return None


def boxes_to_table(boxes: list[tuple], g: RuledGrid) -> tuple[list[list[str]], list[list[int]]]:
    """Place OCR boxes in the grid's cells and expand merged cells.

    Two neighbouring slots belong to one merged cell when the rule between them is missing.
    """
    ys, xs = g.ys, g.xs
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not g.has_vrule(xs[c + 1], ys[r], ys[r + 1]):
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not g.has_hrule(ys[r + 1], xs[c], xs[c + 1]):
                union(r * nc + c, (r + 1) * nc + c)
    members: dict[int, list[tuple]] = {}
    for b in boxes:
        yc, xc = (b[1] + b[3]) / 2, (b[0] + b[2]) / 2
        r, c = _band(yc, ys), _band(xc, xs)
        if r is None or c is None:
            continue
        members.setdefault(find(r * nc + c), []).append(b)
    text = {k: join_wrapped([" ".join(x[4] for x in ln) for ln in _lines(bs)]) for k, bs in members.items()}
    roots = [[find(r * nc + c) for c in range(nc)] for r in range(nr)]
    grid = [[text.get(k, "") for k in row] for row in roots]
    return grid, roots


@dataclass
class OcrPage:
    text: str
    tables: list[dict]  # {bbox, grid, ids, xs} in image pixels (xs None when unruled)
    first_text_top: float | None  # outside tables, for cross-page stitching
    last_text_bottom: float | None
    skew: float = 0.0  # degrees the page was turned by before reading


Box = tuple[float, float, float, float, str, float]  # x0, y0, x1, y1, text, score


def _join(a: list[int], b: list[int]) -> None:
    a[0], a[1], a[2], a[3] = min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def cell_lines(clean: np.ndarray, g: RuledGrid, ppm: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines inside each (merged) cell of a ruled grid.

    Ink is taken per merged cell, inside its rules: connected components too small to be
    print (noise) or thin slivers along the border (rule residue) are dropped, the rest
    grouped into lines by their vertical extent. Parts of one character can sit one above
    the other with a gap (纟 and 口 of 结, the strokes of 三): neighbouring bands that together
    are no taller than a line of the table's print (its typical line height) are one line.
    So a table is read cell by cell, never across a rule, and nothing outside the cells is
    read as a figure.
    """
    import cv2

    _, roots = boxes_to_table([], g)
    spans: dict[int, list[int]] = {}
    for r, row in enumerate(roots):
        for c, k in enumerate(row):
            sp = spans.setdefault(k, [r, c, r, c])
            sp[2], sp[3] = max(sp[2], r), max(sp[3], c)
    ink = (clean < 150).astype(np.uint8)
    m = max(2, round(0.25 * ppm))
    cells: list[tuple[int, int, list[list[int]]]] = []
    for r0, c0, r1, c1 in spans.values():
        y0, y1, x0, x1 = g.ys[r0] + m, g.ys[r1 + 1] - m, g.xs[c0] + m, g.xs[c1 + 1] - m
        if y1 - y0 < 4 or x1 - x0 < 4:
            continue
        n, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
        comps = []
        for i in range(1, n):
            cx, cy, cw, ch, area = stats[i]
            if area < 3:
                continue
            if (cw <= 2 and ch > 0.6 * (y1 - y0)) or (ch <= 2 and cw > 0.6 * (x1 - x0)):
                continue  # a sliver of rule left over
            comps.append((cy, cy + ch, cx, cx + cw))
        if not comps:
            continue
        comps.sort()
        lines: list[list[int]] = []  # [top, bottom, left, right]
        for t, b_, l, r_ in comps:
            if lines and t < lines[-1][1] - 0.3 * min(b_ - t, lines[-1][1] - lines[-1][0]):
                _join(lines[-1], [t, b_, l, r_])
            else:
                lines.append([t, b_, l, r_])
        cells.append((x0, y0, lines))
    # the height of a line of words (several characters wide), not of a lone figure
    words = sorted(ln[1] - ln[0] for _, _, lines in cells for ln in lines if ln[3] - ln[2] >= 2 * (ln[1] - ln[0]))
    line_h = words[len(words) // 2] if words else 0
    out: list[tuple[int, int, int, int]] = []
    for x0, y0, lines in cells:
        merged: list[list[int]] = [lines[0]]
        for ln in lines[1:]:
            if max(merged[-1][1], ln[1]) - min(merged[-1][0], ln[0]) <= 1.3 * line_h:
                _join(merged[-1], ln)
            else:
                merged.append(ln)
        # a fragment (a dot, the tail of a comma) joins the nearest line
        tall = max(ln[1] - ln[0] for ln in merged)
        keep = [ln for ln in merged if ln[1] - ln[0] >= 0.35 * tall]
        for ln in merged:
            if ln not in keep and keep:
                _join(min(keep, key=lambda k: abs((k[0] + k[1]) - (ln[0] + ln[1]))), ln)
        for t, b_, l, r_ in keep or merged:
            out.append((x0 + l, y0 + t, x0 + r_, y0 + b_))
    return out


# white margin around a crop, as a share of its height: a cell's line box is tight to the ink;
# a detected box has a margin of its own, and more white makes the text smaller in the
# recogniser's 48 px input, which costs by width (-35% time, same character error rate)
CELL_PAD, TEXT_PAD = 0.25, 0.67


def _crop(img: np.ndarray, box: tuple[float, float, float, float], pad: float = CELL_PAD) -> np.ndarray:
    """A line crop on a white margin of ``pad`` times its height (3 channels)."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = img.shape
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    part = img[y0:y1, x0:x1]
    p = max(2, int((y1 - y0) * pad))
    canvas = np.full((part.shape[0] + 2 * p, part.shape[1] + 2 * p), 255, np.uint8)
    canvas[p : p + part.shape[0], p : p + part.shape[1]] = part
    return np.repeat(canvas[..., None], 3, axis=2)


_FIGURE = re.compile(r"^[0-9.+\-/]+$")
_FIGURE_LIKE = re.compile(r"^[\s0-9oO〇０-９lI|.,，·\-+/—－]{0,14}$")


def _recognise(img: np.ndarray, boxes: list[tuple[float, float, float, float]], cells: int = 0) -> list[Box]:
    """Recognise line crops; the last ``cells`` boxes are table cells: one that reads like a
    figure (or reads as nothing sure) is read again with the figure characters only."""
    from .ocr_engine import LOCK, MIN_SCORE, engine

    keep = [i for i, b in enumerate(boxes) if b[2] - b[0] >= 2 and b[3] - b[1] >= 2]
    first_cell = len(boxes) - cells
    crops = {i: _crop(img, boxes[i], CELL_PAD if i >= first_cell else TEXT_PAD) for i in keep}
    with LOCK:
        eng = engine()
        res = dict(zip(keep, eng.recognize([crops[i] for i in keep])))
        # a sure reading of digits stands; a figure that reads with letters or unsure, again
        again = [i for i in keep if i >= first_cell and _FIGURE_LIKE.match(res[i][0])
                 and not (_FIGURE.match(res[i][0]) and res[i][1] >= 0.9)
                 and (any(ch.isdigit() or ch in "oO〇" for ch in res[i][0]) or res[i][1] < MIN_SCORE)]
        res.update(zip(again, eng.recognize([crops[i] for i in again], figures=True)))
    out: list[Box] = []
    for i in keep:
        text, score = res[i]
        t = clean_line(text)
        if t and score >= MIN_SCORE:
            b = boxes[i]
            out.append((float(b[0]), float(b[1]), float(b[2]), float(b[3]), t, score))
    return out


def _ink_bands(img: np.ndarray, ppm: float) -> list[tuple[int, int]]:
    """Horizontal bands of the page that hold ink, split where 8 mm are empty (where a
    table was blanked out): the detector costs by area, so blank paper is not fed to it."""
    rows = np.flatnonzero((img < 150).sum(axis=1) >= 2)
    if rows.size == 0:
        return []
    gap, pad = round(8 * ppm), round(2 * ppm)
    cuts = np.flatnonzero(np.diff(rows) > gap)
    starts = np.concatenate(([rows[0]], rows[cuts + 1]))
    ends = np.concatenate((rows[cuts], [rows[-1]]))
    return [(max(int(a) - pad, 0), min(int(b) + pad + 1, img.shape[0])) for a, b in zip(starts, ends)]


def _detect(img: np.ndarray, dy: int = 0) -> list[tuple[float, float, float, float]]:
    from .ocr_engine import LOCK, engine

    with LOCK:
        quads = engine().detect(np.repeat(img[..., None], 3, axis=2))
    return [(float(q[:, 0].min()), float(q[:, 1].min()) + dy, float(q[:, 0].max()), float(q[:, 1].max()) + dy)
            for q in quads]


def ocr_page(gray: np.ndarray, ppm: float | None = None) -> OcrPage:
    """OCR one page image: text lines, tables (ruled grids read cell by cell, else aligned box runs).

    ``ppm``: pixels per millimetre of the image (A4 width assumed when not given).
    """
    from .scan_prep import prepare

    if gray.ndim == 3:
        gray = gray.mean(axis=2).astype(np.uint8)
    ppm = ppm or gray.shape[1] / 210.0
    page, angle = prepare(gray)
    grids = find_grids(page, ppm)
    clean = erase_rules(page, grids)
    # text outside the tables: the detector reads the page with the tables blanked out
    outside_img = clean.copy()
    for g in grids:
        outside_img[max(g.ys[0] - 2, 0) : g.ys[-1] + 3, max(g.xs[0] - 2, 0) : g.xs[-1] + 3] = 255
    regions = [b for y0, y1 in _ink_bands(outside_img, ppm) for b in _detect(outside_img[y0:y1], dy=y0)]
    cells = [b for g in grids for b in cell_lines(clean, g, ppm)]
    boxes = _recognise(clean, regions + cells, cells=len(cells))
    lines = _lines(boxes)
    tables: list[dict] = []
    for g in grids:
        grid, ids = boxes_to_table(boxes, g)
        if sum(1 for r in grid if any(r)) >= 2 and len(g.xs) >= 3:
            tables.append({"bbox": (g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]), "grid": grid, "ids": ids, "xs": list(g.xs)})
    if not grids:
        # unruled: runs of lines with 3+ separate boxes
        run: list[list[str]] = []
        tops: list[float] = []
        for ln in lines + [[]]:
            if len(ln) >= 3:
                run.append([b[4] for b in ln])
                tops.append(min(b[1] for b in ln))
            else:
                if len(run) >= 2:
                    w = max(len(r) for r in run)
                    grid = [r + [""] * (w - len(r)) for r in run]
                    tables.append({"bbox": (0, tops[0], page.shape[1], tops[-1] + 1), "grid": grid,
                                   "ids": [[-1] * w for _ in grid], "xs": None})
                run, tops = [], []
    outside = [ln for ln in lines if not any(t["bbox"][1] - 3 <= (ln[0][1] + ln[0][3]) / 2 <= t["bbox"][3] + 3 for t in tables)]
    outside = [ln for ln in outside if not _page_number(" ".join(b[4] for b in ln))]
    return OcrPage(
        text="\n".join(" ".join(b[4] for b in ln) for ln in lines),
        tables=tables,
        first_text_top=min((min(b[1] for b in ln) for ln in outside), default=None),
        last_text_bottom=max((max(b[3] for b in ln) for ln in outside), default=None),
        skew=angle,
    )


def _page_number(s: str) -> bool:
    s = s.strip().strip("-—－ ").strip()
    return s.isdigit() or (s.startswith("第") and s.endswith("页"))


def page_from_image(gray: np.ndarray) -> tuple[str, list[list[list[str]]]]:
    """OCR one page image: (text, table grids with merged cells expanded)."""
    from .base import rectangular

    p = ocr_page(gray)
    return p.text, [g for g in (rectangular(t["grid"]) for t in p.tables) if len(g) >= 2]


def ocr_pdf_pages(data: bytes, pages: list[int], dpi: int = DPI) -> tuple[dict[int, OcrPage], list[int]]:
    """Render the given 0-based pages with pdfium and OCR them on every core (ocr_pool).

    Returns ({page: OcrPage} with coordinates in points, [pages lost with a dead worker]).
    """
    require_ocr()
    import pypdfium2 as pdfium

    from .ocr_pool import ocr_pages
    from .pdf import PDF_LOCK

    scales: dict[int, float] = {}

    def render(pno: int) -> tuple[np.ndarray, float]:
        with PDF_LOCK:
            doc = pdfium.PdfDocument(data)
            try:
                page = doc[pno]
                w, h = page.get_size()
                scale = min(dpi / 72, (MAX_RENDER_PIXELS / max(w * h, 1)) ** 0.5)
                gray = page.render(scale=scale, grayscale=True).to_numpy().copy()
                page.close()
            finally:
                doc.close()
        scales[pno] = scale
        return (gray[..., 0] if gray.ndim == 3 else gray), scale * 72 / 25.4

    done, lost = ocr_pages([(pno, (lambda p=pno: render(p))) for pno in pages])
    for pno, p in done.items():
        k = 1 / scales[pno]  # pixels -> points
        for t in p.tables:
            t["bbox"] = tuple(v * k for v in t["bbox"])
            t["xs"] = [x * k for x in t["xs"]] if t["xs"] else None
        p.first_text_top = p.first_text_top * k if p.first_text_top is not None else None
        p.last_text_bottom = p.last_text_bottom * k if p.last_text_bottom is not None else None
    return done, lost


def extract_image(data: bytes) -> Extraction:
    require_ocr()
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        im = Image.open(io.BytesIO(data))
        if im.width * im.height > MAX_IMAGE_PIXELS:
            raise ExtractionFailed(f"image too large: {im.width}x{im.height} pixels")
        im = ImageOps.exif_transpose(im).convert("L")
        gray = np.asarray(im)
    except ExtractionFailed:
        raise
    except Image.DecompressionBombError as e:
        raise ExtractionFailed(f"image too large (decompression bomb): {e}") from None
    except Exception as e:
        raise ExtractionFailed(f"corrupt image: {type(e).__name__}: {e}") from None
    text, grids = page_from_image(gray)
    return Extraction(
        format="image", extractor="rapidocr", text=text,
        tables=[Table(rows=g, page=1) for g in grids],
        pages=[PageInfo(1, count_chars(text), True)],
        metadata={"width": int(gray.shape[1]), "height": int(gray.shape[0])},
    )
