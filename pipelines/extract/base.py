"""The structure every extractor returns, plus small shared helpers.

An :class:`Extraction` is what the archive stores per blob (``to_dict`` is JSON-safe), so
changing what an extractor outputs means bumping :data:`EXTRACTOR_VERSION`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

#: Bump whenever the output of any extractor changes (derived rows record it).
EXTRACTOR_VERSION = "1.1.0"


@dataclass
class Table:
    """A cell grid with merged cells expanded (a merged cell's text repeats in every slot)."""

    rows: list[list[str]]
    page: int | None = None

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class PageInfo:
    number: int  # 1-based
    chars: int  # non-whitespace characters extracted from the page
    ocr: bool = False


@dataclass
class Extraction:
    format: str
    extractor: str = ""
    extractor_version: str = EXTRACTOR_VERSION
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Extraction":
        d = dict(d)
        d["tables"] = [Table(rows=[list(r) for r in t["rows"]], page=t.get("page")) for t in d.get("tables") or []]
        d["pages"] = [PageInfo(**p) for p in d.get("pages") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


class ExtractionFailed(Exception):
    """Raised inside extractors for a clear, expected failure; becomes Extraction.error."""


_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def clean_line(s: str) -> str:
    """Collapse runs of horizontal whitespace (incl. full-width/nbsp) into one space."""
    return _WS.sub(" ", s).strip()


def join_wrapped(lines: list[str]) -> str:
    """Join lines wrapped inside a table cell: no space between CJK characters."""
    out = ""
    for ln in (clean_line(x) for x in lines):
        if not ln:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(ln[0])):
            out += " "
        out += ln
    return out


def cell_text(s: str | None) -> str:
    if not s:
        return ""
    return join_wrapped(s.splitlines())


def count_chars(s: str) -> int:
    """Non-whitespace characters."""
    return sum(map(len, s.split()))


def normalize_for_compare(s: str) -> str:
    """NFKC and drop all whitespace: what tests and dedup compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def table_to_lines(rows: list[list[str]]) -> list[str]:
    """Render a grid as text lines: a merged cell's text once per row, tab-separated."""
    out = []
    for r in rows:
        cells: list[str] = []
        for c in r:
            if c and (not cells or cells[-1] != c):
                cells.append(c)
        if cells:
            out.append("\t".join(cells))
    return out


def rectangular(rows: list[list[str]]) -> list[list[str]]:
    """Pad rows to the same width and drop rows/columns that are empty everywhere."""
    rows = [[cell_text(c) if not isinstance(c, str) else c for c in r] for r in rows]
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    w = max(len(r) for r in rows)
    rows = [r + [""] * (w - len(r)) for r in rows]
    keep = [j for j in range(w) if any(r[j].strip() for r in rows)]
    return [[r[j] for j in keep] for r in rows]
