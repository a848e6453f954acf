"""Tokens and label/value groups from extracted text.

A line is split on whitespace into fields; a field is a *value* (a number or a NULL marker)
or *text*. Digits stuck to the end of a label (行政规范性文件6233440) are split off as a
*glued* value. Consecutive text tokens form a label buffer; the values that follow belong to
it. This reads flattened PDF text (labels wrapped over lines, numbers on the next line,
"0 0 0 0 0 0\\n0"), tab-separated text and grid rows alike.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from pipelines.parse.normalize import is_null_marker, is_value

logger = logging.getLogger(__name__)

# digits glued to the end of a label: the label must end in a CJK character, a closing
# quote or bracket, so "1." list numbering or "2023年" never qualify.
_GLUED = re.compile(r"^(.*[\u3400-\u9fff”\")\]】])(\d+(?:\.\d+)?)$")
_PAGE_NO = re.compile(r"^\s*(?:[-—]\s*\d+\s*[-—]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")


@dataclass
class Token:
    kind: str           # 'text' | 'value'
    text: str           # as printed (normalized); '' for an empty grid cell
    glued: bool = False
    dup: bool = False   # grid cell under a header repeated from the column before (merge artifact)

    @property
    def is_run(self) -> bool:
        """A plain digit string that may be several numbers printed without separators."""
        return self.kind == "value" and self.text.isdigit() and len(self.text) > 1


@dataclass
class Group:
    label: str                       # the label text (buffer) before the values
    values: list[Token] = field(default_factory=list)


def tokenize_field(f: str, out: list[Token]) -> None:
    if not f:
        return
    if is_value(f):
        out.append(Token("value", f))
        return
    m = _GLUED.match(f)
    if m:
        out.append(Token("text", m.group(1)))
        out.append(Token("value", m.group(2), glued=True))
        return
    out.append(Token("text", f))


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
