"""Ruled tables from vector drawings: rules -> grid -> cells with merges -> text grid.

MuPDF's find_tables (1.26, Python layer) costs seconds per page here; the report tables
are ruled, so the rules drawn on the page are enough: horizontal rule positions give row
edges, vertical ones column edges, and a missing rule between two neighbouring slots means
the slots are one merged cell (its text is repeated in each slot of the expanded grid).
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

TOL = 2.0  # points


@dataclass
class Seg:
    a: float  # start along the segment
    b: float  # end
    at: float  # y for horizontal, x for vertical


@dataclass
class RuledTable:
    ys: list[float]
    xs: list[float]
    hsegs: list[Seg] = field(default_factory=list)
    vsegs: list[Seg] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def _covered(self, segs: list[Seg], at: float, lo: float, hi: float) -> bool:
        a, b = lo + (hi - lo) * 0.25, hi - (hi - lo) * 0.25
        return any(abs(s.at - at) <= TOL and s.a <= a + TOL and s.b >= b - TOL for s in segs)

    def has_vrule(self, x: float, y0: float, y1: float) -> bool:
        return self._covered(self.vsegs, x, y0, y1)

    def has_hrule(self, y: float, x0: float, x1: float) -> bool:
        return self._covered(self.hsegs, y, x0, x1)


def segments(page) -> tuple[list[Seg], list[Seg]]:
    """Horizontal and vertical rules of a page (lines, thin rectangles, rectangle edges)."""
    hs: list[Seg] = []
    vs: list[Seg] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        if abs(y1 - y0) <= 1.5 and abs(x1 - x0) > 3:
            hs.append(Seg(min(x0, x1), max(x0, x1), (y0 + y1) / 2))
        elif abs(x1 - x0) <= 1.5 and abs(y1 - y0) > 3:
            vs.append(Seg(min(y0, y1), max(y0, y1), (x0 + x1) / 2))

    for d in page.get_cdrawings():
        for item in d.get("items", ()):
            kind = item[0]
            if kind == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                add(x0, y0, x1, y1)
            elif kind == "re":
                x0, y0, x1, y1 = item[1]
                w, h = x1 - x0, y1 - y0
                if h <= 3 and w > 3:
                    hs.append(Seg(x0, x1, (y0 + y1) / 2))
                elif w <= 3 and h > 3:
                    vs.append(Seg(y0, y1, (x0 + x1) / 2))
                elif w > 3 and h > 3 and d.get("type") != "f":  # stroked box: four rules
                    add(x0, y0, x1, y0)
                    add(x0, y1, x1, y1)
                    add(x0, y0, x0, y1)
                    add(x1, y0, x1, y1)
            elif kind == "qu":
                q = item[1]
                pts = [(p[0], p[1]) for p in (q[0], q[1], q[3], q[2])] if len(q) == 4 else []
                for (xa, ya), (xb, yb) in zip(pts, pts[1:] + pts[:1]):
                    add(xa, ya, xb, yb)
    return _merge(hs), _merge(vs)


def _merge(segs: list[Seg]) -> list[Seg]:
    """Join collinear overlapping/touching pieces (cell borders are often drawn per cell)."""
    segs = sorted(segs, key=lambda s: s.at)
    groups: list[list[Seg]] = []
    for s in segs:
        if groups and s.at - groups[-1][-1].at <= 1.0:
            groups[-1].append(s)
        else:
            groups.append([s])
    out: list[Seg] = []
    for g in groups:
        at = sum(s.at for s in g) / len(g)
        cur: Seg | None = None
        for s in sorted(g, key=lambda s: s.a):
            if cur is not None and s.a <= cur.b + TOL:
                cur.b = max(cur.b, s.b)
            else:
                cur = Seg(s.a, s.b, at)
                out.append(cur)
    return out


def _cluster(vals: list[float]) -> list[float]:
    vals = sorted(vals)
    out: list[list[float]] = []
    for v in vals:
        if out and v - out[-1][-1] <= TOL:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def find_tables(hs: list[Seg], vs: list[Seg]) -> list[RuledTable]:
    """Group rules into tables: consecutive horizontal rules joined by vertical ones."""
    if len(hs) < 2 or len(vs) < 2:
        return []
    ys = _cluster([s.at for s in hs])
    groups: list[list[float]] = []
    for y in ys:
        if groups and any(s.a <= groups[-1][-1] + TOL and s.b >= y - TOL for s in vs):
            groups[-1].append(y)
        else:
            groups.append([y])
    tables = []
    for g in groups:
        if len(g) < 2:
            continue
        y0, y1 = g[0] - TOL, g[-1] + TOL
        tv = [s for s in vs if s.a >= y0 - TOL and s.b <= y1 + TOL]
        th = [s for s in hs if y0 <= s.at <= y1]
        xs = _cluster([s.at for s in tv])
        if len(xs) < 2:
            continue
        tables.append(RuledTable(ys=g, xs=xs, hsegs=th, vsegs=tv))
    return tables


def cell_roots(t: RuledTable) -> list[list[int]]:
    """Slot -> merged-cell id (union-find over slots whose shared rule is missing).

    ``t`` is anything with rule positions ``ys``/``xs`` and ``has_vrule``/``has_hrule``: a PDF's
    vector rules here, a page image's rule masks in ocr.py."""
    from pipelines.unionfind import DisjointSet

    nr, nc = len(t.ys) - 1, len(t.xs) - 1
    cells = DisjointSet(range(nr * nc))
    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not t.has_vrule(t.xs[c + 1], t.ys[r], t.ys[r + 1]):
                cells.merge(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not t.has_hrule(t.ys[r + 1], t.xs[c], t.xs[c + 1]):
                cells.merge(r * nc + c, (r + 1) * nc + c)
    return [[cells[r * nc + c] for c in range(nc)] for r in range(nr)]


def _band(v: float, edges: list[float]) -> int | None:
    i = bisect.bisect_right(edges, v) - 1
    return i if 0 <= i < len(edges) - 1 else None


def fill(t: RuledTable, items: list[tuple], render) -> tuple[list[list[str]], list[list[int]], set[int]]:
    """Place items (x0, x1, yc, ...) in cells; ``render(list_of_items) -> str`` per cell.

    Returns (grid, root ids, indices of the items used).
    """
    roots = cell_roots(t)
    members: dict[int, list] = {}
    used: set[int] = set()
    for i, it in enumerate(items):
        xc, yc = (it[0] + it[1]) / 2, it[2]
        r, c = _band(yc, t.ys), _band(xc, t.xs)
        if r is None or c is None:
            continue
        members.setdefault(roots[r][c], []).append(it)
        used.add(i)
    text = {k: render(v) for k, v in members.items()}
    grid = [[text.get(k, "") for k in row] for row in roots]
    return grid, roots, used
