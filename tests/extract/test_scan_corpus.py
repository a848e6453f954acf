"""The scan corpus generator itself (no OCR): image-only, deterministic, idioms present,
and its truth parses to its own figures (so a gate failure is the OCR's, not the corpus's)."""
from __future__ import annotations

import fitz
import pytest

import scan_score
from crawler.sampleweb.render_scan import STYLES, gate_corpus, render_scan, rendering
from pipelines.extract.base import Table, table_to_lines
from pipelines.parse import parse_report


@pytest.fixture(scope="module")
def docs():
    return [(style, rep, *render_scan(rep, style)) for style, rep in gate_corpus()]


def test_every_style_in_the_gate(docs):
    assert {d[0] for d in docs} == set(STYLES)


def test_pages_are_images_only(docs):
    for style, _, pdf, truth in docs:
        doc = fitz.open(stream=pdf, filetype="pdf")
        assert doc.page_count == truth["pages"] >= 1
        for page in doc:
            assert page.get_text().strip() == "", style
            assert len(page.get_images()) == 1


def test_renderings_differ_by_style_and_are_deterministic(docs):
    style, rep, pdf, _ = docs[0]
    assert render_scan(rep, style)[0] == pdf
    assert render_scan(rep, style, seed=1)[0] != pdf
    dpis = {rendering(s, f"k{i}").dpi for s in STYLES for i in range(20)}
    assert min(dpis) == 150 and max(dpis) == 300
    skews = [abs(rendering(s, f"k{i}").skew) for s in STYLES for i in range(20)]
    assert max(skews) <= 1.5 and max(skews) > 1.0
    assert {rendering(s, "k").jpeg is None for s in STYLES} == {True, False}


def test_tables_run_over_page_breaks_in_every_table_style(docs):
    for style in ("form", "split", "flat"):
        assert any(t["split_tables"] for s, _, _, t in docs if s == style), style


def test_truth_grids_parse_to_the_truth_figures(docs):
    for style, _, _, truth in docs:
        lines = [truth["title"]] + [ln for g in truth["tables"] for ln in table_to_lines(g)]
        rep = parse_report("\n".join(lines), tables=[Table(rows=g) for g in truth["tables"]])
        if truth["template"] == "legacy":
            assert not rep.cells, style
            continue
        assert scan_score.cell_diffs(rep, truth) == [], style
        assert rep.template == truth["template"]
