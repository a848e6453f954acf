"""The report's own arithmetic (H1–H4, hard), across years (X1, X2) and against its narrative
(X3), soft. A check touching a missing or NULL cell is not evaluated (same rule as the sample
network's ground truth). Printed values are never changed here: a failed check records the
expected and actual sums and the cells involved.

Scopes: H1/H2 'column:<column_key>', H3 'row:<row_key>', H4 'row:<section-4 row_key>',
X1 'column:<column_key>', X2 'row:<row_key>', X3 'narrative:<what>'.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any, Mapping

from pipelines.parse.labels import S3_COLUMNS, S4_COLUMNS, S4_ROWS, result_rows, s3_rows
from pipelines.parse.model import Check

logger = logging.getLogger(__name__)

Values = Mapping[tuple[str, str, str], Any]   # (section, row, column) -> value


def _ref(k: tuple[str, str, str]) -> str:
    return "/".join(k)


CellKey = tuple[str, str, str]


@dataclass(frozen=True)
class Form:
    """One check as a linear form: it passes when sum(parts) == sum(totals)."""
    check_id: str
    scope: str
    parts: tuple[CellKey, ...]
    totals: tuple[CellKey, ...]


@functools.lru_cache(maxsize=2)
def hard_forms(undivided: bool) -> tuple[Form, ...]:
    """H1–H4 for the layout (three other_* rows, or the single other_processing row)."""
    out: list[Form] = []
    for col in S3_COLUMNS:
        out.append(Form("H1", f"column:{col}", (("3", "new_received", col), ("3", "carried_over_prev", col)),
                        (("3", "total_handled", col), ("3", "carried_forward", col))))
    results = result_rows(undivided)
    for col in S3_COLUMNS:
        out.append(Form("H2", f"column:{col}", tuple(("3", r, col) for r in results),
                        (("3", "total_handled", col),)))
    for row in s3_rows(undivided):
        out.append(Form("H3", f"row:{row}", tuple(("3", row, col) for col in S3_COLUMNS[:-1]),
                        (("3", row, "total"),)))
    for row in S4_ROWS:
        out.append(Form("H4", f"row:{row}", tuple(("4", row, col) for col in S4_COLUMNS[:-1]),
                        (("4", row, "total"),)))
    return tuple(out)


def evaluate(form: Form, vals: Values) -> Check | None:
    """The form's check on these values; None when a cell is missing or NULL."""
    keys = form.parts + form.totals
    if any(vals.get(k) is None for k in keys):
        return None
    expected = sum(vals[k] for k in form.parts)
    actual = sum(vals[k] for k in form.totals)
    return Check(form.check_id, form.scope, expected == actual, expected, actual, [_ref(k) for k in keys])


def hard_checks(vals: Values, undivided: bool) -> list[Check]:
    return [c for f in hard_forms(undivided) if (c := evaluate(f, vals)) is not None]


# ---------------------------------------------------------------- X3: narrative figures

_N = r"(\d+)\s*(?:件|项|宗|起|个|条)"
_GAP = r"[^\d。；;，,：:]{0,%d}?"
NARRATIVE_PATTERNS: dict[str, list[re.Pattern]] = {
    "received": [re.compile(r"(?:收到|受理|新收|接收)[^\d。；;]{0,20}?申请" + _GAP % 8 + _N)],
    "carried_over_prev": [re.compile(r"上一?年度?结转" + _GAP % 10 + _N)],
    "handled": [re.compile(r"(?:办结|办理完成|办理完毕|已答复|均已答复|答复)" + _GAP % 20 + _N)],
    "carried_forward": [re.compile(r"(?:结转|顺延)(?:到|至)?(?:下一?年度?|\d{4}年度?)" + _GAP % 10 + _N)],
    "review": [re.compile(r"行政复议" + _GAP % 4 + _N),
               re.compile(r"行政复议[、和及与](?:行政)?诉讼各\s*(\d+)\s*(?:件|起)")],
    "litigation": [re.compile(r"行政诉讼" + _GAP % 4 + _N),
                   re.compile(r"行政复议[、和及与](?:行政)?诉讼各\s*(\d+)\s*(?:件|起)")],
}


