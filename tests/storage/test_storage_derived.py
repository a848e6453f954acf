"""Extractions, reports, cells, checks, sources and canonical links."""
from __future__ import annotations

from decimal import Decimal

import pytest

from storage import Archive

PDF = b"%PDF-1.7 fake report body " * 40


def report_dict(**over):
    d = {
        "agency": "洛宁县人民政府办公室", "agency_source": "title", "report_year": 2023, "template": "2021",
        "title": "洛宁县人民政府办公室2023年政府信息公开工作年度报告", "region_code": "410328",
        "admin_level": "county", "published_at": "2024-01-25", "text_hash": "ab" * 32,
        "cells": [
            {"section": "3", "row_key": "new_received", "column_key": "total", "value": 12, "printed": "12", "inferred": False},
            {"section": "3", "row_key": "carried_over_prev", "column_key": "total", "value": None, "printed": "/", "inferred": False},
            {"section": "2", "row_key": "fees", "column_key": "amount_10k_yuan", "value": Decimal("3.25"), "printed": "3.25", "inferred": False},
            {"section": "4", "row_key": "review", "column_key": "total", "value": 0, "printed": "", "inferred": True},
        ],
        "checks": [
            {"check_id": "H1", "scope": "total", "passed": False, "expected": 12, "actual": 11, "cells": [["3", "new_received", "total"]]},
            {"check_id": "H3", "scope": "new_received", "passed": True, "expected": 12, "actual": 12, "cells": []},
            {"check_id": "X1", "scope": "carried_over_prev", "passed": None, "expected": None, "actual": None, "cells": []},
        ],
        "warnings": ["demo"],
    }
    d.update(over)
    return d


@pytest.fixture
def sha(archive: Archive) -> str:
    return archive.record_capture(run_id=None, url="http://a.test/r.pdf", status=200, body=PDF,
                                  headers={"Content-Type": "application/pdf"}, is_report=True).sha256


def test_extraction_is_idempotent_per_key(archive: Archive, sha: str):
    x = {"format": "pdf", "extractor": "pymupdf", "extractor_version": "pdf-1", "text": "正文\x00",
         "tables": [{"rows": [["a", "1"]], "page": 1}], "pages": [{"number": 1, "chars": 2, "ocr": False}],
         "metadata": {"title": "t"}, "warnings": [], "error": None}
    i1 = archive.save_extraction(sha, "pdf-1", x)
    i2 = archive.save_extraction(sha, "pdf-1", {**x, "text": "正文 v2"})
    i3 = archive.save_extraction(sha, "pdf-2", x)
    assert i1 == i2 != i3
    got = archive.get_extraction(sha, "pdf-1")
    assert got["text"] == "正文 v2" and got["tables"][0]["rows"] == [["a", "1"]] and got["pages"][0]["number"] == 1
    assert archive.get_extraction(sha)["extractor_version"] == "pdf-2"
    assert archive.query("SELECT count(*) AS n FROM extraction")[0]["n"] == 2
    with pytest.raises(KeyError):
        archive.save_extraction("0" * 64, "pdf-1", x)


