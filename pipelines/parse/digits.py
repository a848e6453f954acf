"""Splitting runs of digits printed without separators (行政规范性文件6233440).

A run is cut into numbers without leading zeros ("0" alone is fine); several printed tokens
keep their boundaries. With `block`, every block of that many numbers must satisfy
sum(first block-1) == last (H3 for a section-3 row, H4 for each section-4 row), which prunes
the search to the few segmentations the form's arithmetic allows.
"""
from __future__ import annotations

import logging
from typing import Iterator

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 5000


def segmentations(tokens: list[str], n: int, *, block: int | None = None,
                  limit: int = MAX_CANDIDATES) -> list[tuple[str, ...]]:
    """Ways to cut `tokens` (in order) into exactly `n` printed numbers."""
    if not tokens or n < len(tokens):
        return []
    atomic = [not t.isdigit() for t in tokens]
    digits_after = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        digits_after[i] = digits_after[i + 1] + (1 if atomic[i] else len(tokens[i]))
    out: list[tuple[str, ...]] = []

    def rec(ti: int, pos: int, parts: list[str]) -> Iterator[None]:
        if len(out) >= limit:
            return
        if ti == len(tokens):
            if len(parts) == n:
                out.append(tuple(parts))
            return
        left = n - len(parts)
        tok = tokens[ti]
        # parts still needed must fit: at least one per remaining token, at most one per digit
        rest = len(tok) - pos if not atomic[ti] else 1
        if left < len(tokens) - ti or left > rest + digits_after[ti + 1]:
            return
        ends = [len(tok)] if atomic[ti] else range(pos + 1, len(tok) + 1)
        if block and not atomic[ti] and len(parts) % block == block - 1:
            # the block's last number is its total: only one cut can give it
            try:
                need = str(sum(int(p) for p in parts[len(parts) - block + 1:]))
            except ValueError:
                need = None
            if need is not None:
                if tok.startswith(need, pos):
                    ends = [pos + len(need)]
                else:
                    return
        for end in ends:
            part = tok[pos:end]
            if not atomic[ti] and len(part) > 1 and part[0] == "0":
                break
            parts.append(part)
            ok = True
            if block and len(parts) % block == 0:
                blk = parts[-block:]
                try:
                    ok = sum(int(p) for p in blk[:-1]) == int(blk[-1])
                except ValueError:
                    ok = True
            if ok:
                if end == len(tok):
                    yield from rec(ti + 1, 0, parts)
                else:
                    yield from rec(ti, end, parts)
            parts.pop()
        return

    for _ in rec(0, 0, []):
        pass
    return out
