"""The sample portal network's rendered files through process_archive: a cross-posted report
(HTML on one site, PDF on another) is ONE canonical report with two sources; the same
office's next-year report (a narrative variant, ~96% similar) stays separate."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipelines import dedup
from pipelines.process import process_archive
from storage import Archive

SITE = Path(__file__).resolve().parents[2] / "crawler" / "sampleweb" / "site"
CT = {"html": "text/html", "pdf": "application/pdf", "pdf_scan": "application/pdf",
      "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "doc": "application/msword", "wps": "application/kswps", "xls": "application/vnd.ms-excel"}


def _truth() -> dict:
    return json.loads((SITE / "truth.json").read_text(encoding="utf-8"))


def _load(archive: Archive, truth: dict, docs: list[dict]) -> None:
    """Capture the served files as a crawl would: URL, headers, anchor title, fetch time."""
    run = archive.start_run(sorted({d["portal"] for d in docs}))
    for d in docs:
        ct = CT[d["format"]]
        if d["format"] == "html" and d.get("declared_charset"):
            ct += f"; charset={d['declared_charset']}"
        at = dt.datetime.strptime(d["published"], "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone.utc)
        res = archive.record_capture(run_id=run, url=f"http://{d['host']}{d['path']}", status=200,
                                     body=(SITE / d["file"]).read_bytes(), headers={"Content-Type": ct},
                                     fetched_at=at, portal=d["portal"], title=d.get("anchor"), is_report=True)
        assert res.sha256 == d["sha256"]
    archive.finish_run(run)


def _portals(truth: dict) -> dict:
    return {s["portal"]: {"name": s["portal"], "agency": s["agency"], "region_code": s["region_code"]}
            for s in truth["sites"]}


def _rows(archive: Archive) -> dict[str, dict]:
    return {r["sha256"]: r for r in archive.query("SELECT * FROM reports")}


def test_cross_post_is_one_report_next_year_is_not(db_url, tmp_path):
    truth = _truth()
    pick = {"seed000", "ly-fgw-2021", "ly-fgw-2022", "seed002"}
    docs = [d for d in truth["reports"] if d["group"] in pick]
    assert {d["format"] for d in docs if d["group"] == "seed000"} == {"html", "pdf"}
    archive = Archive(db_url, tmp_path / "blobs")
    _load(archive, truth, docs)
    st = process_archive(archive, all=True, portals=_portals(truth))
    assert (st.reports, sum(st.errors.values())) == (len(docs), 0)
    rows = _rows(archive)
    by_group: dict[str, list[dict]] = {}
    for d in docs:
        by_group.setdefault(d["group"], []).append(rows[d["sha256"]])

    seed000 = by_group["seed000"]
    assert len({r["canonical_report_id"] for r in seed000}) == 1          # one canonical report
    canonical = [r for r in seed000 if r["is_canonical"]]
    assert len(canonical) == 1
    first = min(docs, key=lambda d: d["published"] if d["group"] == "seed000" else "9")
    assert canonical[0]["sha256"] == first["sha256"]                       # the earliest captured
    urls = archive.query("SELECT DISTINCT s.url FROM report_source s JOIN reports r ON r.report_id = s.report_id "
                         "WHERE r.canonical_report_id = :c", {"c": canonical[0]["report_id"]})
    assert {u["url"].split("/")[2] for u in urls} == {"127.0.0.11", "127.0.0.12"}  # two sources, two sites

    fgw = {r["report_year"]: r for r in by_group["ly-fgw-2021"] + by_group["ly-fgw-2022"]}
    assert set(fgw) == {2021, 2022}
    assert fgw[2021]["is_canonical"] and fgw[2022]["is_canonical"]         # next year: not merged
    texts = dedup.load_texts(archive, [fgw[2021]["sha256"], fgw[2022]["sha256"]])
    j = dedup.minhash(texts[fgw[2021]["sha256"]][1]).jaccard(dedup.minhash(texts[fgw[2022]["sha256"]][1]))
    assert j > dedup.LSH_THRESHOLD, j                                      # it was a real candidate
    assert st.duplicates_linked == 1

    s2 = by_group["seed002"][0]   # the title prints only 政府办公室: the page's <meta> names the agency
    assert (s2["agency"], s2["agency_source"], s2["region_code"], s2["admin_level"]) == (
        "宜阳县人民政府办公室", "page", "410327", "county")
    assert str(s2["published_at"]) == "2024-02-18"
    archive.close()


@pytest.mark.slow
def test_every_served_report_of_the_network(sqlite_url, tmp_path):
    """All served report files (scans left to the OCR tests: ~50 s of OCR here): year, agency,
    region per truth; exactly the cross-posted and the HTML+PDF pairs are merged; idempotent."""
    truth = _truth()
    docs = [d for d in truth["reports"] if d["format"] != "pdf_scan"]
    archive = Archive(sqlite_url, tmp_path / "blobs")
    _load(archive, truth, docs)
    st = process_archive(archive, all=True, portals=_portals(truth))
    assert (st.reports, st.not_reports, dict(st.errors)) == (len(docs), 0, {})
    rows = _rows(archive)
    for d in docs:
        r = rows[d["sha256"]]
        assert r["report_year"] == d["report_year"], d["file"]
        assert r["agency"] == (d["agency"] or d["page_agency"]), d["file"]
        assert r["agency_source"] == ("title" if d["agency"] else "page"), d["file"]
        assert r["template"] == d["template"], d["file"]
    # region: from the agency's name, not from the portal that posted it
    assert rows[next(d["sha256"] for d in docs if d["group"] == "seed000" and d["format"] == "pdf")]["region_code"] == "410328"
    groups: dict[int, set[str]] = {}
    for d in docs:
        groups.setdefault(rows[d["sha256"]]["canonical_report_id"], set()).add(d["group"])
    assert all(len(g) == 1 for g in groups.values())                      # never two contents merged
    assert len(groups) == len({d["group"] for d in docs})                 # every copy merged
    before = archive.query("SELECT report_id, canonical_report_id FROM reports ORDER BY report_id")
    again = process_archive(archive, all=True, portals=_portals(truth))
    assert again.extractions_reused == len(docs) and again.duplicates_linked == st.duplicates_linked
    assert archive.query("SELECT report_id, canonical_report_id FROM reports ORDER BY report_id") == before
    archive.close()
