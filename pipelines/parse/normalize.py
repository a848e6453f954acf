"""Text normalization and printed-value parsing.

NFKC folds full-width digits, letters, brackets and spaces to their half-width forms; the few
dash and slash look-alikes NFKC leaves alone are mapped by hand. Labels are compared as
*keys*: normalized, with whitespace and punctuation removed.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from decimal import Decimal, InvalidOperation

logger = logging.getLogger(__name__)

_EXTRA = str.maketrans({
    "\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\ufe63": "-",
    "\u2015": "—", "\u2500": "—", "\u2014": "—",
    "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None,
})

# "无" is a value only as a whole cell/field; the dashes in any run length.
NULL_MARKERS = frozenset({"/", "-", "--", "—", "——", "无", "\\", "－", "／", "×"})
VALUE_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_NON_WORD = re.compile(r"[\W_]+")


_NEEDS_EXTRA = re.compile("[\u2212\u2013\u2010-\u2012\ufe63\u2015\u2500\u200b-\u200d\ufeff\u00ad]")


def normalize_text(text: str) -> str:
    """NFKC plus the dash/zero-width fixes; line structure is kept."""
    if text.isascii():
        return text
    s = unicodedata.normalize("NFKC", text)
    return s.translate(_EXTRA) if _NEEDS_EXTRA.search(s) else s


@functools.lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A label reduced for comparison: normalized, whitespace and punctuation removed."""
    return _NON_WORD.sub("", normalize_text(text))


def is_null_marker(field: str) -> bool:
    f = field.strip()
    return f in NULL_MARKERS or (len(f) > 1 and set(f) <= {"-", "—"})


def is_value(field: str) -> bool:
    if field.isascii() and field.isdigit():
        return True
    return bool(VALUE_RE.match(field)) or is_null_marker(field)


def parse_value(printed: str | None, column: str) -> tuple[int | Decimal | None, bool]:
    """(value, ok) for a printed cell of `column`; NULL markers and blanks give (None, True).

    amount_10k_yuan is a Decimal; counts are int (a count printed with decimals stays a Decimal
    and ok=False so the caller can warn); `change` keeps its sign.
    """
    if printed is None:
        return None, True
    if printed.isascii() and printed.isdigit():   # the common case
        return (Decimal(printed) if column == "amount_10k_yuan" else int(printed)), True
    s = normalize_text(printed).strip()
    if not s or is_null_marker(s):
        return None, True
    s = s.replace(",", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None, False
    if column == "amount_10k_yuan":
        return d, True
    if d == d.to_integral_value():
        n = int(d)
        return n, (n >= 0 or column == "change")
    return d, False
