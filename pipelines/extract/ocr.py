"""OCR for scanned PDF pages and images: rapidocr-onnxruntime, offline, angle classifier off.

Pages are rendered at ~200 dpi. Text lines are rebuilt by grouping boxes on the same
visual line. Tables: ruling lines found in the page image give row bands (and column
bands where the vertical rules are long enough); boxes are placed in the cells whose band
holds their centre. Without rulings, consecutive lines of 3+ boxes become table rows.

One engine per process, guarded by a lock: onnxruntime sessions are shared and the
rapidocr wrapper keeps per-call state on the object.
"""
from __future__ import annotations

import io
import os
import logging
import threading
from dataclasses import dataclass

import numpy as np

from storage.optional import require

from .base import Extraction, ExtractionFailed, PageInfo, Table, clean_line, count_chars, join_wrapped
from .limits import MAX_IMAGE_PIXELS, MAX_RENDER_PIXELS

logger = logging.getLogger(__name__)

DPI = 200
_ENGINE = None
_ENGINE_LOCK = threading.Lock()


DET_MAX_SIDE = int(os.environ.get("NIANBAO_OCR_DET_SIDE", "1536"))  # detection input; recognition crops from the 200 dpi page


def _no_spin_sessions() -> None:
    """onnxruntime worker threads busy-wait by default; on a shared 2-core box that steals
    the CPU from the thread doing the work (the crawl, other workers). Turn spinning off."""
    from rapidocr_onnxruntime.utils import infer_engine

    cls = infer_engine.OrtInferSession
    if getattr(cls, "_nianbao_patched", False):
        return
    orig = cls._init_sess_opts

    def opts(config):
        o = orig(config)
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
        o.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return o

    cls._init_sess_opts = staticmethod(opts)
    cls._nianbao_patched = True


#: what OCR imports beyond the core install: the ``[ocr]`` extra
OCR_MODULES = ("rapidocr_onnxruntime", "onnxruntime", "cv2", "pypdfium2", "PIL")


def require_ocr() -> None:
    """Fail early, naming the ``[ocr]`` extra, when OCR's dependencies are not installed."""
    for name in OCR_MODULES:
        require(name, extra="ocr", feature="OCR of scanned PDF pages and images")


def engine():
    global _ENGINE
    if _ENGINE is None:
        import os

        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        _no_spin_sessions()
        threads = int(os.environ.get("NIANBAO_OCR_THREADS", "0")) or min(os.cpu_count() or 1, 4)
        # angle classifier off: it flips correctly oriented CJK lines
        eng = RapidOCR(use_cls=False, intra_op_num_threads=threads, inter_op_num_threads=1)
        det = eng.text_det
        # rapidocr detects on the full page (up to 2000 px); 1536 px finds the same boxes
        # at ~half the cost
        det.get_preprocess = lambda max_wh: DetPreProcess(DET_MAX_SIDE, "max", det.mean, det.std)
        # a lone "0" in a wide table cell scores low as a box; recognition's score filter
        # (0.5) still drops noise
        det.postprocess_op.box_thresh = 0.3
        _ENGINE = eng
    return _ENGINE


def _cuts(x0: float, x1: float, y0: float, y1: float, grids: list["RuledGrid"]) -> list[float]:
    """Vertical table rules crossing a detected box: the box spans two cells."""
    yc = (y0 + y1) / 2
    out: list[float] = []
    for g in grids:
        if g.ys[0] <= yc <= g.ys[-1]:
            out += [x for x in g.xs if x0 + 6 < x < x1 - 6 and g.has_vrule(int(x), int(y0), int(y1))]
    return sorted(out)


