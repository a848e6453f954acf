"""The standard tables as merged-cell grids, shared by the HTML, DOCX and XLS renderers.

A grid is (n_rows, n_cols, cells) with cells = [(row, col, rowspan, colspan, text, align)].
"""
from __future__ import annotations

import logging
from typing import Any

from .layout import (S2_BLOCKS_2019, S2_BLOCKS_2021, S3_COLUMN_LABELS, S3_NOTE, S3_RESULTS_LABEL,
                     S3_TOP_LABELS, S4_COLUMN_LABELS, S4_ROWS, fmt_value, s3_groups)

logger = logging.getLogger(__name__)

Cell = tuple[int, int, int, int, str, str]
Grid = tuple[int, int, list[Cell]]


def section2_grid(template: str, s2: dict[str, dict[str, Any]]) -> Grid:
    blocks = S2_BLOCKS_2021 if template == "2021" else S2_BLOCKS_2019
    cells: list[Cell] = []
    r = 0
    for heading, header, items, cols in blocks:
        cells.append((r, 0, 1, 4, heading, "c"))
        r += 1
        span_last = 4 - len(header) + 1
        for i, h in enumerate(header):
            cells.append((r, i, 1, span_last if i == len(header) - 1 else 1, h, "c"))
        r += 1
        for key, label in items:
            vals = s2.get(key, {})
            cells.append((r, 0, 1, 1, label, "c"))
            for i, c in enumerate(cols):
                span = span_last if i == len(cols) - 1 else 1
                cells.append((r, i + 1, 1, span, fmt_value(vals.get(c), signed=(c == "change")), "c"))
            r += 1
    return r, 4, cells


def section3_grid(template: str, s3: dict[str, list]) -> Grid:
    cells: list[Cell] = [
        (0, 0, 3, 3, S3_NOTE, "c"), (0, 3, 1, 7, "申请人情况", "c"),
        (1, 3, 2, 1, S3_COLUMN_LABELS[0], "c"), (1, 4, 1, 5, "法人或其他组织", "c"),
        (1, 9, 2, 1, S3_COLUMN_LABELS[6], "c"),
    ]
    cells += [(2, 4 + i, 1, 1, x, "c") for i, x in enumerate(S3_COLUMN_LABELS[1:6])]
    r = 3

    def vals(row: int, key: str) -> None:
        cells.extend((row, 3 + i, 1, 1, fmt_value(v), "c") for i, v in enumerate(s3[key]))

    for key in ("new_received", "carried_over_prev"):
        cells.append((r, 0, 1, 3, S3_TOP_LABELS[key], "l"))
        vals(r, key)
        r += 1
    groups = s3_groups(template)
    n_results = sum(len(items) for _, items in groups)
    cells.append((r, 0, n_results, 1, S3_RESULTS_LABEL, "c"))
    for glabel, items in groups:
        for j, (key, label) in enumerate(items):
            if not label:
                cells.append((r, 1, 1, 2, glabel, "l"))
            else:
                if j == 0:
                    cells.append((r, 1, len(items), 1, glabel, "c"))
                cells.append((r, 2, 1, 1, label, "l"))
            vals(r, key)
            r += 1
    cells.append((r, 0, 1, 3, S3_TOP_LABELS["carried_forward"], "l"))
    vals(r, "carried_forward")
    return r + 1, 10, cells


def section4_grid(s4: dict[str, list]) -> Grid:
    cells: list[Cell] = [(0, 0, 1, 5, "行政复议", "c"), (0, 5, 1, 10, "行政诉讼", "c")]
    cells += [(1, i, 2, 1, x, "c") for i, x in enumerate(S4_COLUMN_LABELS)]
    cells += [(1, 5, 1, 5, "未经复议直接起诉", "c"), (1, 10, 1, 5, "复议后起诉", "c")]
    cells += [(2, 5 + i, 1, 1, x, "c") for i, x in enumerate(S4_COLUMN_LABELS * 2)]
    flat = [v for row in S4_ROWS for v in s4[row]]
    cells += [(3, i, 1, 1, fmt_value(v), "c") for i, v in enumerate(flat)]
    return 4, 15, cells


def report_grids(rep: dict) -> dict[int, Grid]:
    """Section number -> grid, for the sections that hold tables (none for legacy reports)."""
    if rep["template"] == "legacy":
        return {}
    style = rep.get("label_style") or "standard"
    return {2: restyle(section2_grid(rep["template"], rep["section2"]), style),
            3: restyle(section3_grid(rep["template"], rep["section3"]), style),
            4: restyle(section4_grid(rep["section4"]), style)}


def expand(grid: Grid) -> list[list[str]]:
    """The grid with merged cells expanded (each covered position repeats the text)."""
    n, m, cells = grid
    out = [[""] * m for _ in range(n)]
    for r, c, rs, cs, text, _ in cells:
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                out[i][j] = text
    return out


# ---- label variants seen on real portals ----------------------------------------------------

LABEL_STYLES = ("standard", "halfwidth", "linebreaks", "typo")


def _restyle_label(text: str, style: str) -> str:
    import re

    if style == "halfwidth":
        # (一) 予以公开 / 1. 属于国家秘密 / 结果 维持, as WPS/Word exports of seeds 002 and 004 print them
        t = re.sub(r"（([一二三四五六七八九十]+)）", r"(\1) ", text)
        t = re.sub(r"^(\d)\.", r"\1. ", t)
        return re.sub(r"^(结果|其他|尚未)(维持|纠正|结果|审结)$", r"\1 \2", t)
    if style == "linebreaks":
        # long labels broken inside words, as narrow table cells in CMS editors come out
        return text if len(text) <= 10 else text[: len(text) // 2] + "\n" + text[len(text) // 2:]
    if style == "typo":
        # a real 2024 report prints 2.其他法律行政止公开
        return text.replace("其他法律行政法规禁止公开", "其他法律行政止公开")
    return text


def restyle(grid: Grid, style: str) -> Grid:
    """The grid with its labels printed in another style (figures untouched)."""
    if style == "standard":
        return grid
    n, m, cells = grid
    out = []
    for r, c, rs, cs, text, align in cells:
        if text and not text.lstrip("+-").replace(".", "", 1).isdigit() and text != "/":
            text = _restyle_label(text, style)
        out.append((r, c, rs, cs, text, align))
    return n, m, out
