"""Acceptance: every seed rendered by the sample network, in every format, extracts with
every narrative paragraph (in order) and every row of figures in place (truth.json).

OCR (scanned PDFs) is slow: one seed runs by default, all with NIANBAO_OCR_ALL=1. For OCR,
the figures must all be recovered exactly; narrative may carry a small character error
rate (quotation marks and full/half-width punctuation are the usual misreads).
"""
from __future__ import annotations

import difflib
import os

import pytest

from pipelines.extract import extract_bytes
from pipelines.extract.base import normalize_for_compare as norm
from extract_truthcheck import missing_paragraphs, missing_rows

from crawler.sampleweb import rendered_seeds

SEEDS = rendered_seeds()  # the committed sample network: no corpus needed

def _param(r):
    # LibreOffice takes seconds per file: DOC/WPS of the first seed run by default, the rest
    # are marked slow (they still run in CI)
    slow = r["format"] in ("doc", "wps") and SEEDS and r["seed"] != SEEDS[0]["seed"]
    return pytest.param(r, id=f"{r['seed']}-{r['format']}", marks=[pytest.mark.slow] if slow else [])


TEXT_FORMATS = [_param(r) for r in SEEDS if r["format"] != "pdf_scan"]
SCANS = [r for r in SEEDS if r["format"] == "pdf_scan"]
if not os.environ.get("NIANBAO_OCR_ALL"):
    SCANS = SCANS[:1]


def _id(r) -> str:
    return f"{r['seed']}-{r['format']}"


@pytest.mark.parametrize("r", TEXT_FORMATS)
def test_rendered_seed_extracts_completely(r):
    x = extract_bytes(r["path"].read_bytes(), filename=r["path"].name)
    assert x.error is None, x.error
    if r["has_narrative"]:
        assert missing_paragraphs(x, r["truth"]) == []
    if r["has_tables"]:
        assert missing_rows(x, r["truth"]) == []
    if r["format"].startswith("html"):
        assert x.metadata["charset"] == ("gb18030" if r["charset"] == "gbk" else "utf-8")


def _cer(truth: str, got: str) -> float:
    """Character error rate of a paragraph against the best-matching span of the text."""
    sm = difflib.SequenceMatcher(None, truth, got, autojunk=False)
    blocks = sm.get_matching_blocks()
    matched = sum(b.size for b in blocks)
    return 1 - matched / max(len(truth), 1)


@pytest.mark.slow
@pytest.mark.parametrize("r", SCANS, ids=_id)
def test_scanned_seed_ocr(r):
    x = extract_bytes(r["path"].read_bytes(), filename=r["path"].name)
    assert x.error is None, x.error
    assert x.pages and all(p.ocr for p in x.pages)
    assert missing_rows(x, r["truth"]) == []
    text = norm(x.text)
    total = errors = 0
    for sec in (r["truth"].get("narrative") or {}).values():
        for p in sec:
            n = norm(p)
            total += len(n)
            errors += _cer(n, text) * len(n)
    assert errors / max(total, 1) <= 0.02, f"narrative CER {errors / total:.3%}"
