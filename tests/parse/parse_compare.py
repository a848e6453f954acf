"""Comparing a ParsedReport with expected figures (seed / variant / sample-network truth)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import parse_variants as V


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def cell_diffs(rep, exp: dict) -> list[tuple]:
    """[(cell, expected, got)] for every expected cell the report gets wrong or misses; a cell
    in exp["open_cells"] (its print admits several readings) must be left unread, and is a
    diff with expected 'unread' when the report gives it a value, right or not."""
    out = []
    open_ = {tuple(c) for c in exp.get("open_cells") or ()}
    for key, want in V.expected_cells(exp).items():
        c = rep.cell(*key)
        if key in open_:
            if c is not None:
                out.append((key, "unread", c.value))
        elif c is None or not same(c.value, want):
            out.append((key, want, None if c is None else c.value))
    return out


def hard_failures(rep) -> set[tuple[str, str]]:
    return {(c.check_id, c.scope) for c in rep.failed_hard_checks}
