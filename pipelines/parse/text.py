"""Tokens and label/value groups from extracted text.

A line is split on whitespace into fields; a field is a *value* (a number or a NULL marker)
or *text*. A field where labels and numbers run together (行政规范性文件6233440, or a whole
table row after row: 一、本年新收政府信息公开申请数量65000000065二、上年结转…) is cut into
text and *glued* values by :func:`split_glued`. Consecutive text tokens form a label buffer;
the values that follow belong to it. This reads flattened PDF text (labels wrapped over
lines, numbers on the next line, "0 0 0 0 0 0\\n0"), tab-separated text, text exports whose
cells lost their separators, and grid rows alike.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from pipelines.parse.normalize import is_null_marker, is_value

logger = logging.getLogger(__name__)

_PAGE_NO = re.compile(r"^\s*(?:[-—]\s*\d+\s*[-—]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")

# A number inside a field: digits with inner decimal points or thousands commas, maybe signed
# (the 2019 layout's 本年增/减 column: 120-34567).
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
# Digits that are words, not cells: 2023年, 保留4位小数, 第1项, (1), 5件. A cell's value is
# followed by the next label or the end of the cell, never by a measure word.
_DIGIT = re.compile(r"\d")
_UNIT_AFTER = frozenset("位年月日号条项件个次人名家所部份篇期场户万元余多天岁届批类种张本册台套处座%‰")
_WORD_BEFORE = frozenset("第共约近达")
_OPEN = frozenset("(（[【〔")
_CLOSE = frozenset(")）]】〕")
_NUMBERING_SEP = frozenset(".、")


@dataclass
class Token:
    kind: str           # 'text' | 'value'
    text: str           # as printed (normalized); '' for an empty grid cell
    glued: bool = False
    dup: bool = False   # grid cell under a header repeated from the column before (merge artifact)

    @property
    def is_run(self) -> bool:
        """A number that may be several numbers printed without separators (two digits or
        more: 7138, 141234.56, -34567)."""
        return self.kind == "value" and sum(ch.isdigit() for ch in self.text) > 1


@dataclass
class Group:
    label: str                       # the label text (buffer) before the values
    values: list[Token] = field(default_factory=list)


def _is_word_digits(f: str, start: int, end: int) -> bool:
    """Digits f[start:end] that belong to the text around them (units, numbering, brackets)."""
    before = f[start - 1] if start else ""
    after = f[end] if end < len(f) else ""
    if after in _UNIT_AFTER or before in _WORD_BEFORE:
        return True
    return before in _OPEN and after in _CLOSE


def split_glued(f: str) -> list[tuple[str, str]]:
    """[(kind, text)] of a field mixing labels and numbers, in order.

    `1.` / `2、` before a label is list numbering (part of the label), so in
    `…不予公开00000002.其他法律…` the run is `0000000` and the label `2.其他法律…`.
    """
    out: list[tuple[str, str]] = []
    text_start = 0
    pos = 0
    while True:
        m = _NUMBER.search(f, pos)
        if m is None:
            break
        start, end = m.span()
        num = m.group()
        pos = end
        if _is_word_digits(f, start, end):
            continue
        nxt = f[end] if end < len(f) else ""
        if nxt in _NUMBERING_SEP and (end + 1 == len(f) or not f[end + 1].isdigit()):
            # the last digit is the next label's list number; a value never ends in '.'
            if not num[:-1].lstrip("+-"):
                continue
            num, end = num[:-1], end - 1
        if start > text_start:
            out.append(("text", f[text_start:start]))
        out.append(("value", num))
        text_start = end
    if text_start < len(f):
        out.append(("text", f[text_start:]))
    return out


def tokenize_field(f: str, out: list[Token]) -> None:
    if not f:
        return
    if is_value(f):
        out.append(Token("value", f))
        return
    if not _DIGIT.search(f):        # most label fields: nothing to cut
        out.append(Token("text", f))
        return
    parts = split_glued(f)
    if len(parts) == 1 or not any(k == "value" for k, _ in parts):
        out.append(Token("text", f))
        return
    for kind, s in parts:
        if kind == "value":
            out.append(Token("value", s, glued=True))
        elif s.strip():
            out.append(Token("text", s))


def tokenize_lines(lines: list[str]) -> list[Token]:
    out: list[Token] = []
    for line in lines:
        if _PAGE_NO.match(line):
            continue
        for f in line.split():
            tokenize_field(f, out)
    return out


def group_tokens(tokens: list[Token]) -> list[Group]:
    """Label buffers and the values after them, in order (groups without values are dropped)."""
    groups: list[Group] = []
    label: list[str] = []
    values: list[Token] = []
    for t in tokens:
        if t.kind == "text":
            if values:
                groups.append(Group("".join(label), values))
                label, values = [], []
            label.append(t.text)
        else:
            values.append(t)
    if values:
        groups.append(Group("".join(label), values))
    return groups


def null_token(t: Token) -> bool:
    return t.kind == "value" and (t.text == "" or is_null_marker(t.text))
