"""Scanned reports in several table styles and scanner renderings: image-only PDFs + truth.

A scan corpus for the OCR path. Each document is a report (a seed, a generated report of the
2021 or 2019 layout, or a pre-2019 report) laid out on A4 pages and drawn straight into
page images with PIL, then degraded as scanners and phone photos degrade paper: DPI,
paper tint and uneven light, blur, noise, skew, JPEG or bilevel encoding. Nothing is rendered
through a text layer, so the PDF holds images only.

Table styles (the idioms real reports print the national tables in):

- ``form``   the national form: 三、本年度办理结果 as a column merged over every result row,
             categories merged over their items; thin rules; bilevel black-and-white scan.
- ``split``  the label column split into category and item columns, 三、本年度办理结果 a
             full-width row; shaded header cells, thick rules, tinted paper, JPEG.
- ``flat``   one label column, numbering inside the labels (（三）不予公开 printed above
             1.属于国家秘密 in the first item's cell, 2.… 3.… below), a label-only
             三、本年度办理结果 row; grey paper, thin faint rules with breaks, strong skew,
             low JPEG quality.
- ``legacy`` a pre-2019 report (provincial layout, a statistics table of its own): must
             yield no figures and no checks.

Every parameter of a rendering is drawn from ``random.Random(style:key:seed)``: the same
call gives the same bytes. Tables flow over page breaks (merged cells split, no header
repeated), as word processors print them.
"""
from __future__ import annotations

import io
import logging
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .generate import figures, legacy_narrative, narrative, rng
from .grids import Cell, expand, section2_grid, section3_grid, section4_grid
from .layout import (S3_COLUMN_LABELS, S3_NOTE, S3_RESULTS_LABEL, S3_TOP_LABELS,
                     SECTION_TITLES_2019, SECTION_TITLES_2021, fmt_value, s3_groups)

logger = logging.getLogger(__name__)

STYLES = ("form", "split", "flat", "legacy")
FONTS = {
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    "zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
}
A4_MM = (210.0, 297.0)
MARGINS_MM = (25.0, 25.0, 20.0, 22.0)  # left, top, right, bottom
TEXT_W_MM = A4_MM[0] - MARGINS_MM[0] - MARGINS_MM[2]  # 165


@dataclass(frozen=True)
class Rendering:
    """How the paper and the scanner look (all drawn at random within the style's ranges)."""

    dpi: int
    skew: float  # degrees, + is counter-clockwise
    rule_mm: float  # inner rule width
    outer_mm: float  # table frame width
    rule_gray: int  # 0 black … 255 white
    broken: float  # share of each rule lost in small gaps
    paper: tuple[int, int, int]
    header_fill: tuple[int, int, int] | None
    light: float  # illumination falls off by this share across the page
    noise: float  # gaussian sigma (grey levels)
    blur: float  # gaussian blur radius in pixels
    jpeg: int | None  # JPEG quality; None: bilevel (1-bit) PNG
    font: str
    body_pt: float
    table_pt: float
    row_mm: float  # minimum row height


def rendering(style: str, key: str, seed: int = 0) -> Rendering:
    r = random.Random(f"{style}:{key}:{seed}")
    dpi = r.choice([150, 180, 200, 240, 300])
    if style == "form":
        # black-and-white office scans run at 200-300 dpi (below that a 1-bit scan loses the
        # thin horizontal strokes of a serif face: 二 becomes unreadable, for people too)
        return Rendering(r.choice([200, 240, 300]), r.uniform(-0.5, 0.5), r.uniform(0.15, 0.3), 0.3, 0, 0.0,
                         (255, 255, 255), None, 0.0, 0.0, r.uniform(0.0, 0.3), None, "serif", 10.5,
                         r.choice([8.0, 9.0]), 6.5)
    if style == "split":
        return Rendering(dpi, r.uniform(-1.0, 1.0), r.uniform(0.35, 0.5), r.uniform(0.6, 0.9), r.randint(0, 40), 0.0,
                         (r.randint(240, 250), r.randint(232, 242), r.randint(205, 222)), (205, 205, 205),
                         r.uniform(0.03, 0.08), r.uniform(3, 7), r.uniform(0.3, 0.8), r.randint(45, 75), "sans",
                         10.5, 8.0, r.uniform(7.0, 8.5))
    if style == "flat":
        g = r.randint(208, 228)
        return Rendering(dpi, r.choice([-1, 1]) * r.uniform(0.8, 1.5), r.uniform(0.12, 0.2), r.uniform(0.2, 0.3),
                         r.randint(90, 140), r.uniform(0.03, 0.08), (g, g, g), None, r.uniform(0.0, 0.05),
                         r.uniform(4, 9), r.uniform(0.4, 0.9), r.randint(35, 60), "zenhei", 10.5, 9.0, 7.0)
    if style == "legacy":
        return Rendering(dpi, r.uniform(-1.5, 1.5), 0.25, 0.4, 30, 0.0, (250, 248, 240), None, r.uniform(0.08, 0.15),
                         r.uniform(3, 6), r.uniform(0.4, 0.8), r.randint(50, 80), "serif", 12.0, 10.5, 8.0)
    raise ValueError(f"unknown scan style {style!r}")


