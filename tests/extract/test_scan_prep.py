"""Page preparation for OCR: tinted paper flattened to white, skew found and undone."""
from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest

from crawler.sampleweb.render_scan import generated_report, render_scan
from pipelines.extract.scan_prep import deskew, flatten, skew_angle


def _page(style: str, key: str) -> tuple[np.ndarray, dict]:
    rep = generated_report(key, "2021")
    pdf, truth = render_scan(rep, style)
    g = pdfium.PdfDocument(pdf)[1].render(scale=200 / 72, grayscale=True).to_numpy()
    return (g[..., 0] if g.ndim == 3 else g), truth


@pytest.mark.parametrize("style,key", [("flat", "prep-a"), ("split", "prep-b"), ("legacy", "prep-c")])
def test_skew_found_within_a_tenth_of_a_degree(style, key):
    gray, truth = _page(style, key)
    skew = truth["page_skews"][1]
    found = skew_angle(flatten(gray))
    # the scanner turned the page by +skew; levelling it takes -skew
    assert abs(found + skew) <= 0.1, (found, skew)


def test_flatten_whitens_tinted_paper_and_keeps_ink():
    gray, truth = _page("flat", "prep-a")
    paper = np.median(gray)
    assert paper < 235  # grey paper as scanned
    flat = flatten(gray)
    assert np.median(flat) >= 250
    # ink keeps its contrast: what was darker than 60% of the paper still is
    before, after = (gray < 0.6 * paper).sum(), (flat < 0.6 * 255).sum()
    assert 0.8 * before <= after <= 1.25 * before


def test_deskew_small_angles_left_alone():
    gray = np.full((100, 100), 255, np.uint8)
    assert deskew(gray, 0.01) is gray
