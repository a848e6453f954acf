"""The scan corpus, rendered once per session, and how an OCR run is scored against it.

Used by the scan gate (test_scan_gate.py) and by bench/extract_bench.py. Cells are the
report's figures (section2-4 of the truth) as parsed from the extraction: a cell is exact
when the parsed value equals the printed one. A pre-2019 scan must give no cells and no
checks; a hard failure the report does not have is a false alarm.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "parse"))

import parse_variants as V  # noqa: E402
from parse_compare import cell_diffs, hard_failures  # noqa: E402


def render_corpus(out: Path, per_style: int = 2) -> list[tuple[str, Path, dict]]:
    """Write the gate corpus as PDFs (+ truth JSON) under ``out``: [(style, pdf path, truth)]."""
    from crawler.sampleweb.render_scan import gate_corpus, render_scan

    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for style, rep in gate_corpus(per_style=per_style):
        pdf, truth = render_scan(rep, style)
        path = out / f"{style}-{truth['key']}.pdf"
        path.write_bytes(pdf)
        path.with_suffix(".json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
        docs.append((style, path, truth))
    return docs


@dataclass
class StyleScore:
    docs: int = 0
    pages: int = 0
    cells: int = 0
    exact: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)
    legacy_figures: list = field(default_factory=list)  # (doc, cells, checks) of pre-2019 scans
    errors: list = field(default_factory=list)

    @property
    def pct(self) -> float:
        return 100.0 * self.exact / self.cells if self.cells else 100.0


def score(scores: dict[str, StyleScore], style: str, name: str, x, truth: dict) -> None:
    """Add one extraction of a corpus document to its style's score."""
    from pipelines.parse import parse_report

    s = scores.setdefault(style, StyleScore())
    s.docs += 1
    s.pages += truth["pages"]
    if x.error:
        s.errors.append((name, x.error))
    rep = parse_report(x.text, tables=x.tables)
    want = V.expected_cells(truth)
    if truth["template"] == "legacy":
        evaluated = [c for c in rep.checks if c.passed is not None]
        if rep.cells or evaluated:
            s.legacy_figures.append((name, len(rep.cells), len(evaluated)))
        return
    diffs = cell_diffs(rep, truth)
    s.cells += len(want)
    s.exact += len(want) - len(diffs)
    if diffs:
        s.misses.append((name, diffs[:4]))
    expected = {(c["check_id"], c["scope"]) for c in truth["failed_checks"]}
    extra = hard_failures(rep) - expected
    if extra:
        s.false_alarms.append((name, sorted(extra)))