# ---- reports ------------------------------------------------------------------------------

GENERATED_AGENCIES = ["洛阳市西工区人民政府办公室", "嵩县人民政府办公室", "洛阳市教育局", "汝阳县人民政府办公室",
                      "洛阳市生态环境局", "栾川县人民政府办公室"]


def generated_report(key: str, template: str) -> dict[str, Any]:
    """A generated report (2021 or 2019 layout, consistent figures; or legacy prose)."""
    r = rng(key)
    agency = r.choice(GENERATED_AGENCIES)
    year = {"2021": r.randint(2021, 2024), "2019": r.choice([2019, 2020]), "legacy": r.randint(2012, 2018)}[template]
    if template == "legacy":
        rep: dict[str, Any] = {"section2": {}, "section3": {}, "section4": {}, "failed_checks": [],
                               "narrative": legacy_narrative(key, agency, year)}
    else:
        rep = dict(figures(key, template))
        rep["narrative"] = narrative(key, agency, year, rep["section3"], rep["section4"], template)
    rep.update({"id": key, "agency": agency, "printed_agency": agency, "report_year": year, "template": template,
                "title": f"{agency}{year}年政府信息公开工作年度报告"})
    return rep


def seed_reports(seeds_dir: Path | None = None) -> list[dict[str, Any]]:
    from .seeds import load_seeds

    return load_seeds(seeds_dir)


# ---- table grids per style ------------------------------------------------------------------

@dataclass
class TableSpec:
    n: int
    m: int
    cells: list[Cell]
    widths: list[float]  # mm per column
    header_rows: int

    def grid(self) -> list[list[str]]:
        return expand((self.n, self.m, self.cells))


def _fit(widths: list[float]) -> list[float]:
    k = TEXT_W_MM / sum(widths)
    return [w * k for w in widths]


def _s3_values(s3: dict, key: str) -> list[str]:
    return [fmt_value(v) for v in s3[key]]


def _s3_header(label_cols: int) -> list[Cell]:
    c0 = label_cols
    cells: list[Cell] = [(0, 0, 3, c0, S3_NOTE, "c"), (0, c0, 1, 7, "申请人情况", "c"),
                         (1, c0, 2, 1, S3_COLUMN_LABELS[0], "c"), (1, c0 + 1, 1, 5, "法人或其他组织", "c"),
                         (1, c0 + 6, 2, 1, S3_COLUMN_LABELS[6], "c")]
    return cells + [(2, c0 + 1 + i, 1, 1, x, "c") for i, x in enumerate(S3_COLUMN_LABELS[1:6])]


def section3_split(template: str, s3: dict) -> TableSpec:
    """Category and item in two label columns; 三、本年度办理结果 a row of its own.

    The national form's grid with its first label column (三、本年度办理结果, merged over the
    result rows) taken out and printed as a full-width row above the results instead.
    """
    n, m, cells = section3_grid(template, s3)
    first = next(r for r, c, rs, cs, t, a in cells if t == S3_RESULTS_LABEL)
    out: list[Cell] = []
    for r, c, rs, cs, text, align in cells:
        if text == S3_RESULTS_LABEL:
            continue
        out.append((r + 1 if r >= first else r, max(c - 1, 0), rs, cs - 1 if c == 0 else cs, text, align))
    out.append((first, 0, 1, m - 1, S3_RESULTS_LABEL, "l"))
    return TableSpec(n + 1, m - 1, out, _fit([26, 55] + [12] * 7), 3)


