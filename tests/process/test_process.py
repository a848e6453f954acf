"""process_blob / process_archive on real archives filled through record_capture."""
from __future__ import annotations

import html
from decimal import Decimal

import pytest

from pipelines.process import BLOB_CORRUPT, EXTRACTION_ERROR, NOT_REPORT, REPORT, process_archive, process_blob


def as_html(text: str, title: str | None = None, pubdate: str | None = None, charset: str = "utf-8") -> bytes:
    """A TRS-style article page holding the text, one <p> per line."""
    paras = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    head = f'<meta charset="{charset}"><title>{html.escape(title or "")}</title>'
    if pubdate:
        head += f'<meta name="PubDate" content="{pubdate}">'
    doc = f"<!DOCTYPE html><html><head>{head}</head><body><div class=\"TRS_Editor\">{paras}</div></body></html>"
    return doc.encode(charset)


PORTALS = {
    "luoning": {"name": "luoning", "agency": "洛宁县人民政府办公室", "region_code": "410328"},
    "city": {"name": "city", "agency": "洛阳市人民政府办公室", "region_code": "410300"},
    "yiyang": {"name": "yiyang", "agency": "宜阳县人民政府办公室", "region_code": "410327"},
}
LISTING = as_html("\n".join([
    "政府信息公开工作年度报告",
    "洛宁县人民政府办公室2023年政府信息公开工作年度报告 2024-01-31",
    "洛宁县人民政府办公室2022年政府信息公开工作年度报告 2023-03-28",
    "洛宁县教育局2023年政府信息公开工作年度报告 2024-01-29",
]), title="年度报告_洛宁县人民政府")
NOTICE = as_html("关于报送2023年政府信息公开工作年度报告的通知\n各乡镇人民政府，县直各单位：\n"
                 "请于2024年1月20日前报送本单位2023年政府信息公开工作年度报告，主动公开、依申请公开情况按模板填写。" * 3,
                 title="关于报送2023年政府信息公开工作年度报告的通知")


def _seeds(seeds_dir):
    files = sorted(seeds_dir.glob("*.txt"))
    return {f.name[:3]: f.read_text(encoding="utf-8") for f in files}


def _fill(filler, seeds_dir):
    s = _seeds(seeds_dir)
    urls = {}
    for i, (k, text) in enumerate(sorted(s.items())):
        portal = "yiyang" if k == "002" else "city" if k in ("001", "003") else "luoning"
        urls[k] = f"http://{portal}.example/ndbg/{k}.txt"
        filler.capture(urls[k], text.encode("utf-8"), portal=portal, minutes=10 + i)
    # seed 000 also as a GBK page on the city portal, captured later: a cross-post
    filler.capture("http://city.example/ndbg/000.html",
                   as_html(s["000"], title="洛宁县人民政府办公室2023年政府信息公开工作年度报告", charset="gbk"),
                   content_type="text/html; charset=gbk", portal="city", minutes=90)
    filler.capture("http://luoning.example/ndbg/list.html", LISTING, content_type="text/html; charset=utf-8",
                   portal="luoning", minutes=1)
    filler.capture("http://luoning.example/tzgg/notice.html", NOTICE, content_type="text/html; charset=utf-8",
                   portal="luoning", minutes=2)
    filler.capture("http://city.example/ndbg/broken.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>\nendobj\n",
                   content_type="application/pdf", portal="city", minutes=3)
    filler.capture("http://city.example/ndbg/empty.doc", b"", content_type="application/msword", portal="city", minutes=4)
    return urls


def _counts(archive) -> dict[str, int]:
    out = {}
    for v in ("reports", "report_cells", "report_checks", "report_source", "extraction", "report"):
        out[v] = archive.query(f"SELECT count(*) AS n FROM {v}")[0]["n"]
    return out


