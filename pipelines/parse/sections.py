"""Rows of sections 二, 三 and 四 from label/value groups (text or grid tokens).

Each section's groups are matched to the rows of the catalogue (labels.py) by their label
keys; a row's values are taken as printed when they are as many as the row has columns,
and as a run of digits to cut (digits.py) when fewer tokens hold enough digits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pipelines.parse.digits import segmentations
from pipelines.parse.labels import (S2_ALIASES, S2_COLUMNS_2019, S2_COLUMNS_2021, S3_ALIASES,
                                    S3_COLUMNS, S3_LABELS, S4_COLUMNS, S4_ROWS, OTHER_SPLIT,
                                    match_alias, matched_rows, s3_rows)
from pipelines.parse.layout import detect_s2_template, section_of_row
from pipelines.parse.normalize import label_key
from pipelines.parse.text import Group, Token, group_tokens, null_token

logger = logging.getLogger(__name__)

S4_KEY = "__s4__"


@dataclass
class RowCand:
    columns: list[str]
    options: list[tuple[str, ...]]      # printed strings per column; >1 = ambiguous digit run
    inferred: bool = False


@dataclass
class SectionParse:
    rows: dict[str, RowCand] = field(default_factory=dict)
    template: str | None = None          # section 2 only
    warnings: list[str] = field(default_factory=list)

    def score(self) -> float:
        return sum(0.5 if r.inferred else 1.0 for r in self.rows.values() if r.options)


# ---------------------------------------------------------------- rows from groups

def row_options(values: list[Token], n: int, block: int | None) -> tuple[list[tuple[str, ...]], bool, str | None]:
    if len(values) > n:
        kept = [t for t in values if not t.dup]
        if len(kept) >= n:
            values = kept
    filled = [t for t in values[:n] if t.text != ""]
    if len(values) >= n and len(filled) == 1 and filled[0].is_run and n > 1:
        # one cell holding a run of digits, the other cells of the row empty (a grid whose
        # extractor merged the row's cells): cut it as a run, if the form's arithmetic allows
        segs = segmentations([filled[0].text], n, block=block) if block else segmentations([filled[0].text], n)
        if segs:
            return segs, True, None
    printed = [t.text for t in values]
    if len(values) >= n:
        extra = [t for t in values[n:] if not null_token(t) and t.text != printed[0]]
        return [tuple(printed[:n])], False, (f"{len(values) - n} extra value(s) ignored" if extra else None)
    # a run of digits is one printed token (行政规范性文件6233440), or one per section-4 row;
    # several short tokens are missing values, not a run to cut
    if (any(t.is_run for t in values) and not any(null_token(t) for t in values)
            and len(values) <= max(1, n // 5)):
        segs = segmentations(printed, n, block=block) if block else []
        if not segs:
            segs = segmentations(printed, n)
        if segs:
            return segs, True, None
    return [], False, f"only {len(values)} of {n} values"


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
        opts, inferred, warn = row_options(g.values, len(cols), None)
        if warn:
            sp.warnings.append(f"section 2/{row}: {warn}")
        if opts:
            sp.rows[row] = RowCand(cols, opts, inferred)
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
        opts, inferred, warn = row_options(g.values, 7, 7)
        if warn:
            sp.warnings.append(f"section 3/{row}: {warn}")
        if opts:
            sp.rows[row] = RowCand(list(S3_COLUMNS), opts, inferred)
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
    if len(vgroups) == 3 and all(len(g.values) == 5 for g in vgroups):
        for row, g in zip(S4_ROWS, vgroups):
            sp.rows[row] = RowCand(list(S4_COLUMNS), [tuple(t.text for t in g.values)])
        return sp
    values = [t for g in vgroups for t in g.values]
    opts, inferred, warn = row_options(values, 15, 5)
    if warn:
        sp.warnings.append(f"section 4: {warn}")
    if opts:
        sp.rows[S4_KEY] = RowCand([f"{r}/{c}" for r in S4_ROWS for c in S4_COLUMNS], opts, inferred)
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
    if sp is None or not sp.rows or any(len(r.options) != 1 for r in sp.rows.values()):
        return False
    if sec == 2:
        return sp.template is not None and set(sp.rows) >= set(
            S2_COLUMNS_2019 if sp.template == "2019" else S2_COLUMNS_2021)
    if sec == 3:
        undivided = "other_processing" in sp.rows
        return set(sp.rows) >= set(s3_rows(undivided))
    return S4_KEY in sp.rows or set(sp.rows) >= set(S4_ROWS)
