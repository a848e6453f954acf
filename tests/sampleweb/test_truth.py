"""truth.json is consistent: figures satisfy H1–H4 except where a failure is recorded, files
match their recorded hashes, and the network holds every case the acceptance criteria name."""
from __future__ import annotations

import hashlib
from collections import defaultdict

import pytest

from crawler.sampleweb import SITE_DIR, load_truth, rendered_seeds

NON_RESULT = {"new_received", "carried_over_prev", "total_handled", "carried_forward"}
COLS = ["natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
        "legal_service_org", "other_org", "total"]


def independent_checks(s3: dict, s4: dict) -> set[tuple[str, str]]:
    """H1–H4 written again from the spec, independently of crawler.sampleweb.layout."""
    failed = set()
    if not s3:
        return failed
    for i, c in enumerate(COLS):
        if s3["new_received"][i] + s3["carried_over_prev"][i] != s3["total_handled"][i] + s3["carried_forward"][i]:
            failed.add(("H1", f"column:{c}"))
        if sum(v[i] for k, v in s3.items() if k not in NON_RESULT) != s3["total_handled"][i]:
            failed.add(("H2", f"column:{c}"))
    for k, v in s3.items():
        if sum(v[:6]) != v[6]:
            failed.add(("H3", f"row:{k}"))
    for k, v in s4.items():
        if sum(v[:4]) != v[4]:
            failed.add(("H4", f"row:{k}"))
    return failed


@pytest.fixture(scope="module")
def truth() -> dict:
    return load_truth()


def test_recorded_failures_match_independent_checks(truth):
    broken = 0
    for cid, c in truth["contents"].items():
        got = independent_checks(c["section3"], c["section4"])
        rec = {(f["check_id"], f["scope"]) for f in c["failed_checks"]}
        assert got == rec, cid
        if c["broken"]:
            broken += 1
            assert rec, f"{cid} is meant to be broken but passes every check"
        else:
            assert not rec, f"{cid} fails {rec} but is not marked broken"
    assert broken >= 3
    kinds = {f["check_id"] for c in truth["contents"].values() for f in c["failed_checks"]}
    assert kinds == {"H1", "H2", "H3", "H4"}


def test_other_rows_exclusive_and_shapes(truth):
    for cid, c in truth["contents"].items():
        s3 = c["section3"]
        if c["template"] == "legacy":
            assert not s3 and not c["section2"]
            continue
        assert ("other_processing" in s3) != ("other_no_correction" in s3), cid
        assert ("other_processing" in s3) == (c["template"] == "2019"), cid
        assert all(len(v) == 7 for v in s3.values())
        assert set(c["section4"]) == {"review", "litigation_direct", "litigation_after_review"}
        assert all(len(v) == 5 for v in c["section4"].values())


def test_seed_contents_equal_expected_json(truth, seed_labels):
    for rep in seed_labels["reports"]:
        c = truth["contents"]["seed" + rep["file"][:3]]
        for k in ("agency", "report_year", "template", "section2", "section3", "section4", "failed_checks"):
            assert c[k] == rep[k], (rep["file"], k)
        assert all(c["narrative"][k] for k in ("1", "5", "6"))


def test_files_match_recorded_hashes(truth):
    for d in truth["reports"] + truth["rendered"]:
        data = (SITE_DIR / d["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == d["sha256"], d["file"]
        assert len(data) == d["size"]


def test_network_covers_every_case(truth):
    docs = truth["reports"]
    fmts = {d["format"] for d in docs}
    assert {"html", "pdf", "pdf_scan", "docx", "doc", "wps", "xls"} <= fmts
    assert len(truth["sites"]) >= 4
    assert {s["cms"] for s in truth["sites"]} >= {"trs", "hanweb", "jsonapi", "generic"}
    assert any(s["declared_charset"] == "gb2312" and s["charset"] == "gbk" for s in truth["sites"])
    assert any(s["declared_charset"] is None for s in truth["sites"])
    groups = defaultdict(list)
    for d in docs:
        groups[d["group"]].append(d)
    # cross-post: HTML on a county portal, PDF on the city portal
    cross = [g for g in groups.values() if len({d["site"] for d in g}) > 1]
    assert any({d["format"] for d in g} == {"html", "pdf"} for g in cross)
    # one report as an HTML page with the same report attached as PDF
    assert any(d["attached_to"] and any(o["path"] == d["attached_to"] for o in groups[d["group"]]) for d in docs)
    # a same office's next-year report stays a separate group
    fgw = [d for d in docs if d["agency"] == "洛阳市发展和改革委员会"]
    assert len({d["group"] for d in fgw}) == 2 and len({d["report_year"] for d in fgw}) == 2
    assert {d["template"] for d in docs} == {"2021", "2019", "legacy"}
    assert {v["kind"] for d in docs for v in d["via"]} == {"301", "302", "meta-refresh"}
    reasons = " ".join(f["reason"] for f in truth["expected_failures"])
    assert {404, 412} <= {f["status"] for f in truth["expected_failures"]}
    assert "oversize" in reasons and "robots" in reasons
    titles = " ".join(t["title"] for t in truth["traps"])
    for w in ("关于报送2023年政府信息公开工作年度报告的通知", "政府信息公开指南", "2024年政务公开工作要点"):
        assert w in titles
    assert any("calendar" in t["path"] for t in truth["traps"])


def test_rendered_seeds_cover_every_format():
    rs = rendered_seeds()
    seeds = {r["seed"] for r in rs}
    assert len(seeds) == 5
    by = defaultdict(set)
    for r in rs:
        by[r["seed"]].add(r["format"])
        assert r["path"].exists()
        assert r["truth"]["section3"] and r["truth"]["narrative"]["1"]
    for s, f in by.items():
        assert f == {"html", "html_gbk", "html_nocharset", "pdf", "pdf_scan", "docx", "doc", "wps", "xls"}, s
