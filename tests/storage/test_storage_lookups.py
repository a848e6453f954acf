"""The lookups processing and dedup make through the Archive (storage/report_lookups.py and
Archive.version_ids_since), on both backends."""
from __future__ import annotations

import datetime as dt

from storage import Archive

UTC = dt.timezone.utc
AGENCY = "某某县人民政府办公室"


def _body(archive: Archive, url: str, body: bytes, at: dt.datetime) -> str:
    return archive.record_capture(run_id=None, url=url, status=200, body=body, fetched_at=at).sha256


def _report(year: int, agency: str | None = AGENCY, text_hash: str | None = None, value: int = 1) -> dict:
    return {"agency": agency, "report_year": year, "text_hash": text_hash, "region_code": "410328",
            "cells": [{"section": "3", "row_key": "new_received", "column_key": "total", "value": value,
                       "printed": str(value)}], "checks": []}


def _fill(archive: Archive) -> dict[str, int | str]:
    t = dt.datetime(2024, 2, 1, tzinfo=UTC)
    s = {k: _body(archive, f"http://a.test/{k}", k.encode() * 300, t + dt.timedelta(days=i))
         for i, k in enumerate(("a23", "b23", "c24", "d24"))}
    ids: dict[str, int | str] = {k: archive.save_report(sha, "p2", _report(int("20" + k[1:]), text_hash=f"h{k[1:]}"))
                                 for k, sha in s.items()}
    archive.set_canonical(ids["a23"], ids["b23"])  # a23 is a copy of b23 (canonical, though captured later)
    ids.update({f"sha_{k}": v for k, v in s.items()})
    return ids


def test_cross_year_lookups(archive: Archive):
    ids = _fill(archive)
    # canonical first, then the earliest captured; never the excluded body
    assert archive.earliest_report_of(AGENCY, 2023, exclude_sha=str(ids["sha_c24"])) == ids["b23"]
    assert archive.earliest_report_of(AGENCY, 2023, exclude_sha=str(ids["sha_b23"])) == ids["a23"]
    assert archive.earliest_report_of(AGENCY, 2022, exclude_sha="0" * 64) is None
    assert archive.earliest_report_of("其他机关", 2023, exclude_sha="0" * 64) is None
    assert archive.reports_of(AGENCY, 2024) == sorted([ids["c24"], ids["d24"]])
    assert archive.canonical_report_id(ids["a23"]) == ids["b23"]
    assert archive.canonical_report_id(ids["b23"]) is None


def test_stale_parses_and_versions_since(archive: Archive):
    ids = _fill(archive)
    assert archive.shas_without_parse("p2") == set()
    archive.save_report(str(ids["sha_a23"]), "p3", _report(2023))
    assert archive.shas_without_parse("p3") == {ids["sha_b23"], ids["sha_c24"], ids["sha_d24"]}
    assert archive.shas_without_parse("p1") == {ids[f"sha_{k}"] for k in ("a23", "b23", "c24", "d24")}

    versions = {v["sha256"]: v["version_id"] for v in archive.iter_versions()}
    later = {versions[ids["sha_c24"]], versions[ids["sha_d24"]]}  # captured 3 and 4 February
    assert archive.version_ids_since(dt.date(2024, 2, 3)) == later
    assert archive.version_ids_since("2024-02-03") == later
    assert archive.version_ids_since(dt.datetime(2024, 2, 3, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))) == later
    assert archive.version_ids_since(dt.datetime(2024, 2, 3, 0, 0, 1)) == {versions[ids["sha_d24"]]}  # naive: UTC
    assert archive.version_ids_since("2999-01-01") == set()


def test_dedup_lookups(archive: Archive):
    ids = _fill(archive)
    a, b = str(ids["sha_a23"]), str(ids["sha_b23"])
    archive.save_extraction(a, "x1", {"text": "old text", "error": None})
    archive.save_extraction(a, "x2", {"text": "new text", "error": None})
    archive.save_extraction(b, "x1", {"text": None, "error": "pdf: encrypted"})
    assert archive.extraction_texts([a, b, a]) == {a: ("x2", "new text")}

    every = archive.report_identities(any_year=True)
    assert {r["id"] for r in every} == {ids[k] for k in ("a23", "b23", "c24", "d24")}
    row = next(r for r in every if r["id"] == ids["a23"])
    assert (row["sha256"], row["agency"], row["report_year"], row["text_hash"], row["canonical_report_id"]) == \
        (a, AGENCY, 2023, "h23", ids["b23"])
    assert row["captured_at"] == dt.datetime(2024, 2, 1, tzinfo=UTC)
    assert {r["id"] for r in archive.report_identities(report_year=2024)} == {ids["c24"], ids["d24"]}
    assert {r["id"] for r in archive.report_identities(report_ids=[ids["c24"]])} == {ids["c24"]}
    assert archive.report_identities(report_year=2024, agency="其他机关") == []
    none_sha = _body(archive, "http://a.test/n", b"n" * 300, dt.datetime(2024, 3, 1, tzinfo=UTC))
    nid = archive.save_report(none_sha, "p2", _report(2024, agency=None))
    assert [r["id"] for r in archive.report_identities(report_year=2024, agency=None, region_code="410328")] == [nid]
    assert archive.report_identities(report_year=2024, agency=None) == []

    assert archive.report_figures([ids["c24"], ids["c24"]]) == {ids["c24"]: [("3", "new_received", "total", 1)]}
    assert archive.report_ids_with_text_hash("h24") == sorted([ids["c24"], ids["d24"]])
    assert sorted(archive.duplicate_group_members([ids["b23"]])) == sorted([ids["a23"], ids["b23"]])
    # a superseded parse is no longer a member of anything
    archive.save_report(a, "p3", _report(2023))
    assert archive.report_ids_with_text_hash("h23") == [ids["b23"]]


def test_current_body_is_what_a_304_confirms(archive: Archive):
    url = "http://a.test/r.pdf"
    assert archive.current_body(url) is None
    v1 = archive.record_capture(run_id=None, url=url, status=200, body=b"v1" * 300,
                                headers={"Content-Type": "application/pdf"})
    assert archive.current_body(url) == (v1.sha256, "application/pdf")
    v2 = archive.record_capture(run_id=None, url=url, status=200, body=b"v2" * 300, headers={"Content-Type": "x/y"})
    archive.record_capture(run_id=None, url=url, status=404)  # an error leaves the current version
    assert archive.current_body(url) == (v2.sha256, "x/y")
    archive.record_capture(run_id=None, url="http://a.test/gone", status=404)
    assert archive.current_body("http://a.test/gone") is None