def ocr_boxes(img: np.ndarray, grids: list["RuledGrid"] | None = None) -> list[tuple[float, float, float, float, str, float]]:
    """(x0, y0, x1, y1, text, score) for each recognised box.

    Detection and recognition are called separately so that a detected box running over a
    table's vertical rule (the detector joins a label and the figure in the next cell) is
    cut at the rule before recognition.
    """
    grids = grids or []
    with _ENGINE_LOCK:
        eng = engine()
        dt_boxes, _ = eng.text_det(img)
        if dt_boxes is None or len(dt_boxes) == 0:
            return []
        pieces: list[np.ndarray] = []
        for b in dt_boxes:
            xs, ys = b[:, 0], b[:, 1]
            x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
            cuts = _cuts(x0, x1, y0, y1, grids)
            if not cuts:
                pieces.append(np.asarray(b, dtype=np.float32))
                continue
            edges = [x0] + cuts + [x1]
            for a, c in zip(edges, edges[1:]):
                if c - a > 8:
                    pieces.append(np.array([[a, y0], [c, y0], [c, y1], [a, y1]], dtype=np.float32))
        crops = eng.get_crop_img_list(img, pieces)
        rec_res, _ = eng.text_rec(crops, False)
        min_score = eng.text_score
    out = []
    for box, res in zip(pieces, rec_res):
        text, score = res[0], float(res[1])
        t = clean_line(text)
        if t and score >= min_score:
            out.append((float(box[:, 0].min()), float(box[:, 1].min()), float(box[:, 0].max()), float(box[:, 1].max()), t, score))
    return out


def recover_cells(img3: np.ndarray, clean: np.ndarray, grids: list["RuledGrid"], boxes: list[tuple]) -> list[tuple]:
    """Recognise ink in table cells where the detector found nothing.

    The detector misses a lone short figure ("0") in a tall cell now and then; a ruled
    grid tells exactly where to look, so such cells are cropped and recognised directly.
    """
    dark = clean < 140
    crops, where = [], []
    for g in grids:
        for r in range(len(g.ys) - 1):
            for c in range(len(g.xs) - 1):
                y0, y1, x0, x1 = g.ys[r] + 4, g.ys[r + 1] - 3, g.xs[c] + 4, g.xs[c + 1] - 3
                if y1 - y0 < 8 or x1 - x0 < 8:
                    continue
                if any(b[0] < x1 and b[2] > x0 and b[1] < y1 and b[3] > y0 for b in boxes):
                    continue
                region = dark[y0:y1, x0:x1]
                if region.sum() < 15:
                    continue
                rows = np.flatnonzero(region.any(axis=1))
                cols = np.flatnonzero(region.any(axis=0))
                by0, by1 = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
                bx0, bx1 = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
                pad = 4
                crops.append(img3[max(by0 - pad, 0) : by1 + pad, max(bx0 - pad, 0) : bx1 + pad])
                where.append((bx0, by0, bx1, by1))
    if not crops:
        return []
    with _ENGINE_LOCK:
        eng = engine()
        rec, _ = eng.text_rec(crops, False)
        min_score = eng.text_score
    out = []
    for (x0, y0, x1, y1), res in zip(where, rec):
        t = clean_line(res[0])
        if t and float(res[1]) >= min_score:
            out.append((float(x0), float(y0), float(x1), float(y1), t, float(res[1])))
    return out


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


