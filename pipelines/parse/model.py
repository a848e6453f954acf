"""The parsed report: cells, checks, identity. `to_dict()` is the contract in ARCHITECTURE.md."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

logger = logging.getLogger(__name__)

Number = int | Decimal


@dataclass
class Cell:
    section: str            # '2' | '3' | '4'
    row_key: str
    column_key: str
    value: Number | None    # None = NULL (blank, /, -, —, 无)
    printed: str | None     # the text as printed ('' for an empty grid cell)
    inferred: bool = False  # True when the value came from splitting a run of digits

    @property
    def ref(self) -> str:
        return f"{self.section}/{self.row_key}/{self.column_key}"


@dataclass
class Check:
    check_id: str           # H1..H4 (hard), X1..X3 (soft)
    scope: str              # 'column:<key>' | 'row:<key>' | 'narrative:<what>'
    passed: bool
    expected: Number | None
    actual: Number | None
    cells: list[str] = field(default_factory=list)

    @property
    def hard(self) -> bool:
        return self.check_id.startswith("H")


@dataclass
class ParsedReport:
    agency: str | None = None
    agency_source: str | None = None
    report_year: int | None = None
    template: str | None = None     # '2021' | '2019' | 'legacy' | None
    title: str | None = None
    region_code: str | None = None
    admin_level: str | None = None
    published_at: str | None = None
    text_hash: str | None = None
    cells: list[Cell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    # ---- conveniences for callers and tests
    def cell(self, section: str, row_key: str, column_key: str) -> Cell | None:
        for c in self.cells:
            if c.section == section and c.row_key == row_key and c.column_key == column_key:
                return c
        return None

    def value(self, section: str, row_key: str, column_key: str) -> Number | None:
        c = self.cell(section, row_key, column_key)
        return None if c is None else c.value

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def failed_hard_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed and c.hard]