def section3_flat(template: str, s3: dict) -> TableSpec:
    """One label column: a category printed above its first item's label, items numbered."""
    cells = _s3_header(1)
    r = 3

    def vals(row: int, key: str | None) -> None:
        vs = _s3_values(s3, key) if key else [""] * 7
        cells.extend((row, 1 + i, 1, 1, v, "c") for i, v in enumerate(vs))

    for key in ("new_received", "carried_over_prev"):
        cells.append((r, 0, 1, 1, S3_TOP_LABELS[key], "l"))
        vals(r, key)
        r += 1
    cells.append((r, 0, 1, 1, S3_RESULTS_LABEL, "l"))
    vals(r, None)
    r += 1
    for glabel, items in s3_groups(template):
        for j, (key, label) in enumerate(items):
            # the category is printed once, above the first item's label in the same cell
            text = glabel if not label else (f"{glabel}\n{label}" if j == 0 else label)
            cells.append((r, 0, 1, 1, text, "l"))
            vals(r, key)
            r += 1
    cells.append((r, 0, 1, 1, S3_TOP_LABELS["carried_forward"], "l"))
    vals(r, "carried_forward")
    return TableSpec(r + 1, 8, cells, _fit([78] + [12] * 7), 3)


def legacy_table(key: str, year: int) -> TableSpec:
    """A pre-2019 provincial statistics table (指标 / 单位 / 数量)."""
    r = rng(key + ":legacy-table")
    rows = [("一、主动公开情况", "", ""), ("（一）主动公开政府信息数", "条", r.randint(200, 5000)),
            ("其中：主动公开规范性文件数", "条", r.randint(0, 40)), ("二、依申请公开情况", "", ""),
            ("（一）收到申请数", "件", (n := r.randint(2, 60))), ("1.当面申请数", "件", (a := r.randint(0, n))),
            ("2.网络申请数", "件", n - a), ("（二）申请答复数", "件", n), ("1.同意公开答复数", "件", (b := r.randint(0, n))),
            ("2.不同意公开答复数", "件", n - b), ("三、政府信息公开行政复议数", "件", r.randint(0, 3)),
            ("四、政府信息公开行政诉讼数", "件", r.randint(0, 2)), ("五、收取费用", "万元", 0)]
    cells: list[Cell] = [(0, 0, 1, 1, "统计指标", "c"), (0, 1, 1, 1, "单位", "c"), (0, 2, 1, 1, f"{year}年数量", "c")]
    for i, (label, unit, v) in enumerate(rows, start=1):
        cells += [(i, 0, 1, 1, label, "l"), (i, 1, 1, 1, unit, "c"), (i, 2, 1, 1, str(v) if v != "" else "", "c")]
    return TableSpec(len(rows) + 1, 3, cells, _fit([95, 30, 40]), 1)


def report_tables(rep: dict, style: str) -> dict[int, TableSpec]:
    """Section number -> table spec in the given style."""
    t = rep["template"]
    if t == "legacy":
        return {}
    n2, m2, c2 = section2_grid(t, rep["section2"])
    s2 = TableSpec(n2, m2, c2, _fit([44, 40, 40, 41]), 0)
    if style == "split":
        s3 = section3_split(t, rep["section3"])
    elif style == "flat":
        s3 = section3_flat(t, rep["section3"])
    else:
        n3, m3, c3 = section3_grid(t, rep["section3"])
        s3 = TableSpec(n3, m3, c3, _fit([13, 16, 52] + [12] * 7), 3)
    n4, m4, c4 = section4_grid(rep["section4"])
    s4 = TableSpec(n4, m4, c4, [TEXT_W_MM / 15] * 15, 3)
    return {2: s2, 3: s3, 4: s4}


