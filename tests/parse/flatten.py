"""Flattened-text variants of a report: the tables' cells run together, as text copies of HTML
reports, copy-paste and some PDF generators print them.

`flatten(text, exp, style, rng)` rewrites the tables (from 二、主动公开政府信息情况 up to
五、存在的主要问题) of a report text whose figures are `exp` (parse_variants shape) and
returns the new text and, per table row, what was printed for its numbers, so that
`reference_open_cells` can say — by brute force, independently of the parser — which cells
the print leaves open. Nothing here reads the parser's catalogue or code.

Styles (each randomised by `rng`):
- export: every separator inside the tables vanishes, the tables on one line (or a few);
- rows: one table row per line, the row's label and numbers run together;
- cells: a cell per line (no runs), header rows run together;
- random: each separator independently kept, dropped or turned into a line break, with
  stray spaces inside runs of digits, labels wrapped, list numbering restyled.
Any style may also get full-width digits and 1、/1． numbering.
"""
from __future__ import annotations

import copy
import itertools
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

import parse_variants as V

STYLES = ("export", "rows", "cells", "random")
_NUM = re.compile(r"[+-]?\d+(?:\.\d+)?")
_FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}


@dataclass
class Item:
    kind: str          # 'text' | 'num'
    text: str
    sep: str           # separator before it in the source: '', ' ' or '\n'


@dataclass
class PrintedRow:
    """One table row's numbers as the variant prints them."""
    cells: list[tuple[str, str, str]]
    kinds: list[str]                   # count / amount / signed
    digits: str = ""                   # the row's characters without separators
    seps: set[int] = field(default_factory=set)   # positions in `digits` where a separator stands
    block: int | None = None


def _items(lines: list[str]) -> list[Item]:
    out: list[Item] = []
    sep = ""
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        for j, f in enumerate(fields):
            out.append(Item("num" if _NUM.fullmatch(f) else "text", f, sep if out else ""))
            sep = " "
        sep = "\n"
    return out


def _row_layout(exp: dict) -> list[tuple[list[tuple[str, str, str]], list[str], int | None]]:
    """The tables' rows in printed order: (cells, kinds, block)."""
    rows = []
    for row, cols in (exp.get("section2") or {}).items():
        rows.append(([("2", row, c) for c in cols],
                     ["amount" if c == "amount_10k_yuan" else "signed" if c == "change" else "count" for c in cols],
                     None))
    for row in exp["section3"]:
        rows.append(([("3", row, c) for c in V.S3_COLS], ["count"] * 7, 7))
    rows.append(([("4", r, c) for r in V.S4_ROWS for c in V.S4_COLS], ["count"] * 15, 5))
    return rows


def _numbering(t: str, how: str) -> str:
    if how == "、":
        return re.sub(r"^(\d)\.\s*", r"\1、", t)
    if how == "full":
        return re.sub(r"^(\d)\.", lambda m: m.group(1).translate(_FULL) + "．", t)
    return t


def flatten(text: str, exp: dict, style: str, rng: random.Random) -> tuple[str, list[PrintedRow]]:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if "主动公开政府信息情况" in re.sub(r"\s", "", ln))
    end = next(i for i, ln in enumerate(lines) if re.sub(r"\s", "", ln).startswith("五、存在的主要问题"))
    items = _items(lines[start:end])
    layout = _row_layout(exp)
    cells_vals = V.expected_cells(exp)

    # which items are whose numbers: consecutive numbers, in order, are one row's
    runs: list[list[int]] = []
    for i, it in enumerate(items):
        if it.kind == "num":
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    assert len(runs) == len(layout), (len(runs), len(layout))
    for run, (cells, _, _) in zip(runs, layout):
        got = [Decimal(items[i].text) for i in run]
        want = [Decimal(str(cells_vals[c])) for c in cells]
        assert got == want, (cells[0], got, want)

    full = rng.random() < 0.35
    numbering = rng.choice(["keep", "keep", "、", "full"])
    p_drop = {"export": 1.0, "rows": 1.0, "cells": 0.0, "random": rng.uniform(0.6, 1.0)}[style]
    p_stray = 0.25 if style == "random" else 0.0
    one_line = style == "export" and rng.random() < 0.6

    def sep_between(a: Item, b: Item) -> str:
        if style == "export":
            return "" if one_line or rng.random() < 0.9 else "\n"
        if style == "rows":
            if a.kind == "num" and b.kind == "text":
                return "\n"
            if a.kind == "text" and b.kind == "text":
                return rng.choice(["", "", b.sep])
            return ""
        if style == "cells":
            return "" if a.kind == b.kind == "text" and rng.random() < 0.7 else "\n"
        r = rng.random()
        if r < p_drop:
            return ""
        return rng.choice([" ", "\n"]) if a.kind == b.kind == "num" else rng.choice([" ", "\n", b.sep])

    seps = [""] + [sep_between(items[i - 1], items[i]) for i in range(1, len(items))]
    row_of = {i: k for k, run in enumerate(runs) for i in run}
    # stray spaces inside numbers, only in rows that lost separators (a row printed with all
    # of them and one more would have too many tokens, which no copy shows)
    stray: dict[int, int] = {}
    for run, (cells, _, _) in zip(runs, layout):
        # a sign starts a new number whatever the separators (120-3): it bounds a token too
        kept = sum(1 for i in run[1:] if seps[i] or items[i].text[0] in "+-")
        for i in run:
            t = items[i].text
            if kept + 1 < len(cells) - 1 and t.isdigit() and len(t) > 1 and rng.random() < p_stray:
                stray[i] = rng.randrange(1, len(t))
                kept += 1
    out: list[str] = []
    printed: list[PrintedRow] = []
    current: PrintedRow | None = None
    for i, it in enumerate(items):
        out.append(seps[i])
        if it.kind == "num":
            if i == 0 or items[i - 1].kind != "num":
                cells, kinds, block = layout[row_of[i]]
                current = PrintedRow(cells, kinds, block=block)
                printed.append(current)
            elif seps[i]:
                current.seps.add(len(current.digits))
            t = it.text
            if i in stray:
                current.seps.add(len(current.digits) + stray[i])
                t = t[:stray[i]] + " " + t[stray[i]:]
            current.digits += it.text
            out.append(t.translate(_FULL) if full else t)
        else:
            t = _numbering(it.text, numbering)
            if style == "random" and len(t) > 10 and rng.random() < 0.2:
                k = rng.randrange(3, len(t) - 3)    # a label wrapped over two lines
                t = t[:k] + "\n" + t[k:]
            out.append(t)
    body = "".join(out)
    new = "\n".join(lines[:start]) + "\n" + body + "\n" + "\n".join(lines[end:])
    return new, printed


