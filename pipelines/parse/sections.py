"""Rows of sections 二, 三 and 四 from label/value groups (text or grid tokens).

Each section's groups are matched to the rows of the catalogue (labels.py) by their label
keys; a row's values are taken as printed when they are as many as the row has columns,
and as a run of digits to cut (solve.py) when fewer tokens hold enough digits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pipelines.parse.checks import CellKey
from pipelines.parse.digits import kind_of
from pipelines.parse.labels import (S2_ALIASES, S2_COLUMNS_2019, S2_COLUMNS_2021, S3_ALIASES,
                                    S3_COLUMNS, S3_LABELS, S4_COLUMNS, S4_ROWS, OTHER_SPLIT,
                                    match_alias, matched_rows, s3_rows)
from pipelines.parse.layout import detect_s2_template, section_of_row
from pipelines.parse.normalize import label_key
from pipelines.parse.solve import RunRow
from pipelines.parse.text import Group, Token, group_tokens, null_token

logger = logging.getLogger(__name__)

S4_KEY = "__s4__"


@dataclass
class RowCand:
    columns: list[str]
    cells: list[CellKey]                 # (section, row, column) per column
    printed: tuple[str, ...] | None = None   # the values as printed, one per column
    run: RunRow | None = None            # printed without (all) separators: cut by the solver
    evident: bool = True                 # a run beyond doubt: one token, or its own check fits

    @property
    def inferred(self) -> bool:
        return self.run is not None


@dataclass
class SectionParse:
    rows: dict[str, RowCand] = field(default_factory=dict)
    template: str | None = None          # section 2 only
    warnings: list[str] = field(default_factory=list)

    def score(self) -> float:
        return sum(0.5 if r.inferred else 1.0 for r in self.rows.values())


# ---------------------------------------------------------------- rows from groups

def _units(values: list[Token]) -> int:
    """How many cells the printed tokens can fill at most (a digit each, a NULL marker one)."""
    return sum(1 if null_token(t) else sum(ch.isdigit() for ch in t.text) for t in values)


def row_options(values: list[Token], cells: list[CellKey], name: str,
                block: int | None) -> tuple[RowCand | None, str | None]:
    """The row's values as printed, or as a run to cut, or nothing (with the reason)."""
    n = len(cells)
    columns = [c[2] if c[1] == cells[0][1] else f"{c[1]}/{c[2]}" for c in cells]
    kinds = [kind_of(c[2]) for c in cells]
    if len(values) > n:
        kept = [t for t in values if not t.dup]
        if len(kept) >= n:
            values = kept
    filled = [t for t in values[:n] if t.text != ""]
    if len(values) >= n and len(filled) == 1 and filled[0].is_run and n > 1:
        # one cell holding a run of digits, the other cells of the row empty (a grid whose
        # extractor merged the row's cells): cut it as a run, if it can be cut at all
        run = RunRow(name, cells, kinds, [filled[0].text], block)
        if run.domain(run.max_local)[0]:
            return RowCand(columns, cells, run=run), None
    printed = [t.text for t in values]
    if len(values) >= n:
        extra = [t for t in values[n:] if not null_token(t) and t.text != printed[0]]
        return (RowCand(columns, cells, tuple(printed[:n])),
                f"{len(values) - n} extra value(s) ignored" if extra else None)
    if values and any(t.is_run for t in values) and _units(values) >= n:
        # fewer tokens than cells but digits enough: separators lost. Beyond doubt when the
        # whole row is one token or its own check (H3/H4) fits some cut; otherwise only when
        # the document shows runs elsewhere (several short tokens may be missing values)
        run = RunRow(name, cells, kinds, printed, block)
        evident = len(values) == 1 or (block is not None and bool(run.domain(0)[0]))
        return RowCand(columns, cells, run=run, evident=evident), None
    return None, f"only {len(values)} of {n} values"


def section2(groups: list[Group], template_hint: str | None) -> SectionParse:
    sp = SectionParse()
    keys = "".join(label_key(g.label) for g in groups)
    found: list[tuple[str, Group]] = []
    for g in groups:
        row = match_alias(label_key(g.label), S2_ALIASES)
        if row is None:
            continue
        if any(r == row for r, _ in found):
            sp.warnings.append(f"section 2: {row} printed twice; the first is kept")
            continue
        found.append((row, g))
    tpl = detect_s2_template(keys) or template_hint
    if tpl is None and found:
        rows = dict(found)
        lic = rows.get("licensing")
        tpl = "2019" if ("other_services" in rows or "procurement" in rows
                         or (lic is not None and len(lic.values) >= 3 and "rules" not in rows)) else "2021"
    sp.template = tpl
    table = S2_COLUMNS_2019 if tpl == "2019" else S2_COLUMNS_2021
    for row, g in found:
        cols = table.get(row)
        if cols is None:
            sp.warnings.append(f"section 2: {row} is not a row of the {tpl} layout")
            continue
        rc, warn = row_options(g.values, [("2", row, c) for c in cols], f"section 2/{row}", None)
        if warn:
            sp.warnings.append(f"section 2/{row}: {warn}")
        if rc:
            sp.rows[row] = rc
    return sp