@pytest.mark.realdocs
def test_process_archive_end_to_end(archive, filler, seeds_dir, seed_labels):
    urls = _fill(filler, seeds_dir)
    st = process_archive(archive, all=True, portals=PORTALS)
    assert (st.blobs, st.reports, st.not_reports) == (10, 6, 2)
    assert sum(st.errors.values()) == 2 and all(k.startswith("extraction: ") for k in st.errors)
    reasons = {e["url"].rsplit("/", 1)[1]: e["reason"] for e in st.error_blobs}
    assert "truncated" in reasons["broken.pdf"] and "0 bytes" in reasons["empty.doc"]
    # the extraction errors are recorded in the archive with their reason
    errs = archive.query("SELECT error FROM extraction WHERE error IS NOT NULL ORDER BY error")
    assert len(errs) == 2
    # the run is recorded with its counts
    run = archive.get_run(st.run_id)
    assert run["kind"] == "process" and run["status"] == "finished" and run["stats"]["reports"] == 6

    expected = {r["file"][:3]: r for r in seed_labels["reports"]}
    rows = archive.query("SELECT r.*, s.url AS first_url FROM reports r JOIN report_source s ON s.report_id = r.report_id")
    by_url = {r["first_url"]: r for r in rows}
    for k, url in urls.items():
        r = by_url[url]
        assert r["report_year"] == expected[k]["report_year"], k
        if expected[k]["agency"]:
            assert (r["agency"], r["agency_source"]) == (expected[k]["agency"], "title"), k
        else:  # 002 prints no agency: the portal's configuration supplies it
            assert (r["agency"], r["agency_source"], r["region_code"]) == ("宜阳县人民政府办公室", "config", "410327")
        assert r["template"] == expected[k]["template"]
        assert r["text_hash"] and len(r["text_hash"]) == 64
    assert {by_url[urls[k]]["region_code"] for k in ("000", "001", "003", "004")} == {"410328", "410300", "410311"}

    # figures landed: seed 001, section 三 column totals as in expected.json
    rid = by_url[urls["001"]]["report_id"]
    cells = archive.query("SELECT row_key, column_key, value FROM report_cells WHERE report_id = :r AND section = '3' "
                          "AND column_key = 'total'", {"r": rid})
    got = {c["row_key"]: c["value"] for c in cells}
    for row, values in expected["001"]["section3"].items():
        assert got[row] == values[-1], row

    # the GBK page of seed 000 on the city portal is the same report: one canonical, two sources
    orig = by_url[urls["000"]]
    copy = by_url["http://city.example/ndbg/000.html"]
    assert copy["canonical_report_id"] == orig["report_id"] and orig["is_canonical"]
    assert st.duplicates_linked == 1
    srcs = archive.query("SELECT DISTINCT s.url FROM report_source s JOIN reports r ON r.report_id = s.report_id "
                         "WHERE r.canonical_report_id = :c", {"c": orig["report_id"]})
    assert len(srcs) == 2
    # nothing but reports got report rows (listing page and notice did not)
    assert not any("list.html" in u or "notice" in u for u in by_url)


@pytest.mark.realdocs
def test_process_is_idempotent(archive, filler, seeds_dir):
    _fill(filler, seeds_dir)
    first = process_archive(archive, all=True, portals=PORTALS)
    c1 = _counts(archive)
    links1 = archive.query("SELECT report_id, canonical_report_id, checks_failed, checks_total FROM reports ORDER BY report_id")
    second = process_archive(archive, all=True, portals=PORTALS)
    assert _counts(archive) == c1
    assert archive.query("SELECT report_id, canonical_report_id, checks_failed, checks_total FROM reports "
                         "ORDER BY report_id") == links1
    assert second.extractions_reused == second.blobs == first.blobs
    assert (second.reports, second.duplicates_linked) == (first.reports, first.duplicates_linked)
    # default mode: nothing pending any more
    third = process_archive(archive, portals=PORTALS)
    assert third.blobs == 0 and _counts(archive) == c1


@pytest.mark.realdocs
def test_bad_blob_is_recorded_and_the_run_carries_on(archive, filler, seeds_dir):
    s = _seeds(seeds_dir)
    bad = filler.capture("http://a.example/bad.txt", s["003"].encode("utf-8"), minutes=1)
    filler.capture("http://a.example/good.txt", s["004"].encode("utf-8"), minutes=2)
    path, _ = archive.blobs.locate(bad.sha256)
    path.write_bytes(b"not what was stored")
    res = process_blob(archive, bad.sha256)
    assert res.status == BLOB_CORRUPT and res.reason
    st = process_archive(archive, portals=PORTALS)
    assert st.errors == {BLOB_CORRUPT: 1} and st.reports == 1
    assert st.error_blobs[0]["url"] == "http://a.example/bad.txt"