def find_grids(gray: np.ndarray) -> list[RuledGrid]:
    """Ruled tables: long horizontal/vertical strokes kept by morphological opening."""
    import cv2

    h, w = gray.shape
    dark = (gray < 150).astype(np.uint8)
    hk = max(w // 20, 20)
    hmask = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vk = max(h // 60, 15)
    vmask = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    ys_all = _centres(hmask.any(axis=1))
    grids: list[RuledGrid] = []
    group: list[int] = []

    def close(group: list[int]) -> None:
        if len(group) < 2:
            return
        band = vmask[group[0] : group[-1] + 1]
        # a vertical rule must touch a good part of the table height
        cover = band.sum(axis=0) / max(band.shape[0], 1)
        xs = _centres(cover > 0.15)
        if len(xs) >= 2:
            grids.append(RuledGrid(group, xs, hmask, vmask))

    for y in ys_all:
        # consecutive rules belong to one table when a vertical rule joins them
        between = vmask[group[-1] + 3 : y - 2] if group else None
        if group and between is not None and between.size > 0 and between.any(axis=1).mean() < 0.8:
            close(group)
            group = []
        group.append(y)
    close(group)
    return grids


def erase_rules(gray: np.ndarray, grids: list[RuledGrid]) -> np.ndarray:
    """White out table rules so the detector does not join text across a cell border."""
    if not grids:
        return gray
    import cv2

    mask = (grids[0].hmask | grids[0].vmask).astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    out = gray.copy()
    out[mask.astype(bool)] = 255
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
    from .ruled import cell_roots

    ys, xs = g.ys, g.xs
    roots = cell_roots(g)
    members: dict[int, list[tuple]] = {}
    for b in boxes:
        yc, xc = (b[1] + b[3]) / 2, (b[0] + b[2]) / 2
        r, c = _band(yc, ys), _band(xc, xs)
        if r is None or c is None:
            continue
        members.setdefault(roots[r][c], []).append(b)
    text = {k: join_wrapped([" ".join(x[4] for x in ln) for ln in _lines(bs)]) for k, bs in members.items()}
    grid = [[text.get(k, "") for k in row] for row in roots]
    return grid, roots


@dataclass
class OcrPage:
    text: str
    tables: list[dict]  # {bbox, grid, ids, xs} in image pixels (xs None when unruled)
    first_text_top: float | None  # outside tables, for cross-page stitching
    last_text_bottom: float | None


def ocr_page(gray: np.ndarray) -> OcrPage:
    """OCR one page image: text lines, tables (ruled grids, else aligned box runs)."""
    if gray.ndim == 3:
        gray = gray.mean(axis=2).astype(np.uint8)
    grids = find_grids(gray)
    clean = erase_rules(gray, grids)
    img3 = np.stack([clean] * 3, axis=-1)
    boxes = ocr_boxes(img3, grids)
    boxes += recover_cells(img3, clean, grids, boxes)
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
                    tables.append({"bbox": (0, tops[0], gray.shape[1], tops[-1] + 1), "grid": grid,
                                   "ids": [[-1] * w for _ in grid], "xs": None})
                run, tops = [], []
    outside = [ln for ln in lines if not any(t["bbox"][1] - 3 <= (ln[0][1] + ln[0][3]) / 2 <= t["bbox"][3] + 3 for t in tables)]
    outside = [ln for ln in outside if not _page_number(" ".join(b[4] for b in ln))]
    return OcrPage(
        text="\n".join(" ".join(b[4] for b in ln) for ln in lines),
        tables=tables,
        first_text_top=min((min(b[1] for b in ln) for ln in outside), default=None),
        last_text_bottom=max((max(b[3] for b in ln) for ln in outside), default=None),
    )


def _page_number(s: str) -> bool:
    s = s.strip().strip("-—－ ").strip()
    return s.isdigit() or (s.startswith("第") and s.endswith("页"))


def page_from_image(gray: np.ndarray) -> tuple[str, list[list[list[str]]]]:
    """OCR one page image: (text, table grids with merged cells expanded)."""
    from .base import rectangular

    p = ocr_page(gray)
    return p.text, [g for g in (rectangular(t["grid"]) for t in p.tables) if len(g) >= 2]


def ocr_pdf_pages(data: bytes, pages: list[int], dpi: int = DPI) -> dict[int, OcrPage]:
    """Render the given 0-based pages with pdfium and OCR them (coordinates in points)."""
    require_ocr()
    import pypdfium2 as pdfium

    from .pdf import PDF_LOCK

    out: dict[int, OcrPage] = {}
    for pno in pages:
        with PDF_LOCK:
            doc = pdfium.PdfDocument(data)
            try:
                page = doc[pno]
                w, h = page.get_size()
                scale = min(dpi / 72, (MAX_RENDER_PIXELS / max(w * h, 1)) ** 0.5)
                bm = page.render(scale=scale, grayscale=True)
                gray = bm.to_numpy().copy()
                page.close()
            finally:
                doc.close()
        if gray.ndim == 3:
            gray = gray[..., 0]
        p = ocr_page(gray)
        k = 1 / scale  # pixels -> points
        for t in p.tables:
            t["bbox"] = tuple(v * k for v in t["bbox"])
            t["xs"] = [x * k for x in t["xs"]] if t["xs"] else None
        p.first_text_top = p.first_text_top * k if p.first_text_top is not None else None
        p.last_text_bottom = p.last_text_bottom * k if p.last_text_bottom is not None else None
        out[pno] = p
    return out


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
