"""Reading the rows printed without separators: one constraint problem over the whole table.

Each such row is a variable whose domain is its readings (digits.readings). The report's own
arithmetic is a set of linear forms over cells (checks.hard_forms: H1, H2 per column, H3 and
H4 per row); a form touching a NULL or missing cell is not evaluated. The solver looks for the
assignments that violate the fewest hard forms — none when the print is right; a few when the
printed figures themselves do not add up, which the checks then report — and among those the
fewest disagreements with the narrative figures of 一、总体情况. Separators that survived inside
a run are no evidence either way (copies put stray spaces inside numbers as readily as they
drop them between cells). Cells on which every such best assignment agrees are read and
marked inferred; the others are left unread, with a warning naming the row. Never a guess.

Search: iterative deepening on the number of violated forms, depth-first over the rows with
the fewest readings first, pruned by the forms already certain to fail (interval bounds over
the readings still open). Work is bounded by a node budget; a table whose search exceeds it is
left unread (rows with one possible reading excepted) with a warning.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from pipelines.parse.checks import CellKey, Form
from pipelines.parse.digits import MAX_READINGS, Reading, readings

logger = logging.getLogger(__name__)

MAX_NODES = 60000


@dataclass
class RunRow:
    """A row (or section 四's block of 15) whose printed atoms must be cut into cells."""
    name: str                       # for warnings: 'section 3/granted'
    cells: list[CellKey]            # one per column, in printed order
    kinds: list[str]                # digits.COUNT / AMOUNT / SIGNED per column
    atoms: list[str]                # printed value tokens
    block: int | None = None        # H3/H4 block size, prunes the enumeration

    def domain(self, max_local: int) -> tuple[list[Reading], bool]:
        key = min(max_local, self.max_local)
        got = self._cache.get(key)
        if got is None:
            got = readings(self.atoms, self.kinds, block=self.block, max_local=key, limit=MAX_READINGS)
            self._cache[key] = got
        return got

    @property
    def max_local(self) -> int:
        return len(self.cells) // self.block if self.block else 0

    def __post_init__(self) -> None:
        self._cache: dict[int, tuple[list[Reading], bool]] = {}


@dataclass
class Outcome:
    read: dict[CellKey, str] = field(default_factory=dict)      # cell -> printed part
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Form:
    """A form restricted to one component: constant part, and which rows it touches."""
    check: Form | None               # None for a narrative figure
    const: Any                       # sum of coef*value over fixed cells
    rows: list[int]                  # component row indices touching it
    coefs: dict[int, list[tuple[int, int]]]   # row -> [(column index, coef)]
    figure: int | None = None        # narrative: the printed figure (alternatives are separate _Forms)
    what: str | None = None


def _contrib(reading: Reading, cols: list[tuple[int, int]]):
    total = 0
    for i, coef in cols:
        v = reading.values[i]
        if v is None:
            return None
        total += coef * v
    return total


class _Component:
    def __init__(self, rows: list[RunRow], hard: list[_Form], narrative: dict[str, list[_Form]], budget: int):
        self.rows = rows
        self.budget = budget
        self.hard = hard
        self.narrative = narrative
        self.nodes = 0
        self.exceeded = False
        self.optimum: int | None = None     # violations of the best assignment, once one is seen

    # -- per-row tables for a bound K
    def _prepare(self, k: int) -> bool:
        """Domains, per-reading unary cost and contributions to the multi-row forms; False when
        a domain could not be enumerated completely (budget)."""
        self.unary = [[f for f in self.hard if f.rows == [r]] for r in range(len(self.rows))]
        self.multi = [f for f in self.hard if len(f.rows) > 1]
        self.doms: list[list[tuple[int, tuple, Reading]]] = []
        for r, row in enumerate(self.rows):
            dom, complete = row.domain(k)
            if not complete:
                return False
            entries = []
            for rd in dom:
                cost = 0
                for f in self.unary[r]:
                    c = _contrib(rd, f.coefs[r])
                    if c is not None and c + f.const != 0:
                        cost += 1
                contrib = tuple(_contrib(rd, f.coefs[r]) if r in f.coefs else 0 for f in self.multi)
                entries.append((cost, contrib, rd))
            entries.sort(key=lambda e: e[0])
            self.doms.append(entries)
        return True

    def solve(self) -> tuple[list[set[int]] | None, int]:
        """Per row, the indices (into its final domain) used by the best assignments, and the
        number of violated hard forms; (None, -1) when the budget ran out or nothing fits."""
        max_k = len(self.hard) + sum(r.max_local for r in self.rows)
        for k in range(0, max_k + 1):
            if not self._prepare(k):
                self.exceeded = True
                return None, -1
            if any(not d for d in self.doms):
                continue
            found = self._search(k)
            if self.exceeded:
                return None, -1
            if found is not None:
                return found, k
        return None, -1

    def _search(self, k: int) -> list[set[int]] | None:
        n_all = len(self.rows)
        # rows with one reading left are constants: fold them into the forms before searching
        singles = [r for r in range(n_all) if len(self.doms[r]) == 1]
        base_cost = sum(self.doms[r][0][0] for r in singles)
        nf = len(self.multi)
        residual = [f.const for f in self.multi]
        dead = [False] * nf          # a NULL cell was assigned: the form is not evaluated
        for r in singles:
            for fi, v in enumerate(self.doms[r][0][1]):
                if v is None:
                    dead[fi] = True
                else:
                    residual[fi] += v
        if base_cost > k:
            return None
        order = sorted((r for r in range(n_all) if len(self.doms[r]) > 1), key=lambda r: len(self.doms[r]))
        n = len(order)
        mins = {r: self.doms[r][0][0] for r in order}
        suffix_min = [0] * (n + 1)
        for d in range(n - 1, -1, -1):
            suffix_min[d] = suffix_min[d + 1] + mins[order[d]]
        # interval bounds of the rows still open, per depth and form: over every reading, and
        # over the cheapest readings only (when no spare violation is left)
        bounds = []
        for cheap in ((False, True) if nf else ()):
            lo = [[0] * nf for _ in range(n + 1)]
            hi = [[0] * nf for _ in range(n + 1)]
            open_null = [[False] * nf for _ in range(n + 1)]
            for d in range(n - 1, -1, -1):
                r = order[d]
                ents = [e for e in self.doms[r] if not cheap or e[0] == mins[r]]
                for fi in range(nf):
                    vs = [e[1][fi] for e in ents]
                    null = any(v is None for v in vs)
                    nums = [v for v in vs if v is not None]
                    lo[d][fi] = lo[d + 1][fi] + (min(nums) if nums else 0)
                    hi[d][fi] = hi[d + 1][fi] + (max(nums) if nums else 0)
                    open_null[d][fi] = open_null[d + 1][fi] or null
            bounds.append((lo, hi, open_null))
        choice = [0] * n_all
        best_key: tuple | None = None
        best_sets: list[set[int]] = [set() for _ in range(n_all)]

        def certain_failures(depth: int, cheap: bool) -> int:
            if not nf:
                return 0
            lo, hi, open_null = bounds[1 if cheap else 0]
            bad = 0
            for fi in range(nf):
                if dead[fi] or open_null[depth][fi]:
                    continue
                if residual[fi] + lo[depth][fi] > 0 or residual[fi] + hi[depth][fi] < 0:
                    bad += 1
            return bad

        def leaf(cost: int) -> None:
            nonlocal best_key, best_sets
            total = cost + sum(1 for fi in range(nf) if not dead[fi] and residual[fi] != 0)
            if total > k:
                return
            key = self._narrative_misses(choice)
            if best_key is None or key < best_key:
                best_key = key
                self.optimum = k
                best_sets = [set() for _ in range(n_all)]
            if key == best_key:
                for r in range(n_all):
                    best_sets[r].add(choice[r])

        def dfs(depth: int, cost: int) -> None:
            if self.exceeded:
                return
            self.nodes += 1
            if self.nodes > self.budget:
                self.exceeded = True
                return
            if depth == n:
                leaf(cost)
                return
            base = cost + suffix_min[depth]
            if base > k:
                return
            spare = k - base
            bad = certain_failures(depth, spare == 0)
            if base + bad > k:
                return
            r = order[depth]
            limit = mins[r] + k - base - bad
            for idx, (c, contrib, _rd) in enumerate(self.doms[r]):
                if c > limit:
                    break
                choice[r] = idx
                saved = []
                for fi in range(nf):
                    v = contrib[fi]
                    if v is None:
                        if not dead[fi]:
                            dead[fi] = True
                            saved.append((fi, None))
                    elif v:
                        residual[fi] += v
                        saved.append((fi, v))
                dfs(depth + 1, cost + c)
                for fi, v in saved:
                    if v is None:
                        dead[fi] = False
                    else:
                        residual[fi] -= v

        dfs(0, base_cost)
        return None if best_key is None else best_sets

    def _narrative_misses(self, choice: list[int]) -> int:
        misses = 0
        for alts in self.narrative.values():
            seen = False
            hit = False
            for f in alts:
                total = f.const
                ok = total is not None
                for r, cols in f.coefs.items():
                    c = _contrib(self.doms[r][choice[r]][2], cols) if ok else None
                    if c is None:
                        ok = False
                        break
                    total += c
                if ok:
                    seen = True
                    if total == f.figure:
                        hit = True
                        break
            misses += seen and not hit
        return misses


def _restrict(form_cells: Iterable[tuple[CellKey, int]], fixed: Mapping[CellKey, Any],
              where: Mapping[CellKey, tuple[int, int]]) -> tuple[Any, dict[int, list[tuple[int, int]]]] | None:
    """(constant, row -> [(column, coef)]) of a form; None when a cell is missing or NULL."""
    const = 0
    coefs: dict[int, list[tuple[int, int]]] = {}
    for cell, coef in form_cells:
        if cell in where:
            r, i = where[cell]
            coefs.setdefault(r, []).append((i, coef))
        elif cell in fixed:
            v = fixed[cell]
            if v is None:
                return None
            const += coef * v
        else:
            return None
    return const, coefs


def solve(rows: Sequence[RunRow], fixed: Mapping[CellKey, Any], forms: Sequence[Form],
          narrative: Mapping[str, int], narrative_cells: Mapping[str, Sequence[Sequence[CellKey]]],
          budget: int = MAX_NODES) -> Outcome:
    """Read `rows` given the cells printed with separators (`fixed`); see the module doc.
    `budget`: search nodes per group of rows linked by checks."""
    out = Outcome()
    kept = []
    for row in rows:
        if not row.domain(0)[0] and not row.domain(row.max_local)[0]:
            out.warnings.append(f"{row.name}: digits {' '.join(row.atoms)} cannot be cut into "
                                f"{len(row.cells)} numbers; not read")
        else:
            kept.append(row)
    rows = kept
    if not rows:
        return out
    where = {cell: (r, i) for r, row in enumerate(rows) for i, cell in enumerate(row.cells)}
    hard: list[_Form] = []
    for f in forms:
        got = _restrict([(c, 1) for c in f.parts] + [(c, -1) for c in f.totals], fixed, where)
        if got is not None and got[1]:
            hard.append(_Form(f, got[0], sorted(got[1]), got[1]))
    narr: dict[str, list[_Form]] = {}
    for what, figure in narrative.items():
        alts: list[_Form] = []
        settled = False
        for cells in narrative_cells.get(what, []):
            got = _restrict([(c, 1) for c in cells], fixed, where)
            if got is None:
                continue
            if got[1]:
                alts.append(_Form(None, got[0], sorted(got[1]), got[1], figure, what))
            elif got[0] == figure:
                settled = True      # the print already agrees: nothing to choose
            else:
                alts.append(_Form(None, got[0], [], {}, figure, what))   # evaluable, a miss
        if alts and not settled and any(f.rows for f in alts):
            narr[what] = alts
    # components: rows linked by a form
    parent = list(range(len(rows)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for f in hard:
        for r in f.rows[1:]:
            parent[find(r)] = find(f.rows[0])
    for alts in narr.values():
        rs = [r for f in alts for r in f.rows]
        for r in rs[1:]:
            parent[find(r)] = find(rs[0])
    groups: dict[int, list[int]] = {}
    for r in range(len(rows)):
        groups.setdefault(find(r), []).append(r)
    for members in groups.values():
        _solve_component([rows[r] for r in members], members, hard, narr, out, budget)
    return out


def _solve_component(rows: list[RunRow], members: list[int], hard: list[_Form],
                     narr: dict[str, list[_Form]], out: Outcome, budget: int) -> None:
    local = {g: i for i, g in enumerate(members)}

    def remap(f: _Form) -> _Form:
        return _Form(f.check, f.const, [local[r] for r in f.rows],
                     {local[r]: c for r, c in f.coefs.items()}, f.figure, f.what)

    c_hard = [remap(f) for f in hard if f.rows[0] in local]
    c_narr = {w: [remap(f) for f in alts] for w, alts in narr.items()
              if any(r in local for f in alts for r in f.rows)}
    comp = _Component(rows, c_hard, c_narr, budget)
    sets, violations = comp.solve()
    if sets is None:
        _unsolved(comp, rows, out)
        return
    for r, row in enumerate(rows):
        chosen = [comp.doms[r][i][2] for i in sorted(sets[r])]
        unread = []
        for i, cell in enumerate(row.cells):
            parts = {rd.parts[i] for rd in chosen}
            if len(parts) == 1:
                out.read[cell] = next(iter(parts))
            else:
                unread.append(cell[2] if cell[1] == row.cells[0][1] else f"{cell[1]}/{cell[2]}")
        if unread:
            shown = " | ".join(" ".join(rd.parts) for rd in chosen[:3]) + (" | …" if len(chosen) > 3 else "")
            out.warnings.append(
                f"{row.name}: digits printed without separators ({' '.join(row.atoms)}) have {len(chosen)} "
                f"readings that fit the checks equally ({shown}); not read: {', '.join(unread)}")
    if violations:
        out.warnings.append(f"{rows[0].name.split('/')[0]}: no reading of the rows printed without separators "
                            f"satisfies every check; read with the fewest failures ({violations})")
    logger.debug("component of %d rows solved in %d nodes", len(rows), comp.nodes)


def _unsolved(comp: _Component, rows: list[RunRow], out: Outcome) -> None:
    """Budget exceeded: only the cells every admissible reading of their row gives. When the
    search had already seen an assignment with the fewest violations (k), the admissible
    readings are those costing at most k — often all agree on a run's zeros and total."""
    left = []
    for r, row in enumerate(rows):
        if comp.optimum is not None and r < len(comp.doms):
            dom, complete = [rd for cost, _, rd in comp.doms[r] if cost <= comp.optimum], True
        else:
            dom, complete = row.domain(row.max_local)
        unread = []
        for i, cell in enumerate(row.cells):
            parts = {rd.parts[i] for rd in dom}
            if complete and len(parts) == 1:
                out.read[cell] = next(iter(parts))
            else:
                unread.append(cell)
        if unread:
            left.append(row.name)
    if left:
        why = (f"search budget exceeded ({comp.budget} nodes or {MAX_READINGS} readings per row)"
               if comp.exceeded else "no reading fits")
        out.warnings.append(f"rows printed without separators not read, {why}: {', '.join(left)}")
