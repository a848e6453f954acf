"""history and diff over archives filled through the real Archive API (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from crawler.cli import main
from pipelines.diff import cell_diff, diff_versions
from storage import Archive
from storage.history import VersionNotFound, document_history, previous_version, resolve_version

sys.path.insert(0, str(Path(__file__).parent))
from helpers import BASE, OTHER, REPORT_V1, REPORT_V2, fill_two_runs  # noqa: E402


def _report(total: int, applied: int) -> dict:
    return {"agency": "某某县人民政府", "report_year": 2024, "template": "2021", "title": "某某县2024年年报",
            "cells": [{"section": "2", "row_key": "规章", "column_key": "本年制发件数", "value": 3, "printed": "3"},
                      {"section": "3", "row_key": "一、本年新收政府信息公开申请数量", "column_key": "总计",
                       "value": applied, "printed": str(applied)},
                      {"section": "4", "row_key": "行政复议", "column_key": "总计", "value": total, "printed": str(total)}],
            "checks": []}


@pytest.fixture
def setup(db_url, tmp_path):
    a = Archive(db_url, tmp_path / "blobs")
    info = fill_two_runs(a)
    c = info["captures"]
    info["rep1"] = a.save_report(c["r1_1"].sha256, "p1", _report(5, 30))
    rep2 = _report(5, 31)
    rep2["cells"] = rep2["cells"][1:] + [{"section": "5", "row_key": "x", "column_key": "y", "value": None,
                                         "printed": "—"}]
    info["rep2"] = a.save_report(c["r1_2"].sha256, "p1", rep2)
    # run 2 never saw r2.html again in a third run: mark it gone, never deleted
    r3 = a.start_run(["demo"])
    a.record_capture(run_id=r3, url=BASE + "r1.html", status=200, body=REPORT_V2, portal="demo")
    gone = a.mark_gone(r3, "demo", [BASE, BASE + "r1.html"])
    a.finish_run(r3, "finished")
    info["r3"], info["gone"] = r3, gone
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"archive": {"database": db_url, "blobs": str(tmp_path / "blobs")}}))
    info["cfg"] = str(cfg)
    yield a, info
    a.close()


def test_history_lists_versions_captures_and_gone(setup):
    a, info = setup
    h = document_history(a, BASE + "r1.html")
    assert [v["version_number"] for v in h["versions"]] == [1, 2]
    assert [v["sha256"] for v in h["versions"]] == [info["captures"]["r1_1"].sha256, info["captures"]["r1_2"].sha256]
    assert [v["size"] for v in h["versions"]] == [len(REPORT_V1), len(REPORT_V2)]
    assert h["versions"][0]["report_ids"] == [info["rep1"]] and h["versions"][1]["report_ids"] == [info["rep2"]]
    assert [c["kind"] for c in h["captures"]] == ["new_version", "new_version", "identical_revisit"]
    g = document_history(a, BASE + "gone.pdf")
    assert g["captures"][0]["kind"] == "error" and g["captures"][0]["status"] == 404

    res = CliRunner().invoke(main, ["--config", info["cfg"], "history", BASE + "r1.html"])
    assert res.exit_code == 0, res.output
    assert info["captures"]["r1_2"].sha256 in res.output and "identical_revisit" in res.output
    assert f"{len(REPORT_V2)} B" in res.output and "2026-04-15 03:00:01" in res.output

    res = CliRunner().invoke(main, ["--config", info["cfg"], "history", BASE + "r2.html"])
    assert res.exit_code == 0 and f"GONE at run {info['r3']}" in res.output, res.output

    res = CliRunner().invoke(main, ["--config", info["cfg"], "history", str(info["rep2"]), "--json"])
    data = json.loads(res.output)
    assert data["report"]["id"] == info["rep2"] and data["documents"][0]["document"]["url"] == BASE + "r1.html"

    res = CliRunner().invoke(main, ["--config", info["cfg"], "history", "http://nowhere/"])
    assert res.exit_code != 0 and "no document" in res.output


def test_version_refs(setup):
    a, info = setup
    v2 = resolve_version(a, BASE + "r1.html")
    assert v2.version_number == 2 and v2.sha256 == info["captures"]["r1_2"].sha256
    v1 = resolve_version(a, BASE + "r1.html@1")
    assert previous_version(a, v2) == v1 and previous_version(a, v1) is None
    assert resolve_version(a, BASE + "r1.html@-1") == v2
    assert resolve_version(a, f"v:{v1.version_id}") == v1
    assert resolve_version(a, f"report:{info['rep1']}") == v1
    assert resolve_version(a, v1.sha256[:10]) == v1
    for bad in (BASE + "r1.html@3", "v:9999", "report:9999", "deadbeefdeadbeef", "http://nowhere/"):
        with pytest.raises(VersionNotFound):
            resolve_version(a, bad)


def test_diff_text_and_figures(setup):
    a, info = setup
    v1, v2 = resolve_version(a, BASE + "r1.html@1"), resolve_version(a, BASE + "r1.html")
    d = diff_versions(a, v1, v2)
    assert not d["identical"]
    assert any(line.startswith("-") and "1200" in line for line in d["text_diff"])
    assert any(line.startswith("+") and "1250" in line for line in d["text_diff"])
    changes = {(c["section"], c["change"]): c for c in d["cell_diff"]}
    assert set(changes) == {("2", "removed"), ("3", "changed"), ("5", "added")}
    assert (changes[("3", "changed")]["old"], changes[("3", "changed")]["new"]) == (30, 31)

    res = CliRunner().invoke(main, ["--config", info["cfg"], "diff", BASE + "r1.html"])
    assert res.exit_code == 0, res.output
    assert "1250" in res.output and "figures: 3 differ" in res.output
    assert "changed  3/一、本年新收政府信息公开申请数量/总计: 30 → 31" in res.output
    res = CliRunner().invoke(main, ["--config", info["cfg"], "diff", f"report:{info['rep1']}",
                                    f"report:{info['rep2']}", "--json"])
    assert json.loads(res.output)["reports"] == [info["rep1"], info["rep2"]]
    res = CliRunner().invoke(main, ["--config", info["cfg"], "diff", BASE])
    assert res.exit_code != 0 and "only one version" in res.output
    res = CliRunner().invoke(main, ["--config", info["cfg"], "diff", BASE + "r2.html@1", BASE + "r2.html@-1"])
    assert res.exit_code == 0 and "identical bodies" in res.output


def test_cell_diff_null_and_printed():
    a = [{"section": "3", "row_key": "r", "column_key": "c", "value": None, "printed": "—"},
         {"section": "3", "row_key": "s", "column_key": "c", "value": 5, "printed": "5"}]
    b = [{"section": "3", "row_key": "r", "column_key": "c", "value": None, "printed": "/"},
         {"section": "3", "row_key": "s", "column_key": "c", "value": 5, "printed": "5.0"}]
    d = cell_diff(a, b)
    assert [(c["row_key"], c["change"]) for c in d] == [("r", "changed")]


def test_moved_report_is_linked_to_its_old_url(db_url, tmp_path):
    """Same body at a new URL, old URL no longer found: the old document is gone and moved_to the new."""
    a = Archive(db_url, tmp_path / "blobs")
    r1 = a.start_run(["demo"])
    old = a.record_capture(run_id=r1, url=BASE + "2024/report.html", status=200, body=REPORT_V1, portal="demo",
                           is_report=True)
    a.finish_run(r1)
    r2 = a.start_run(["demo"])
    new = a.record_capture(run_id=r2, url=BASE + "new/report.html", status=200, body=REPORT_V1, portal="demo",
                           is_report=True)
    assert new.kind == "new_version" and not new.new_blob and new.also_at == (BASE + "2024/report.html",)
    assert a.mark_gone(r2, "demo", [BASE + "new/report.html"]) == [old.document_id]
    a.finish_run(r2)
    h = document_history(a, BASE + "2024/report.html")
    assert h["document"]["moved_to_url"] == BASE + "new/report.html"
    assert document_history(a, BASE + "new/report.html")["moved_from"] == [BASE + "2024/report.html"]
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"archive": {"database": db_url, "blobs": str(tmp_path / "blobs")}}))
    res = CliRunner().invoke(main, ["--config", str(cfg), "history", BASE + "2024/report.html"])
    assert f"moved to {BASE}new/report.html" in res.output and f"GONE at run {r2}" in res.output
    a.close()