def test_report_rows_cells_checks_and_views(archive: Archive, sha: str):
    rid = archive.save_report(sha, "parse-1", report_dict())
    assert archive.save_report(sha, "parse-1", report_dict()) == rid  # idempotent per key
    row = archive.query("SELECT * FROM reports")[0]
    assert row["report_id"] == rid and row["report_year"] == 2023 and row["admin_level"] == "county"
    assert row["region_code"] == "410328" and row["source_url"] == "http://a.test/r.pdf" and row["sha256"] == sha
    assert row["checks_failed"] == 1 and row["checks_total"] == 3 and row["canonical_report_id"] == rid
    assert row["captured_at"] is not None and str(row["published_at"])[:10] == "2024-01-25"
    cells = {(c["section"], c["row_key"], c["column_key"]): c for c in archive.get_report(rid)["cells"]}
    assert cells[("3", "new_received", "total")]["value"] == 12
    assert cells[("3", "carried_over_prev", "total")]["value"] is None  # "/" is NULL, not 0
    assert cells[("3", "carried_over_prev", "total")]["printed"] == "/"
    assert cells[("2", "fees", "amount_10k_yuan")]["value"] == Decimal("3.25")
    assert cells[("4", "review", "total")]["inferred"] is True
    s = archive.query("SELECT sum(value) AS s FROM report_cells WHERE row_key = 'new_received'")[0]["s"]
    assert int(s) == 12
    failed = archive.query("SELECT check_id, passed FROM report_checks WHERE passed = FALSE")
    assert [c["check_id"] for c in failed] == ["H1"]
    # saving again replaces the cells and checks
    archive.save_report(sha, "parse-1", report_dict(cells=report_dict()["cells"][:1], checks=[]))
    assert archive.query("SELECT count(*) AS n FROM report_cells")[0]["n"] == 1
    assert archive.query("SELECT checks_failed FROM reports")[0]["checks_failed"] == 0


def test_new_parser_version_supersedes_in_views(archive: Archive, sha: str):
    old = archive.save_report(sha, "parse-1", report_dict())
    new = archive.save_report(sha, "parse-2", report_dict(report_year=2022))
    assert old != new
    assert [r["report_id"] for r in archive.query("SELECT report_id FROM reports")] == [new]
    assert {r["report_id"] for r in archive.query("SELECT report_id FROM report_cells")} == {new}
    assert archive.report_ids_for_sha256(sha) == [new]
    assert archive.report_ids_for_sha256(sha, current_only=False) == [old, new]
    assert archive.query("SELECT count(*) AS n FROM report_cell")[0]["n"] == 4  # the old parse's cells are gone
    assert archive.query("SELECT count(*) AS n FROM report_checks")[0]["n"] == 3
    assert archive.get_report(old)["cells"] == [] and archive.get_report(old)["report_year"] == 2023


def test_cross_posted_report_has_several_sources_and_canonical_link(archive: Archive, sha: str):
    rid = archive.save_report(sha, "parse-1", report_dict())
    # the same file later appears on the city portal: a second source of the same report
    archive.record_capture(run_id=None, url="http://city.test/copy.pdf", status=200, body=PDF)
    srcs = archive.get_report(rid)["sources"]
    assert [s["url"] for s in srcs] == ["http://a.test/r.pdf", "http://city.test/copy.pdf"]
    assert archive.query("SELECT source_count FROM reports")[0]["source_count"] == 2
    # a re-typeset copy (different bytes) is another report, linked as a duplicate
    other = archive.record_capture(run_id=None, url="http://city.test/retyped.html", status=200,
                                   body=b"<html>same report</html>" * 30).sha256
    dup = archive.save_report(other, "parse-1", report_dict())
    archive.set_canonical(dup, rid)
    rows = {r["report_id"]: r for r in archive.query("SELECT * FROM reports")}
    assert rows[dup]["canonical_report_id"] == rid and not rows[dup]["is_canonical"]
    assert rows[rid]["canonical_report_id"] == rid and rows[rid]["is_canonical"]
    archive.set_canonical(dup, None)
    assert archive.query(f"SELECT canonical_report_id FROM reports WHERE report_id = {dup}")[0]["canonical_report_id"] == dup
    with pytest.raises(KeyError):
        archive.set_canonical(999999, None)


def test_iter_versions_lists_bodies_to_process(archive: Archive, sha: str):
    archive.record_capture(run_id=None, url="http://a.test/list.html", status=200, body=b"<html>list</html>" * 30)
    rows = list(archive.iter_versions())
    assert {r["url"] for r in rows} == {"http://a.test/r.pdf", "http://a.test/list.html"}
    assert [r["url"] for r in archive.iter_versions(only_reports=True)] == ["http://a.test/r.pdf"]
    archive.save_extraction(sha, "x-1", {"format": "pdf", "text": ""})
    assert [r["url"] for r in archive.iter_versions(without_extraction="x-1")] == ["http://a.test/list.html"]