def narrative_figures(text: str) -> dict[str, int]:
    """Figures quoted in 一、总体情况: {'received': 65, 'handled': 65, ...} (first mention each)."""
    s = re.sub(r"\s+", "", text)
    sentences = [x for x in re.split(r"[。；;]", s) if x]
    out: dict[str, int] = {}
    for what, pats in NARRATIVE_PATTERNS.items():
        need = None if what in ("review", "litigation") else "申请"
        for sent in sentences:
            if need and need not in sent:
                continue  # 受理县长信箱诉求225项，办结225项 is not about applications
            m = next((m for m in (p.search(sent) for p in pats) if m), None)
            if m:
                out[what] = int(m.group(1))
                break
    return out


def _get(vals: Values, *keys: tuple[str, str, str]) -> int | None:
    if any(vals.get(k) is None for k in keys):
        return None
    return sum(vals[k] for k in keys)


_NR, _CO = ("3", "new_received", "total"), ("3", "carried_over_prev", "total")
_TH, _CF = ("3", "total_handled", "total"), ("3", "carried_forward", "total")
_RV = ("4", "review", "total")
_LD, _LA = ("4", "litigation_direct", "total"), ("4", "litigation_after_review", "total")
#: what each narrative figure may equal: alternative sums of table cells, first one preferred
NARRATIVE_CELLS: dict[str, list[tuple[CellKey, ...]]] = {
    "received": [(_NR,), (_NR, _CO)],
    "carried_over_prev": [(_CO,)],
    "handled": [(_TH,)],
    "carried_forward": [(_CF,)],
    "review": [(_RV,)],
    "litigation": [(_LD, _LA)],
}


def narrative_targets(vals: Values) -> dict[str, list[tuple[int | None, list[tuple[str, str, str]]]]]:
    """What each narrative figure may equal: (table value, cells) alternatives."""
    return {what: [(_get(vals, *cells), list(cells)) for cells in alts] for what, alts in NARRATIVE_CELLS.items()}


def narrative_checks(vals: Values, figures: dict[str, int]) -> list[Check]:
    out: list[Check] = []
    targets = narrative_targets(vals)
    for what, printed in figures.items():
        alts = [(v, cells) for v, cells in targets.get(what, []) if v is not None]
        if not alts:
            continue
        hit = next(((v, cells) for v, cells in alts if v == printed), None)
        v, cells = hit or alts[0]
        out.append(Check("X3", f"narrative:{what}", hit is not None, printed, v, [_ref(k) for k in cells]))
    return out


def narrative_score(vals: Values, figures: dict[str, int]) -> int:
    return sum(1 for c in narrative_checks(vals, figures) if c.passed)


# ---------------------------------------------------------------- X1, X2: across years

def _cell_map(report: Mapping[str, Any]) -> dict[tuple[str, str, str], Any]:
    out = {}
    for c in report.get("cells") or []:
        out[(str(c["section"]), c["row_key"], c["column_key"])] = c.get("value")
    return out


def cross_year_checks(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict]:
    """X1/X2 between a report dict and the same agency's report dict of the year before.

    X1 per section-3 column: carried_over_prev(Y) = carried_forward(Y-1).
    X2 per section-2 row rules/normative_docs (2021 layout both years):
    in_force(Y) = in_force(Y-1) + issued(Y) - repealed(Y).
    Returns [] when the years are not consecutive. ParsedReport objects are accepted too.
    """
    current = current.to_dict() if hasattr(current, "to_dict") else current
    previous = previous.to_dict() if hasattr(previous, "to_dict") else previous
    cy, py = current.get("report_year"), previous.get("report_year")
    if cy is None or py is None or int(cy) - int(py) != 1:
        return []
    cur, prev = _cell_map(current), _cell_map(previous)
    out: list[Check] = []
    for col in S3_COLUMNS:
        a = cur.get(("3", "carried_over_prev", col))
        e = prev.get(("3", "carried_forward", col))
        if a is None or e is None:
            continue
        out.append(Check("X1", f"column:{col}", a == e, e, a,
                         [f"3/carried_over_prev/{col}", f"3/carried_forward/{col}"]))
    if current.get("template") == "2021" and previous.get("template") == "2021":
        for row in ("rules", "normative_docs"):
            p_in = prev.get(("2", row, "in_force"))
            iss, rep, cur_in = (cur.get(("2", row, k)) for k in ("issued", "repealed", "in_force"))
            if None in (p_in, iss, rep, cur_in):
                continue
            e = p_in + iss - rep
            out.append(Check("X2", f"row:{row}", e == cur_in, e, cur_in,
                             [f"2/{row}/in_force", f"2/{row}/issued", f"2/{row}/repealed"]))
    return [c.__dict__.copy() for c in out]
