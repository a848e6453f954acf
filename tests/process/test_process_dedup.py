"""Deduplication on a real archive: report rows saved as the process step saves them."""
from __future__ import annotations

import re

import pytest

from pipelines import dedup

# every test here reads the seed texts (real documents)
pytestmark = pytest.mark.realdocs


def _cells(n_granted: int = 5, n_total: int = 9) -> list[dict]:
    return [
        {"section": "3", "row_key": "granted", "column_key": "total", "value": n_granted, "printed": str(n_granted)},
        {"section": "3", "row_key": "new_received", "column_key": "total", "value": n_total, "printed": str(n_total)},
        {"section": "2", "row_key": "fees", "column_key": "amount_10k_yuan", "value": None, "printed": "/"},
    ]


def _save(archive, filler, url, text, *, agency="洛宁县人民政府办公室", year=2023, cells=None, minutes=None,
          portal="p1"):
    res = filler.capture(url, text.encode("utf-8"), portal=portal, minutes=minutes)
    archive.save_extraction(res.sha256, "test", {"format": "text", "text": text})
    rid = archive.save_report(res.sha256, "test", {
        "agency": agency, "agency_source": "title", "report_year": year, "template": "2021",
        "title": f"{agency}{year}年政府信息公开工作年度报告", "text_hash": dedup.text_hash(text),
        "cells": _cells() if cells is None else cells, "checks": [],
    })
    return rid


def _canon(archive, rid):
    return archive.query("SELECT canonical_report_id FROM reports WHERE report_id = :r", {"r": rid})[0]["canonical_report_id"]


def test_normalized_text_hash_ignores_layout(seeds_dir):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    relaid = text.replace("\n", "\r\n   ").replace("（", "(").replace("）", ")").replace("，", ",").replace("2023", "２０２３")
    assert dedup.text_hash(text) == dedup.text_hash(relaid)
    assert dedup.text_hash(text) != dedup.text_hash(text.replace("2023", "2024"))
    assert dedup.text_hash("太短") is None


def test_minhash_similarity_separates_copies_from_other_reports(seeds_dir):
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    a = texts[0]
    paged = re.sub(r"(\n)", lambda m: m.group(1) + ("- 1 -\n" if hash(m.start()) % 7 == 0 else ""), a)
    assert dedup.minhash(a).jaccard(dedup.minhash(paged)) > 0.8
    for other in texts[1:]:
        assert dedup.minhash(a).jaccard(dedup.minhash(other)) < 0.5


def test_cross_posted_copy_links_to_earliest_and_next_year_stays(archive, filler, seeds_dir):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    # the copy on another portal: a PDF's text, with page footers and other line breaks
    lines = text.splitlines()
    pdf_text = "\n".join(line + (f"\n- {i // 20 + 1} -" if i % 20 == 19 else "") for i, line in enumerate(lines))
    nxt = text.replace("2023", "2024").replace("2022", "2023")
    other_fig = text  # same text, one figure read differently: not merged

    r_copy = _save(archive, filler, "https://b.example/r.pdf", pdf_text, minutes=50, portal="p2")
    r_orig = _save(archive, filler, "https://a.example/r.html", text, minutes=10)
    r_next = _save(archive, filler, "https://a.example/r2024.html", nxt, year=2024, cells=_cells(7, 11), minutes=60)
    r_other = _save(archive, filler, "https://c.example/r.txt", other_fig + "\n附", cells=_cells(6, 9), minutes=70)
    assert dedup.text_hash(pdf_text) != dedup.text_hash(text)  # the near-duplicate path is exercised
    assert dedup.minhash(text).jaccard(dedup.minhash(nxt)) > 0.5  # the next year is an LSH candidate

    st = dedup.dedup_all(archive)
    assert (st.groups, st.duplicates) == (1, 1)
    assert st.rejected.get("year differs", 0) + st.rejected.get("figures differ", 0) >= 2
    assert _canon(archive, r_copy) == r_orig     # earliest captured is canonical
    assert _canon(archive, r_orig) == r_orig
    assert _canon(archive, r_next) == r_next
    assert _canon(archive, r_other) == r_other
    srcs = archive.query("SELECT count(DISTINCT s.url) AS n FROM report_source s JOIN reports r ON r.report_id = s.report_id "
                         "WHERE r.canonical_report_id = :c", {"c": r_orig})
    assert srcs[0]["n"] == 2  # one canonical report, two sources

    again = dedup.dedup_all(archive)  # idempotent
    assert again.links_changed == 0 and (again.groups, again.duplicates) == (1, 1)


def test_incremental_link_report(archive, filler, seeds_dir):
    text = next(seeds_dir.glob("003_*.txt")).read_text(encoding="utf-8")
    a = _save(archive, filler, "https://a.example/1.html", text, agency="洛阳市政务服务和大数据管理局", minutes=5)
    assert dedup.link_report(archive, a).duplicates == 0
    b = _save(archive, filler, "https://b.example/1.txt", text.replace("\n", "\n\n") + "\n第 1 页",
              agency="洛阳市政务服务和大数据管理局", minutes=30)
    st = dedup.link_report(archive, b)
    assert st.duplicates == 1 and _canon(archive, b) == a
    # an earlier capture of the same report shows up later: it becomes the canonical one
    c = _save(archive, filler, "https://c.example/1.htm", text + "\n- 2 -", agency="洛阳市政务服务和大数据管理局", minutes=1)
    dedup.link_report(archive, c)
    assert {_canon(archive, r) for r in (a, b, c)} == {c}
    assert dedup.link_report(archive, c).links_changed == 0


def test_same_text_different_agency_is_still_text_hash_duplicate(archive, filler, seeds_dir):
    # seed 002 prints no agency; two portals fill in different config agencies — same text, same report
    text = next(seeds_dir.glob("002_*.txt")).read_text(encoding="utf-8")
    a = _save(archive, filler, "https://a.example/x.txt", text, agency="洛宁县人民政府办公室", minutes=1)
    b = _save(archive, filler, "https://b.example/x.html", text + "\n", agency="宜阳县人民政府办公室", minutes=2)
    dedup.dedup_all(archive)
    assert _canon(archive, b) == a
