"""Scans in any style: the scan corpus (crawler.sampleweb.render_scan) OCRed and parsed.

Gate: >= 99% of the figure cells exact in every table style; a pre-2019 scan gives no
figures and no checks; no hard failure a report does not have. Two documents per style
(seeds and generated reports, 2021 and 2019 layouts, tables over page breaks) keep it
to about twenty pages.
"""
from __future__ import annotations

import pytest

from pipelines.extract import extract_bytes
from scan_score import StyleScore, render_corpus, score

FLOOR = 99.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return render_corpus(tmp_path_factory.mktemp("scans"))


@pytest.mark.slow
def test_scan_gate_every_style(corpus):
    scores: dict[str, StyleScore] = {}
    for style, path, truth in corpus:
        x = extract_bytes(path.read_bytes(), filename=path.name)
        assert x.pages and all(p.ocr for p in x.pages), path.name
        score(scores, style, path.name, x, truth)
    report = []
    for style, s in sorted(scores.items()):
        report.append(f"[{style}] {s.docs} docs, {s.pages} pages: cells {s.exact}/{s.cells} = {s.pct:.2f}%, "
                      f"false alarms {len(s.false_alarms)}, legacy figures {len(s.legacy_figures)}")
    print("\n" + "\n".join(report))
    assert set(scores) == {"form", "split", "flat", "legacy"}
    for style, s in scores.items():
        assert not s.errors, (style, s.errors)
        assert s.pct >= FLOOR, (style, f"{s.pct:.2f}%", s.misses)
        assert not s.false_alarms, (style, s.false_alarms)
        assert not s.legacy_figures, (style, s.legacy_figures)
    assert scores["legacy"].cells == 0 and all(scores[k].cells >= 198 * 2 for k in ("form", "split", "flat"))