# ---------------------------------------------------------------- the reference (brute force)

_VALID = {"count": re.compile(r"0|[1-9]\d*"), "amount": re.compile(r"(0|[1-9]\d*)(\.\d+)?"),
          "signed": re.compile(r"0|[+-]?[1-9]\d*")}


def _cuts(row: PrintedRow) -> list[tuple[tuple, int]]:
    """Every cut of the row into its cells: (values, blocks whose total does not add up)."""
    s, n = row.digits, len(row.cells)
    out = []
    bounds = row.seps | {i for i, ch in enumerate(s) if i and ch in "+-"}
    every = [tuple(sorted(bounds))] if len(bounds) == n - 1 else None   # as many tokens as cells: as printed
    for cuts in every or itertools.combinations(range(1, len(s)), n - 1):
        parts = [s[a:b] for a, b in zip((0,) + cuts, cuts + (len(s),))]
        if not all(_VALID[k].fullmatch(p) for k, p in zip(row.kinds, parts)):
            continue
        vals = tuple(Decimal(p) for p in parts)
        bad = sum(1 for i in range(0, n, row.block)
                  if sum(vals[i:i + row.block - 1]) != vals[i + row.block - 1]) if row.block else 0
        out.append((vals, bad))
    return out


def reference_open_cells(printed: list[PrintedRow], *, section3: bool = True,
                         limit: int = 200000) -> set[tuple[str, str, str]]:
    """Cells the print leaves open, by brute force: for section 二 every cut of a row; for
    section 四 the cuts with the fewest rows whose total does not add up; for section 三 (when
    `section3`; the figures must then be consistent) the combinations of cuts satisfying
    every row's H3 and H1, H2 in every column. Open: the cells on which those differ. A row
    printed with as many tokens as cells is as printed."""
    open_: set = set()
    s3: list[tuple[PrintedRow, list]] = []
    for row in printed:
        cands = _cuts(row)
        assert cands, (row.cells[0], row.digits)
        if row.cells[0][0] == "3":
            s3.append((row, [v for v, bad in cands if not bad]))
            continue
        fewest = min(bad for _, bad in cands)
        keep = [v for v, bad in cands if bad == fewest]
        open_ |= {c for i, c in enumerate(row.cells) if len({v[i] for v in keep}) > 1}
    if not section3:
        return open_
    size = 1
    for _, cands in s3:
        size *= len(cands)
    assert 0 < size <= limit, size
    rows = [r.cells[0][1] for r, _ in s3]
    idx = {r: k for k, r in enumerate(rows)}
    results = [r for r in rows if r not in ("new_received", "carried_over_prev", "total_handled", "carried_forward")]
    fits = []
    for vals in itertools.product(*(c for _, c in s3)):
        if all(vals[idx["new_received"]][c] + vals[idx["carried_over_prev"]][c]
               == vals[idx["total_handled"]][c] + vals[idx["carried_forward"]][c]
               and sum(vals[idx[r]][c] for r in results) == vals[idx["total_handled"]][c]
               for c in range(7)):
            fits.append(vals)
    assert fits, "the seed's own figures must fit"
    for k, (row, _) in enumerate(s3):
        open_ |= {c for i, c in enumerate(row.cells) if len({v[k][i] for v in fits}) > 1}
    return open_


def variant(seed_text: str, exp: dict, style: str, rng: random.Random) -> tuple[str, dict]:
    """(text, expected) for one flattened variant: expected = the figures, with the cells
    the print leaves open as `open_cells` (section 三's only when its arithmetic holds: a
    variant with a deliberate error must be read whole, the error found by the checks)."""
    text, printed = flatten(seed_text, exp, style, rng)
    e = copy.deepcopy(exp)
    e["open_cells"] = sorted(reference_open_cells(printed, section3=not exp.get("failed_checks")))
    return text, e
