"""Readings of a row whose numbers were printed without (all) separators.

A row's printed value tokens (*atoms*: `65000000065`, or `7 138` when one separator of three
survived) are cut into exactly one number per column. Rules of the form, not guesses:

- no leading zeros ("0" alone is fine); a decimal point only in a column that takes decimals
  (amount_10k_yuan), a sign only in the signed 2019 change column (本年增/减);
- a NULL marker token (/, —, 无) is a cell of its own;
- a printed separator may be noise (a stray space inside a number): a reading may join two
  atoms; it counts the *joins* it needed (for diagnostics: the solver does not prefer fewer);
- with `block`, every block of that many columns ends in its total (H3 for a section-3 row,
  H4 for each section-4 row); a reading with a block that does not add up counts one *local*
  violation per block, and at most `max_local` are allowed, which prunes the search to the few
  readings the arithmetic allows when `max_local` is 0.

Work is bounded: at most `limit` readings are produced, and the caller learns when the list
was cut short.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Sequence

from pipelines.parse.normalize import is_null_marker

logger = logging.getLogger(__name__)

MAX_READINGS = 20000
COUNT, AMOUNT, SIGNED = "count", "amount", "signed"

_INT = r"(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)"
_VALID = {
    COUNT: re.compile(_INT),
    AMOUNT: re.compile(_INT + r"(?:\.\d+)?"),
    SIGNED: re.compile(r"(?:0|[+-]?[1-9]\d*)"),
}
_NULL = "\x00"   # one unit standing for a NULL marker atom


@dataclass(frozen=True)
class Reading:
    parts: tuple[str, ...]      # the printed text of each column's number
    values: tuple               # int / Decimal / None (NULL) per column
    joins: int                  # printed separators that fall inside a number
    local: int                  # blocks whose total does not add up


def kind_of(column: str) -> str:
    if column == "amount_10k_yuan":
        return AMOUNT
    if column == "change":
        return SIGNED
    return COUNT


@lru_cache(maxsize=4096)
def _value(part: str, kind: str):
    if part == _NULL:
        return None
    s = part.replace(",", "")
    return Decimal(s) if kind == AMOUNT else int(s)


def readings(atoms: Sequence[str], kinds: Sequence[str], *, block: int | None = None,
             max_local: int = 0, limit: int = MAX_READINGS) -> tuple[list[Reading], bool]:
    """Every reading of `atoms` as len(kinds) numbers; (readings, complete)."""
    units: list[str] = []
    soft: set[int] = set()          # unit positions that start a new printed atom
    nulls: dict[int, str] = {}      # unit position -> the NULL marker as printed
    for a in atoms:
        if units:
            soft.add(len(units))
        if is_null_marker(a) or a == "":
            nulls[len(units)] = a
            units.append(_NULL)
        else:
            units.extend(a)
    n, size = len(kinds), len(units)
    out: list[Reading] = []
    if not units or size < n:
        return out, True
    text = "".join(units)
    if size == n and not nulls and text.isdigit():
        # one digit per column (0000000, 000): the only reading
        vals = tuple(_value(ch, k) for ch, k in zip(text, kinds))
        local = sum(1 for b in range(0, n, block) if sum(vals[b:b + block - 1]) != vals[b + block - 1]) if block else 0
        return ([Reading(tuple(text), vals, sum(1 for p in soft if 0 < p < size), local)]
                if local <= max_local else []), True
    complete = True
    next_null = [size] * (size + 1)
    for p in range(size - 1, -1, -1):
        next_null[p] = p if p in nulls else next_null[p + 1]
    memo: dict[tuple[int, str], list[int]] = {}

    def ends(i: int, kind: str) -> list[int]:
        got = memo.get((i, kind))
        if got is None:
            if i in nulls:
                got = [i + 1]
            else:
                m = _VALID[kind]
                got = [j for j in range(i + 1, next_null[i + 1] + 1) if m.fullmatch(text, i, j)]
            memo[(i, kind)] = got
        return got

    parts: list[str] = []
    vals: list = []
    # The last block's total is the row's last number, a suffix of the digits: when it must
    # add up, try each suffix first, and no part of that block may exceed what is left of it.
    last = n - block if block and n % block == 0 and max_local == 0 and kinds[-1] == COUNT else None
    cap: list = [None, size]    # the last block's total and where it starts, while a suffix is tried

    def rec(i: int, joins: int, local: int) -> None:
        nonlocal complete
        if len(out) >= limit:
            complete = False
            return
        col = len(parts)
        if col == n:
            if i == size:
                out.append(Reading(tuple(parts), tuple(vals), joins, local))
            return
        if size - i < n - col:
            return
        if block and local >= max_local and col % block:
            # the block's total is still to come and must add up: it needs at least as many
            # digits as the partial sum has, in what the rest of the row leaves for it
            start = col - col % block
            blk = vals[start:col]
            if all(v is not None for v in blk):
                room = size - i - (block - 1 - col % block) - (n - start - block)
                if room < 1 or sum(blk) >= 10 ** room:
                    return
        kind = kinds[col]
        cands = ends(i, kind)
        if col == n - 1:
            cands = [j for j in cands if j == size] if i == cap[1] or cap[0] is None else []
        elif cap[0] is not None:
            stop = cap[1] - (n - 2 - col)       # the parts still to come before the total
            cands = [j for j in cands if j <= stop]
        need = None
        if block and col % block == block - 1:
            blk = vals[col - block + 1:col]
            if all(v is not None for v in blk):
                need = sum(blk)
                if local >= max_local and kind == COUNT:
                    # no violation left to spend: the block's total is the only cut
                    want = str(need)
                    j = i + len(want)
                    cands = [j] if text.startswith(want, i) and j in cands else []
        room = None
        if cap[0] is not None and last <= col < n - 1:
            blk = vals[last:col]
            if all(v is not None for v in blk):
                room = cap[0] - sum(blk)
                # what the digits left before the total can still add up to, k parts of them:
                # at least their digit sum, at most k numbers of the longest length left; and
                # no part longer than the room left, so the digits must fit in k such parts
                k, m = n - 1 - col, cap[1] - i
                if (room < digit_sum[cap[1]] - digit_sum[i] or room > k * 10 ** (m - k + 1)
                        or m > k * len(str(max(room, 0)))):
                    return
        for j in cands:
            part = text[i:j]
            v = _value(part, kind)
            if room is not None and v is not None and v > room:
                if kind == COUNT and part.isdigit():
                    break           # longer cuts from here are larger still
                continue
            bad = need is not None and v is not None and v != need
            if bad and local >= max_local:
                continue
            parts.append(nulls[i] if v is None else part)
            vals.append(v)
            rec(j, joins + (sum(1 for p in range(i + 1, j) if p in soft) if soft else 0), local + bad)
            parts.pop()
            vals.pop()

    if last is None or nulls or not text.isdigit():
        rec(0, 0, 0)
        return out, complete
    digit_sum = [0] * (size + 1)
    for p, ch in enumerate(text):
        digit_sum[p + 1] = digit_sum[p] + int(ch)
    for j in range(n - 1, size):
        total = text[j:]
        if not _VALID[COUNT].fullmatch(total):
            continue
        cap[0], cap[1] = int(total), j
        rec(0, 0, 0)
        if not complete:
            break
    return out, complete
