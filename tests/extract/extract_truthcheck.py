"""Compare an Extraction with the sample network's ground truth for a rendered seed.

Narrative: every truth paragraph occurs in the text (NFKC, whitespace removed), in order.
Tables: every truth row of figures (section 2 rows, section 3 rows of 7, section 4 rows of 5)
occurs as a contiguous run of the numeric cells of one extracted table row.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from pipelines.extract.base import normalize_for_compare

_NUM = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


def _num(cell: str) -> Decimal | None:
    s = unicodedata.normalize("NFKC", cell).replace(",", "").replace(" ", "").strip()
    if s in ("/", "-", "—", "无", "－", "——"):
        return None
    if not _NUM.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def numeric_rows(x) -> list[list]:
    """Each table row's numeric cells (blanks meaning 'not reported' kept as None)."""
    out = []
    for t in x.tables:
        for r in t.rows:
            vals = []
            for c in r:
                s = unicodedata.normalize("NFKC", c).strip()
                if s in ("/", "-", "—", "无", "－", "——", "") and vals:
                    vals.append(None)
                    continue
                v = _num(c)
                if v is not None:
                    vals.append(v)
            out.append(vals)
    return out


# printed column order of section 2 (truth.json stores the columns as a sorted dict)
SECTION2_ORDER = ["issued", "repealed", "in_force", "new_made", "new_published", "total_public",
                  "prev_items", "change", "decisions", "items", "amount_10k_yuan"]


def truth_rows(truth: dict) -> list[tuple[str, list]]:
    rows: list[tuple[str, list]] = []
    for key, cols in (truth.get("section2") or {}).items():
        keys = sorted(cols, key=lambda k: SECTION2_ORDER.index(k) if k in SECTION2_ORDER else 99)
        rows.append((f"2.{key}", [None if cols[k] is None else Decimal(str(cols[k])) for k in keys]))
    for sec in ("section3", "section4"):
        for key, vals in (truth.get(sec) or {}).items():
            rows.append((f"{sec[-1]}.{key}", [None if v is None else Decimal(str(v)) for v in vals]))
    return rows


def _contains(hay: list, needle: list) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def missing_rows(x, truth: dict) -> list[str]:
    rows = numeric_rows(x)
    missing = []
    for key, vals in truth_rows(truth):
        if not vals or all(v is None for v in vals):
            continue
        if key.startswith("2.") and len(vals) == 1:
            # a single figure: it must appear in some row of a table
            if not any(vals[0] in r for r in rows):
                missing.append(key)
            continue
        if not any(_contains(r, vals) for r in rows):
            missing.append(key)
    return missing


def missing_paragraphs(x, truth: dict) -> list[str]:
    text = normalize_for_compare(x.text)
    pos = 0
    missing = []
    for sec in sorted((truth.get("narrative") or {}).keys()):
        for p in truth["narrative"][sec]:
            n = normalize_for_compare(p)
            i = text.find(n, pos)
            if i < 0:
                missing.append(p[:40])
            else:
                pos = i + len(n)
    return missing