LEGACY_HEADINGS = ["一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况", "四、政府信息公开的收费及减免情况",
                   "五、因政府信息公开申请行政复议、提起行政诉讼的情况", "六、存在的主要问题及改进措施", "七、其他需要报告的事项"]


# ---- drawing -------------------------------------------------------------------------------

class _Pages:
    """A4 pages drawn at the rendering's DPI, a cursor flowing text and tables down them."""

    def __init__(self, rd: Rendering, rnd: random.Random):
        from PIL import ImageFont

        self.rd, self.rnd = rd, rnd
        self.px = rd.dpi / 25.4
        self.w, self.h = round(A4_MM[0] * self.px), round(A4_MM[1] * self.px)
        self.left, self.top = MARGINS_MM[0] * self.px, MARGINS_MM[1] * self.px
        self.right, self.bottom = self.w - MARGINS_MM[2] * self.px, self.h - MARGINS_MM[3] * self.px
        reg, bold = FONTS[rd.font]
        size = lambda pt: max(8, round(pt / 72 * rd.dpi))  # noqa: E731
        self.f_body = ImageFont.truetype(reg, size(rd.body_pt), index=2 if reg.endswith("CJK-Regular.ttc") else 0)
        self.f_table = ImageFont.truetype(reg, size(rd.table_pt), index=2 if reg.endswith("CJK-Regular.ttc") else 0)
        self.f_title = ImageFont.truetype(bold, size(16), index=2 if "Noto" in bold else 0)
        self.ink = (25, 25, 25)
        self.pages: list = []
        self.page_skews: list[float] = []  # the angle each page was turned by
        self.tables_on_pages: list[set[int]] = []
        self._new()

    def _new(self) -> None:
        from PIL import Image, ImageDraw

        im = Image.new("RGB", (self.w, self.h), self.rd.paper)
        self.pages.append(im)
        self.tables_on_pages.append(set())
        self.draw = ImageDraw.Draw(im)
        self.y = self.top

    def _wrap(self, text: str, font, width: float, indent: float = 0.0) -> list[str]:
        lines, cur, x = [], "", indent
        for part in text.split("\n"):
            for ch in part:
                cw = font.getlength(ch)
                if cur and x + cw > width and ch not in "，。、；：）”》！？":
                    lines.append(cur)
                    cur, x = "", 0.0
                cur += ch
                x += cw
            lines.append(cur)
            cur, x = "", 0.0
        return [ln for ln in lines if ln] or [""]

    def paragraph(self, text: str, *, font=None, indent: int = 2, center: bool = False, gap: float = 0.4) -> None:
        font = font or self.f_body
        size = font.size
        lh = size * 1.55
        ind = indent * size
        lines = self._wrap(text, font, self.right - self.left, ind)
        for i, ln in enumerate(lines):
            if self.y + lh > self.bottom:
                self._new()
            x = self.left + (ind if i == 0 else 0)
            if center:
                x = (self.w - font.getlength(ln)) / 2
            self.draw.text((x, self.y), ln, font=font, fill=self.ink)
            self.y += lh
        self.y += gap * size

    def _rule(self, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
        """A rule, with small gaps where the rendering breaks rules."""
        g = self.rd.rule_gray
        color = (g, g, g)
        w = max(1, round(width * self.px))
        length = math.hypot(x1 - x0, y1 - y0)
        if not self.rd.broken or length < 20:
            self.draw.line([(x0, y0), (x1, y1)], fill=color, width=w)
            return
        pos = 0.0
        while pos < length:
            seg = self.rnd.uniform(30, 120) * self.px / 8
            a, b = pos / length, min(pos + seg, length) / length
            self.draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                           fill=color, width=w)
            pos += seg + seg * self.rd.broken * self.rnd.uniform(0.5, 1.5)

    def table(self, spec: TableSpec, table_no: int) -> None:
        rd, px = self.rd, self.px
        font = self.f_table
        pad = 0.8 * px
        lh = font.size * 1.3
        xs = [self.left]
        for wmm in spec.widths:
            xs.append(xs[-1] + wmm * px)
        heights = [rd.row_mm * px] * spec.n
        wrapped: dict[int, list[str]] = {}
        for k, (r, c, rs, cs, text, _a) in enumerate(spec.cells):
            lines = self._wrap(text, font, xs[c + cs] - xs[c] - 2 * pad) if text else []
            wrapped[k] = lines
            need = len(lines) * lh + 2 * pad
            have = sum(heights[r:r + rs])
            if need > have:
                heights[r + rs - 1] += need - have
        # rows onto pages
        place: list[tuple[int, float]] = []  # (page index, top y)
        for r in range(spec.n):
            if self.y + heights[r] > self.bottom and r > 0:
                self._new()
            place.append((len(self.pages) - 1, self.y))
            self.tables_on_pages[-1].add(table_no)
            self.y += heights[r]
        from PIL import ImageDraw

        draws = {}
        for k, (r, c, rs, cs, text, align) in enumerate(spec.cells):
            # one part per page the merged cell touches
            parts: dict[int, list[float]] = {}
            for rr in range(r, r + rs):
                p, top = place[rr]
                part = parts.setdefault(p, [top, top])
                part[1] = top + heights[rr]
            for n, (p, (top, bot)) in enumerate(sorted(parts.items())):
                d = draws.setdefault(p, ImageDraw.Draw(self.pages[p]))
                x0, x1 = xs[c], xs[c + cs]
                if rd.header_fill and r < spec.header_rows:
                    d.rectangle([x0, top, x1, bot], fill=rd.header_fill)
                if n == 0 and wrapped[k]:
                    lines = wrapped[k]
                    ty = top + (bot - top - len(lines) * lh) / 2 + (lh - font.size) / 2
                    for ln in lines:
                        tx = x0 + pad if align == "l" else (x0 + x1 - font.getlength(ln)) / 2
                        d.text((tx, ty), ln, font=font, fill=self.ink)
                        ty += lh
                saved = self.draw
                self.draw = d
                for (a, b, e, f) in ((x0, top, x1, top), (x0, bot, x1, bot), (x0, top, x0, bot), (x1, top, x1, bot)):
                    outer = (a == xs[0] == e) or (a == xs[-1] == e) or (b == place[0][1] == f and r == 0) or \
                            (r + rs == spec.n and b == f == bot)
                    self._rule(a, b, e, f, rd.outer_mm if outer else rd.rule_mm)
                self.draw = saved
        self.y += 0.6 * self.f_body.size

    def finish(self) -> list[bytes]:
        """Degrade each page (light, blur, skew, noise) and encode it (JPEG or 1-bit PNG)."""
        import numpy as np
        from PIL import Image, ImageFilter

        out = []
        for im in self.pages:
            a = np.asarray(im).astype(np.float32)
            if self.rd.light:
                yy, xx = np.mgrid[0:self.h, 0:self.w]
                fall = 1.0 - self.rd.light * ((xx / self.w) * 0.6 + (yy / self.h) * 0.4)
                a *= fall[..., None]
            im = Image.fromarray(a.clip(0, 255).astype(np.uint8))
            if self.rd.blur:
                im = im.filter(ImageFilter.GaussianBlur(self.rd.blur))
            if self.rd.skew:
                # a sheet feeds a little off: each page turned by about the skew and shifted
                # up to 2 mm (the form style's flatbed scans sit still)
                shift = (0, 0) if self.rd.jpeg is None else tuple(round(self.rnd.uniform(-2, 2) * self.px) for _ in "xy")
                angle = self.rd.skew + self.rnd.uniform(-0.1, 0.1)
                self.page_skews.append(round(angle, 3))
                im = im.rotate(angle, resample=Image.BICUBIC, fillcolor=self.rd.paper, translate=shift)
            else:
                self.page_skews.append(0.0)
            a = np.asarray(im).astype(np.float32)
            if self.rd.noise:
                nr = np.random.default_rng(self.rnd.randrange(2**32))
                a += nr.normal(0, self.rd.noise, a.shape[:2])[..., None]
            im = Image.fromarray(a.clip(0, 255).astype(np.uint8))
            buf = io.BytesIO()
            if self.rd.jpeg is None:
                im.convert("L").point(lambda v: 255 if v > 190 else 0).convert("1").save(buf, "PNG", optimize=True)
            else:
                im.save(buf, "JPEG", quality=self.rd.jpeg)
            out.append(buf.getvalue())
        return out