def section3(groups: list[Group]) -> SectionParse:
    from difflib import SequenceMatcher

    sp = SectionParse()
    order = s3_rows(False) + ["other_processing"]
    last_idx = -1
    for g in groups:
        key = label_key(g.label)
        row = match_alias(key, S3_ALIASES)
        if row is None and len(g.values) >= 5:
            # unknown wording or typo: compare with the rows not seen yet, nearest first
            best, best_ratio = None, 0.0
            for cand in order[last_idx + 1:]:
                if cand in sp.rows:
                    continue
                canon = label_key(S3_LABELS[cand][0])
                tail = key[-(len(canon) + 2):]
                ratio = SequenceMatcher(None, tail, canon).ratio()
                if ratio > best_ratio:
                    best, best_ratio = cand, ratio
            if best is not None and best_ratio >= 0.6:
                sp.warnings.append(f"section 3: label {g.label[-30:]!r} read as {best} (similarity {best_ratio:.2f})")
                row = best
        if row is None:
            if g.values and key:
                sp.warnings.append(f"section 3: values after unknown label {g.label[-30:]!r} ignored")
            continue
        if row in sp.rows:
            sp.warnings.append(f"section 3: {row} printed twice; the first is kept")
            continue
        if len(g.values) > 7 and len(matched_rows(key, S3_ALIASES) - {row}) > 0:
            # two rows' labels and their numbers run together (OCR merged two lines): which
            # number belongs where is unknown — leave both rows missing rather than guess
            sp.warnings.append(f"section 3: labels of several rows and {len(g.values)} values run "
                               f"together ({g.label[-40:]!r}); not read")
            continue
        rc, warn = row_options(g.values, [("3", row, c) for c in S3_COLUMNS], f"section 3/{row}", 7)
        if warn:
            sp.warnings.append(f"section 3/{row}: {warn}")
        if rc:
            sp.rows[row] = rc
            if row in order:
                last_idx = max(last_idx, order.index(row))
    if "other_processing" in sp.rows and any(r in sp.rows for r in OTHER_SPLIT):
        sp.warnings.append("section 3: both other_processing and other_* rows printed")
    return sp


def section4(groups: list[Group]) -> SectionParse:
    sp = SectionParse()
    vgroups = [g for g in groups if g.values]
    if not vgroups:
        return sp
    if len(vgroups) == 3 and all(len(g.values) <= 5 <= _units(g.values) for g in vgroups):
        # one labelled row each (行政复议 … 未经复议直接起诉 … 复议后起诉 …)
        got = [row_options(g.values, [("4", r, c) for c in S4_COLUMNS], f"section 4/{r}", 5)
               for r, g in zip(S4_ROWS, vgroups)]
        if all(rc is not None for rc, _ in got):
            for r, (rc, warn) in zip(S4_ROWS, got):
                sp.rows[r] = rc
            return sp
    values = [t for g in vgroups for t in g.values]
    rc, warn = row_options(values, [("4", r, c) for r in S4_ROWS for c in S4_COLUMNS], "section 4", 5)
    if warn:
        sp.warnings.append(f"section 4: {warn}")
    if rc:
        sp.rows[S4_KEY] = rc
    return sp


def parse_sections(tokens: dict[int, list[Token]], template_hint: str | None = None) -> dict[int, SectionParse]:
    out: dict[int, SectionParse] = {}
    if tokens.get(2):
        out[2] = section2(group_tokens(tokens[2]), template_hint)
    if tokens.get(3):
        out[3] = section3(group_tokens(tokens[3]))
    if tokens.get(4):
        out[4] = section4(group_tokens(tokens[4]))
    return out


def lines_by_triggers(lines: list[str]) -> dict[int, list[str]]:
    """Text without section headings (a bare table): sections from the rows' own words."""
    out: dict[int, list[str]] = {}
    current = None
    for line in lines:
        s = section_of_row(label_key(line))
        if s is not None:
            current = s
        if current is not None:
            out.setdefault(current, []).append(line)
    return out


def complete(sec: int, sp: SectionParse | None) -> bool:
    """All the section's rows, each as printed (no run left to cut)."""
    if sp is None or not sp.rows or any(r.printed is None for r in sp.rows.values()):
        return False
    if sec == 2:
        return sp.template is not None and set(sp.rows) >= set(
            S2_COLUMNS_2019 if sp.template == "2019" else S2_COLUMNS_2021)
    if sec == 3:
        undivided = "other_processing" in sp.rows
        return set(sp.rows) >= set(s3_rows(undivided))
    return S4_KEY in sp.rows or set(sp.rows) >= set(S4_ROWS)
