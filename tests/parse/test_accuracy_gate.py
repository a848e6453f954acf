"""Accuracy gate over the fixture corpus: exact cells % and checks found %, each above a floor.

Tiers (each its own floor, measured when the gate was set):
- seeds: the five seed texts (floor 100%: every cell, identity, no false hard failure);
- variants: label spellings, digit runs, section 四 runs, grids, 2019 layout, legacy (100%);
- broken: one printed number changed per variant; every expected failure found at its check
  and scope, no other hard failure (100%);
- sampleweb: the sample network's generated reports and the seeds rendered in every fixture
  format, through pipelines.extract (100% on the fast formats; PDF/DOC/WPS in a slow test;
  scanned PDFs need OCR at 40–200 s each and are left to the extraction tests).

"checks found %" = expected hard failures found at the right check and scope / expected; a
hard failure the truth does not list counts against the tier as a false alarm (must be 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import parse_variants as V
from parse_compare import cell_diffs, hard_failures

from pipelines.parse import parse_report

FLOORS = {"seeds": (100.0, 100.0), "variants": (100.0, 100.0), "broken": (100.0, 100.0),
          "sampleweb": (100.0, 100.0), "sampleweb_slow": (100.0, 100.0)}
FAST_FORMATS = {"html", "html_gbk", "html_nocharset", "xls", "xlsx", "docx", "text"}
SLOW_FORMATS = {"pdf", "doc", "wps"}


@dataclass
class Score:
    cells: int = 0
    cells_ok: int = 0
    checks: int = 0
    checks_found: int = 0
    false_alarms: list = field(default_factory=list)
    identity_errors: list = field(default_factory=list)
    misses: list = field(default_factory=list)

    def add(self, name: str, rep, exp: dict) -> None:
        want = V.expected_cells(exp) if exp.get("section3") or exp.get("section2") else {}
        diffs = cell_diffs(rep, exp) if want else []
        self.cells += len(want)
        self.cells_ok += len(want) - len(diffs)
        if diffs:
            self.misses.append((name, diffs[:3]))
        expected = {(c["check_id"], c["scope"]) for c in exp.get("failed_checks") or []}
        got = hard_failures(rep)
        self.checks += len(expected)
        self.checks_found += len(expected & got)
        if got - expected:
            self.false_alarms.append((name, sorted(got - expected)))
        ident = (rep.report_year, rep.template)
        if ident != (exp["report_year"], exp["template"]):
            self.identity_errors.append((name, ident, (exp["report_year"], exp["template"])))
        if "agency" in exp and rep.agency != exp["agency"] and rep.agency_source == "title":
            self.identity_errors.append((name, rep.agency, exp["agency"]))

    @property
    def cells_pct(self) -> float:
        return 100.0 * self.cells_ok / self.cells if self.cells else 100.0

    @property
    def checks_pct(self) -> float:
        return 100.0 * self.checks_found / self.checks if self.checks else 100.0

    def assert_floor(self, tier: str) -> None:
        cf, kf = FLOORS[tier]
        print(f"\n[{tier}] cells {self.cells_ok}/{self.cells} = {self.cells_pct:.2f}% (floor {cf}%), "
              f"checks found {self.checks_found}/{self.checks} = {self.checks_pct:.2f}% (floor {kf}%), "
              f"false alarms {len(self.false_alarms)}, identity errors {len(self.identity_errors)}")
        assert self.cells_pct >= cf, self.misses[:5]
        assert self.checks_pct >= kf
        assert not self.false_alarms, self.false_alarms[:5]
        assert not self.identity_errors, self.identity_errors[:5]


@pytest.mark.realdocs
def test_gate_seeds(seeds):
    sc = Score()
    for s in seeds:
        sc.add(s["file"], parse_report(s["text"]), s)
    assert sc.cells == 5 * 200
    sc.assert_floor("seeds")


def _variants(seeds):
    words = ["本年新收", "予以公开", "属于国家秘密", "本机关不掌握", "总计", "结转下年度", "规章"]
    for s in seeds:
        t, n = s["text"], s["file"][:3]
        yield f"{n}-full", V.full_width(t), None, s
        yield f"{n}-half", V.half_width_brackets(t), None, s
        yield f"{n}-spaces", V.spaces_in_labels(t), None, s
        yield f"{n}-typo", V.typo(t), None, s
        yield f"{n}-runs", V.digit_runs(t, words)[0], None, s
        yield f"{n}-s4run", V.s4_run(t), None, V.s4_run_expected(s)
        yield f"{n}-grid", V.strip_tables(t), V.grids_from_figures(s), s
        yield f"{n}-grid1", V.strip_tables(t), V.grids_from_figures(s, one_s2_table=True), s
        yield f"{n}-grid+text", t, V.grids_from_figures(s), s
    t19, e19 = V.text_2019(seeds[4])
    yield "2019", t19, None, e19
    yield "legacy", V.legacy_text(), None, {"report_year": 2015, "template": "legacy",
                                              "agency": "洛宁县人民政府办公室", "failed_checks": []}


@pytest.mark.realdocs
def test_gate_variants(seeds):
    sc = Score()
    n = 0
    for name, text, tables, exp in _variants(seeds):
        sc.add(name, parse_report(text, tables), exp)
        n += 1
    assert n == 47
    sc.assert_floor("variants")


@pytest.mark.realdocs
def test_gate_broken_arithmetic(seeds):
    sc = Score()
    for s in seeds:
        for kind in list(V.BREAKS) + ["review_total"]:
            text, exp = V.broken(s, kind)
            sc.add(f"{s['file'][:3]}-{kind}", parse_report(text), exp)
            # and the same break seen through a grid
            sc.add(f"{s['file'][:3]}-{kind}-grid", parse_report(V.strip_tables(text), V.grids_from_figures(exp)), exp)
    assert sc.checks >= 50
    sc.assert_floor("broken")


# ---------------------------------------------------------------- the sample network

def _sampleweb_items(formats: set[str]):
    from crawler.sampleweb import SITE_DIR, load_truth, rendered_seeds
    truth = load_truth()
    items = []
    for r in truth.get("reports", []):
        if r["format"] in formats:
            items.append((r["id"], r["format"], Path(SITE_DIR) / r["file"], r))
    for r in rendered_seeds():
        if r["format"] in formats:
            items.append((f"{r['seed']}-{r['format']}", r["format"], Path(r["path"]), r["truth"]))
    assert items, f"the sample network has no documents in {sorted(formats)}"
    return items


def _gate_sampleweb(formats: set[str], tier: str) -> None:
    from pipelines.extract import extract_bytes
    sc = Score()
    for name, fmt, path, truth in _sampleweb_items(formats):
        x = extract_bytes(path.read_bytes(), filename=path.name)
        assert x.error is None, (name, x.error)
        hints = {"title": x.metadata.get("title")} if x.metadata.get("title") else {}
        rep = parse_report(x.text, x.tables, hints)   # Table objects, as the process pipeline passes them
        sc.add(name, rep, truth)
    sc.assert_floor(tier)


def test_gate_sampleweb_fast_formats():
    _gate_sampleweb(FAST_FORMATS, "sampleweb")


@pytest.mark.slow
def test_gate_sampleweb_pdf_doc_wps():
    _gate_sampleweb(SLOW_FORMATS, "sampleweb_slow")