def _titles(template: str) -> dict[int, str]:
    return SECTION_TITLES_2021 if template == "2021" else SECTION_TITLES_2019


def render_scan(rep: dict[str, Any], style: str, seed: int = 0) -> tuple[bytes, dict[str, Any]]:
    """An image-only PDF of the report in ``style``, and its truth.

    truth: rendering parameters, page count, the expanded grid of every table, the tables
    that run over a page break, and the report's figures (section2-4, failed_checks, template,
    report_year, agency).
    """
    import fitz

    key = rep.get("id") or rep["title"]
    rd = rendering(style, key, seed)
    pg = _Pages(rd, random.Random(f"draw:{style}:{key}:{seed}"))
    pg.paragraph(rep["title"], font=pg.f_title, indent=0, center=True, gap=1.0)
    nar = rep.get("narrative") or {}
    tables: list[TableSpec] = []
    if rep["template"] == "legacy" or style == "legacy":
        for i, head in enumerate(LEGACY_HEADINGS):
            pg.paragraph(head, indent=0)
            paras = {0: nar.get("1", [])[:1], 1: nar.get("1", [])[1:], 5: nar.get("5", []), 6: nar.get("6", [])}.get(i, [])
            for p in paras:
                pg.paragraph(p)
            if i == 2:
                tables.append(legacy_table(key, rep["report_year"]))
                pg.table(tables[-1], len(tables) - 1)
    else:
        specs = report_tables(rep, style)
        for sec, head in _titles(rep["template"]).items():
            pg.paragraph(head, indent=0)
            if sec in specs:
                tables.append(specs[sec])
                pg.table(specs[sec], len(tables) - 1)
            for p in nar.get(str(sec), []):
                pg.paragraph(p)
    images = pg.finish()
    doc = fitz.open()
    w_pt, h_pt = A4_MM[0] / 25.4 * 72, A4_MM[1] / 25.4 * 72
    for img in images:
        page = doc.new_page(width=w_pt, height=h_pt)
        page.insert_image(page.rect, stream=img)
    doc.set_metadata({"producer": "Scanner", "creator": "Scanner", "creationDate": "D:20240301090000+08'00'",
                      "modDate": "D:20240301090000+08'00'"})
    pdf = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    split = sorted({t for i, s in enumerate(pg.tables_on_pages) for t in s
                    if any(t in later for later in pg.tables_on_pages[i + 1:])})
    legacy = rep["template"] == "legacy" or style == "legacy"
    truth = {
        "style": style, "seed": seed, "key": key, "rendering": asdict(rd), "pages": len(images),
        "page_skews": pg.page_skews,
        "tables": [t.grid() for t in tables], "split_tables": split,
        "template": "legacy" if legacy else rep["template"], "report_year": rep["report_year"],
        "agency": rep.get("agency"), "title": rep["title"],
        "section2": {} if legacy else rep["section2"], "section3": {} if legacy else rep["section3"],
        "section4": {} if legacy else rep["section4"], "failed_checks": [] if legacy else rep["failed_checks"],
    }
    return pdf, truth


def gate_corpus(seeds_dir: Path | None = None, per_style: int = 2) -> list[tuple[str, dict[str, Any]]]:
    """The documents the scan gate reads: (style, report) pairs, ``per_style`` per style.

    Table styles alternate seeds and generated reports (2021 and 2019 layouts); the legacy
    style renders generated pre-2019 reports.
    """
    seeds = seed_reports(seeds_dir)
    out: list[tuple[str, dict[str, Any]]] = []
    for si, style in enumerate(STYLES):
        for k in range(per_style):
            if style == "legacy":
                rep = generated_report(f"scan-legacy-{k}", "legacy")
            elif k % 2 == 0:
                rep = seeds[(si + k) % len(seeds)]
            else:
                rep = generated_report(f"scan-{style}-{k}", "2019" if si % 2 else "2021")
            out.append((style, rep))
    return out
