"""Tokens per section from cell grids (HTML/DOCX/XLS/PDF tables, merged cells repeated).

Each row becomes label tokens (its text cells, a merged cell repeated across columns kept
once) followed by value tokens; an empty cell after the row's first value — or from the
column where the values of this part of the table start — is an empty (NULL) value, so
positions are kept. Grids carry no section headings: a row's words tell which section it
belongs to (申请人情况 → 三, 行政复议…行政诉讼 → 四, 第二十条/规章 → 二).
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Iterable

from pipelines.parse.labels import S2_ALIASES, S3_ALIASES, match_alias
from pipelines.parse.layout import section_of_row
from pipelines.parse.normalize import is_value, label_key, normalize_text
from pipelines.parse.text import Token, tokenize_field

logger = logging.getLogger(__name__)


def _rows_of(table: Any) -> list[list[str]]:
    rows = getattr(table, "rows", table)
    if isinstance(table, dict):
        rows = table.get("rows", [])
    return [[normalize_text(str(c)) .strip() if c is not None else "" for c in (r or [])] for r in (rows or [])]


_VALUE_START = frozenset("0123456789+-/—\\无×")


def _first_value(row: list[str]) -> int | None:
    for i, c in enumerate(row):
        if c and c[0] in _VALUE_START and all(is_value(f) for f in c.split()):
            return i
    return None


def grid_tokens(tables: Iterable[Any]) -> dict[int, list[Token]]:
    out: dict[int, list[Token]] = {}
    starts: dict[int, int] = {}
    for table in tables or []:
        rows = _rows_of(table)
        if not rows:
            continue
        # section per row (carry the last one; the table's first trigger for leading rows)
        firsts = [_first_value(r) for r in rows]
        sections: list[int | None] = []
        current = None
        for r, first in zip(rows, firsts):
            label = " ".join(c for c in (r if first is None else r[:first]) if c)
            s = section_of_row(label_key(label))
            if s is not None:
                current = s
            sections.append(current)
        lead = next((s for s in sections if s is not None), None)
        sections = [s if s is not None else lead for s in sections]
        if lead is None:
            continue
        # where values start, per section part of the table (else as in earlier tables)
        for sec in set(sections):
            c = Counter(f for f, s in zip(firsts, sections) if s == sec)
            c.pop(None, None)
            if c:
                starts[sec] = c.most_common(1)[0][0]
        header: list[str] | None = None
        for r, sec, first in zip(rows, sections, firsts):
            toks = out.setdefault(sec, [])
            if first is None and sum(1 for c in r if c) >= 2:
                header = r
            start = starts.get(sec)
            if first is not None and start is not None and start < first and all(not c for c in r[start:first]):
                first = start
            if first is None and start is not None and 0 < start < len(r) and all(not c for c in r[start:]):
                # a known row with every value blank: NULLs, not a label running into the next row
                key = label_key(" ".join(c for c in r[:start] if c))
                if match_alias(key, S3_ALIASES if sec == 3 else S2_ALIASES):
                    first = start
            prev_text = None
            for i, cell in enumerate(r):
                if first is not None and i >= first:
                    # under a merged header cell repeated across columns: maybe one column
                    dup = bool(header is not None and first < i < len(header) and header[i]
                               and header[i] == header[i - 1])
                    if not cell:
                        toks.append(Token("value", "", dup=dup))
                        continue
                    fields = cell.split()
                    if all(is_value(f) for f in fields):
                        toks.extend(Token("value", f, dup=dup) for f in fields)
                        continue
                if not cell or cell == prev_text:
                    continue
                prev_text = cell
                for f in cell.split():
                    tokenize_field(f, toks)
    return out