@pytest.mark.realdocs
def test_cross_year_checks_whatever_the_order(archive, filler, seeds_dir):
    text = _seeds(seeds_dir)["000"]
    nxt = text.replace("2023", "2024")  # same office, next year (same figures: X1 compares across years)
    r24 = filler.capture("http://a.example/2024.txt", nxt.encode("utf-8"), minutes=1)
    r23 = filler.capture("http://a.example/2023.txt", text.encode("utf-8"), minutes=2)
    a = process_blob(archive, r24.sha256)   # no 2023 report yet: no X1
    assert a.status == REPORT and a.report_year == 2024
    assert not archive.query("SELECT 1 FROM report_checks WHERE report_id = :r AND check_id = 'X1'", {"r": a.report_id})
    b = process_blob(archive, r23.sha256)   # now 2023 arrives: 2024's X1/X2 are computed
    x = archive.query("SELECT check_id, scope, passed, expected, actual FROM report_checks "
                      "WHERE report_id = :r AND check_id IN ('X1', 'X2') ORDER BY check_id, scope", {"r": a.report_id})
    assert len([c for c in x if c["check_id"] == "X1"]) == 7
    prev = {c["column_key"]: c["value"] for c in archive.query(
        "SELECT column_key, value FROM report_cells WHERE report_id = :r AND row_key = 'carried_forward'", {"r": b.report_id})}
    for c in x:
        if c["check_id"] == "X1":
            col = c["scope"].split(":")[1]
            assert c["expected"] == prev[col]
    assert not archive.query("SELECT 1 FROM report_checks WHERE report_id = :r AND check_id = 'X1'", {"r": b.report_id})
    # the next-year report is not a duplicate
    assert {r["canonical_report_id"] for r in archive.query("SELECT canonical_report_id FROM reports")} == \
        {a.report_id, b.report_id}


@pytest.mark.realdocs
def test_stored_extraction_is_reused(archive, filler, seeds_dir):
    r = filler.capture("http://a.example/1.txt", _seeds(seeds_dir)["001"].encode("utf-8"))
    first = process_blob(archive, r.sha256)
    again = process_blob(archive, r.sha256)
    assert not first.extraction_reused and again.extraction_reused
    assert first.report_id == again.report_id and first.extraction_id == again.extraction_id


@pytest.mark.realdocs
def test_page_metadata_and_htmldate(archive, filler, seeds_dir):
    text = _seeds(seeds_dir)["002"]
    page = as_html(text, title="宜阳县人民政府办公室2023年政府信息公开工作年度报告", pubdate="2024-03-15 10:30")
    r = filler.capture("http://y.example/7001.shtml", page, content_type="text/html; charset=utf-8", portal="yiyang")
    res = process_blob(archive, r.sha256, url="http://y.example/7001.shtml", portal=PORTALS["yiyang"],
                       page_meta={"title": "宜阳县人民政府办公室2023年政府信息公开工作年度报告"})
    assert (res.agency, res.agency_source, res.region_code) == ("宜阳县人民政府办公室", "page", "410327")
    row = archive.get_report(res.report_id)
    assert str(row["published_at"]) == "2024-03-15"
    assert row["report_year"] == 2023


@pytest.mark.parametrize("body,ctype", [
    (b"\x00\x01binary\xff" * 100, "text/plain"),
    (b"PK\x03\x04" + b"\x00" * 200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_hostile_bodies_end_as_extraction_errors(archive, filler, body, ctype):
    r = filler.capture("http://h.example/x", body, content_type=ctype)
    res = process_blob(archive, r.sha256, content_type=ctype)
    assert res.status == EXTRACTION_ERROR and res.reason
    assert archive.get_extraction(r.sha256)["error"] == res.reason


def test_not_reports_get_no_row(archive, filler):
    for i, body in enumerate((LISTING, NOTICE)):
        r = filler.capture(f"http://l.example/{i}.html", body, content_type="text/html; charset=utf-8")
        assert process_blob(archive, r.sha256).status == NOT_REPORT
    assert archive.query("SELECT count(*) AS n FROM report")[0]["n"] == 0


@pytest.mark.realdocs
def test_decimal_values_survive(archive, filler, seeds_dir):
    r = filler.capture("http://a.example/4.txt", _seeds(seeds_dir)["004"].encode("utf-8"))
    res = process_blob(archive, r.sha256)
    vals = archive.query("SELECT value FROM report_cells WHERE report_id = :r AND column_key = 'amount_10k_yuan'",
                         {"r": res.report_id})
    assert vals and all(v["value"] is None or isinstance(v["value"], (int, Decimal)) for v in vals)


@pytest.mark.realdocs
def test_default_mode_reparses_reports_of_an_older_parser(archive, filler, seeds_dir):
    r = filler.capture("http://a.example/1.txt", _seeds(seeds_dir)["003"].encode("utf-8"))
    filler.capture("http://a.example/list.html", LISTING, content_type="text/html; charset=utf-8")
    process_archive(archive, portals=PORTALS)
    assert process_archive(archive, portals=PORTALS).blobs == 0          # nothing pending
    # a report row by an older parser only (as after a parser upgrade)
    import sqlalchemy as sa

    with archive.engine.begin() as conn:
        conn.execute(sa.text("UPDATE report SET parser_version = 'parse-0.9' WHERE sha256 = :s"), {"s": r.sha256})
    st = process_archive(archive, portals=PORTALS)
    assert (st.blobs, st.reports, st.extractions_reused) == (1, 1, 1)
    assert {x["parser_version"] for x in archive.query("SELECT parser_version FROM reports")} != {"parse-0.9"}
