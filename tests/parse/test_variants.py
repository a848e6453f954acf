"""Variants derived from the seeds: label spellings, digit runs, grids, 2019 layout, legacy,
and deliberately broken arithmetic (found at the right check and scope, print unchanged)."""
from __future__ import annotations

import pytest
import parse_variants as V
from parse_compare import cell_diffs, hard_failures

from pipelines.parse import cross_year_checks, parse_report
from pipelines.parse.digits import readings

SEEDS = range(5)
RUN_WORDS = ["本年新收", "予以公开", "属于国家秘密", "本机关不掌握", "总计", "结转下年度", "规章"]


def _ok(rep, exp):
    assert cell_diffs(rep, exp) == []
    assert hard_failures(rep) == set()
    assert rep.agency == exp["agency"] and rep.report_year == exp["report_year"]


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
@pytest.mark.parametrize("kind", ["full_width", "half_width", "spaces", "typo"])
def test_label_spellings(seeds, i, kind):
    s = seeds[i]
    fn = {"full_width": V.full_width, "half_width": V.half_width_brackets,
          "spaces": V.spaces_in_labels, "typo": V.typo}[kind]
    text = fn(s["text"])
    assert text != s["text"]
    rep = parse_report(text)
    _ok(rep, s)
    assert not any(c.inferred for c in rep.cells)


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
def test_digit_runs_are_split_by_the_checks_and_marked_inferred(seeds, i):
    s = seeds[i]
    text, hit = V.digit_runs(s["text"], RUN_WORDS)
    assert len(hit) == len(RUN_WORDS)
    rep = parse_report(text)
    _ok(rep, s)
    inferred = {(c.section, c.row_key) for c in rep.cells if c.inferred}
    assert inferred == {("2", "rules"), ("3", "new_received"), ("3", "granted"), ("3", "denied_state_secret"),
                        ("3", "unavailable_not_held"), ("3", "total_handled"), ("3", "carried_forward")}
    # the printed text of an inferred cell is its own segment
    c = rep.cell("3", "new_received", "total")
    assert c.printed == str(s["section3"]["new_received"][6])


@pytest.mark.realdocs
def test_ambiguous_run_in_section_2_is_left_unread(seeds):
    """2 24 18 printed 22418: six cuts into three counts, no check of the form tells them
    apart — the row is left unread with a warning naming it, never guessed (it used to be
    chosen by a sparsity prior)."""
    text, _ = V.digit_runs(seeds[4]["text"], ["行政规范性文件"])
    assert "行政规范性文件22418" in text
    rep = parse_report(text)
    assert [rep.cell("2", "normative_docs", k) for k in ("issued", "repealed", "in_force")] == [None] * 3
    (w,) = [w for w in rep.warnings if "normative_docs" in w]
    assert "22418" in w and "6 readings" in w and "not read" in w
    # the rest of the report is read as printed, no check touches the open cells
    exp = dict(seeds[4], open_cells=[("2", "normative_docs", k) for k in ("issued", "repealed", "in_force")])
    _ok(rep, exp)


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
def test_section4_as_run_of_15(seeds, i):
    """Section 四 as one run: H4 cuts it; seed 001's 复议后起诉 11 0 0 2 13 and 1 10 0 2 13
    both add up, so those two cells stay unread (warning naming the row), the rest is read."""
    exp = V.s4_run_expected(seeds[i])
    rep = parse_report(V.s4_run(seeds[i]["text"]))
    _ok(rep, exp)
    assert all(c.inferred for c in rep.cells if c.section == "4")
    if i == 1:
        assert exp["open_cells"] == [("4", "litigation_after_review", "corrected"),
                                     ("4", "litigation_after_review", "upheld")]
        assert any("section 4" in w and "litigation_after_review/upheld" in w for w in rep.warnings)
    else:
        assert exp["open_cells"] == []


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
@pytest.mark.parametrize("shape", ["grid_only", "one_s2_table", "grid_and_text"])
def test_grids_with_merged_cells(seeds, i, shape):
    s = seeds[i]
    if shape == "grid_and_text":
        rep = parse_report(s["text"], V.grids_from_figures(s))
    else:
        text = V.strip_tables(s["text"])
        assert "予以公开" not in text
        rep = parse_report(text, V.grids_from_figures(s, one_s2_table=shape == "one_s2_table"))
    _ok(rep, s)


@pytest.mark.realdocs
def test_grid_blank_cells_are_null(seeds):
    s = seeds[4]
    blank = {("3", "denied_state_secret", "research_institution"), ("2", "licensing", "decisions")}
    rep = parse_report(V.strip_tables(s["text"]), V.grids_from_figures(s, blank=blank))
    for key in blank:
        c = rep.cell(*key)
        assert c is not None and c.value is None and c.printed == ""
    # the NULL cell is not read as 0: the row check touching it is not evaluated
    assert not [c for c in rep.checks if c.scope == "row:denied_state_secret"]
    assert rep.value("3", "denied_state_secret", "total") == 0


@pytest.mark.realdocs
def test_null_markers_in_text(seeds):
    text = seeds[3]["text"].replace("行政许可\t0", "行政许可\t/").replace("行政处罚\t0", "行政处罚\t—") \
        .replace("行政强制\t0", "行政强制\t无")
    rep = parse_report(text)
    for row, printed in (("licensing", "/"), ("penalty", "—"), ("coercion", "无")):
        c = rep.cell("2", row, "decisions")
        assert c.value is None and c.printed == printed


@pytest.mark.realdocs
def test_2019_trial_layout(seeds):
    text, exp = V.text_2019(seeds[4])
    rep = parse_report(text)
    assert rep.template == "2019"
    _ok(rep, exp)
    assert rep.value("2", "licensing", "change") == -3
    assert rep.value("2", "other_services", "change") == 2
    assert str(rep.value("2", "procurement", "amount_10k_yuan")) == "1234.56"
    assert rep.cell("3", "other_no_correction", "total") is None
    assert rep.cell("3", "other_processing", "total") is not None
    ids = [c.check_id for c in rep.checks]
    assert ids.count("H3") == 23 and ids.count("H2") == 7


@pytest.mark.realdocs
def test_layout_from_labels_not_year(seeds):
    """A 2021-layout report for 2020 stays '2021'; a 2019-layout one dated 2022 stays '2019'."""
    t21 = seeds[4]["text"].replace("2024 年政府信息公开", "2020 年政府信息公开")
    r = parse_report(t21)
    assert r.report_year == 2020 and r.template == "2021"
    t19, _ = V.text_2019(seeds[4], year=2022)
    r = parse_report(t19)
    assert r.report_year == 2022 and r.template == "2019"


def test_legacy_report():
    rep = parse_report(V.legacy_text())
    assert (rep.template, rep.report_year, rep.agency) == ("legacy", 2015, "洛宁县人民政府办公室")
    assert rep.cells == [] and rep.checks == []
    # stray figures in a provincial layout are not forced into the 2021 keys
    text = V.legacy_text().replace("（一）公开情况", "（一）公开情况\n行政许可 5\n行政处罚 2")
    rep = parse_report(text)
    assert rep.template == "legacy" and rep.cells == []


BREAK_KINDS = list(V.BREAKS) + ["review_total"]


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
@pytest.mark.parametrize("kind", BREAK_KINDS)
def test_broken_arithmetic_found_where_it_is(seeds, i, kind):
    text, exp = V.broken(seeds[i], kind)
    rep = parse_report(text)
    want = {(c["check_id"], c["scope"]) for c in exp["failed_checks"]}
    assert want, "the break must make some check fail"
    assert hard_failures(rep) == want
    assert cell_diffs(rep, exp) == []          # the printed (wrong) number is kept as printed
    for c in rep.failed_hard_checks:
        assert c.expected != c.actual and c.cells


@pytest.mark.realdocs
def test_broken_arithmetic_details(seeds):
    text, _ = V.broken(seeds[4], "review_total")
    rep = parse_report(text)
    (h4,) = rep.failed_hard_checks
    assert (h4.check_id, h4.scope, h4.expected, h4.actual) == ("H4", "row:review", 4, 5)
    assert h4.cells == ["4/review/upheld", "4/review/corrected", "4/review/other", "4/review/pending",
                        "4/review/total"]
    assert rep.value("4", "review", "total") == 5


def test_readings_unit():
    C, A, S = "count", "amount", "signed"

    def parts(atoms, kinds, **kw):
        got, complete = readings(atoms, kinds, **kw)
        assert complete
        return {r.parts for r in got}

    assert parts(["650000065"], [C] * 7, block=7) == {("65", "0", "0", "0", "0", "0", "65")}
    assert parts(["000"], [C] * 3) == {("0", "0", "0")}
    assert parts(["7138"], [C] * 3) == {("7", "1", "38"), ("7", "13", "8"), ("71", "3", "8")}
    assert all(not (len(p) > 1 and p.startswith("0")) for s in parts(["10203"], [C] * 3) for p in s)
    # a printed separator may be noise: a reading may join atoms, and counts it
    (r,), _ = readings(["1", "2"], [C])
    assert (r.parts, r.joins) == (("12",), 1)
    assert {(r.parts, r.joins) for r in readings(["7", "138"], [C] * 3)[0]} == {
        (("7", "1", "38"), 0), (("7", "13", "8"), 0), (("71", "3", "8"), 1)}
    # a decimal point only in the amount column, a sign only in the change column
    assert parts(["141234.56"], [C, A]) == {("14", "1234.56"), ("1", "41234.56"), ("141", "234.56"),
                                             ("1412", "34.56"), ("14123", "4.56")}
    assert parts(["1.5"], [C]) == set()
    assert parts(["120", "-34567"], [C, S, C]) == {("120", "-3", "4567"), ("120", "-34", "567"),
                                                   ("120", "-345", "67"), ("120", "-3456", "7")}
    # a NULL marker is a cell of its own
    assert parts(["0", "/", "12"], [C] * 4) == {("0", "/", "1", "2")}
    # readings whose block does not add up only when allowed, each counted
    bad = readings(["430000042"], [C] * 7, block=7)[0]
    assert bad == []
    bad = readings(["430000042"], [C] * 7, block=7, max_local=1)[0]
    assert ("43", "0", "0", "0", "0", "0", "42") in {r.parts for r in bad} and all(r.local == 1 for r in bad)
    # bounded work: the caller learns that the list was cut short
    got, complete = readings(["1" * 30], [C] * 15, limit=100)
    assert len(got) == 100 and not complete


@pytest.mark.realdocs
def test_cross_year_checks(seeds):
    cur = parse_report(seeds[4]["text"]).to_dict()
    prev = parse_report(seeds[4]["text"].replace("2024 年政府", "2023 年政府")).to_dict()
    assert prev["report_year"] == 2023
    checks = cross_year_checks(cur, prev)
    x1 = {c["scope"]: c for c in checks if c["check_id"] == "X1"}
    x2 = {c["scope"]: c for c in checks if c["check_id"] == "X2"}
    assert len(x1) == 7 and set(x2) == {"row:rules", "row:normative_docs"}
    # carried_over_prev 3 (2024) vs carried_forward 32 (the "2023" copy): fails, located
    assert x1["column:total"]["passed"] is False
    assert (x1["column:total"]["expected"], x1["column:total"]["actual"]) == (32, 3)
    assert x1["column:commercial_enterprise"]["passed"] is True
    # 18 = 18 + 2 - 24 ? no -> expected -4
    assert x2["row:normative_docs"] == {"check_id": "X2", "scope": "row:normative_docs", "passed": False,
                                        "expected": -4, "actual": 18,
                                        "cells": ["2/normative_docs/in_force", "2/normative_docs/issued",
                                                  "2/normative_docs/repealed"]}
    assert x2["row:rules"]["passed"] is True
    assert cross_year_checks(cur, cur) == []       # not consecutive years


@pytest.mark.realdocs
def test_unknown_typo_read_by_similarity(seeds):
    """A misspelling not in the catalogue is matched to the row expected there, with a warning."""
    text = seeds[3]["text"].replace("4.保护第三方合法权益", "4.保护地三方合法权意")
    rep = parse_report(text)
    assert cell_diffs(rep, seeds[3]) == []
    assert any("denied_third_party_rights" in w and "similarity" in w for w in rep.warnings)


@pytest.mark.realdocs
def test_page_numbers_and_thousands_separators(seeds):
    s = seeds[4]
    text = s["text"].replace("五、存在的主要问题", "- 3 -\n五、存在的主要问题")
    text = text.replace("\t1.·属于国家秘密", "\t第 2 页\n\t1.·属于国家秘密") if "\t1.·属于国家秘密" in text else text
    text = text.replace("行政规范性文件\t2\t24\t18", "行政规范性文件\t2\t24\t1,018")
    rep = parse_report(text)
    assert rep.value("2", "normative_docs", "in_force") == 1018
    assert rep.cell("2", "normative_docs", "in_force").printed == "1,018"
    assert rep.value("4", "review", "total") == 4
    assert hard_failures(rep) == set()


@pytest.mark.realdocs
def test_labels_after_numbers_in_pdf_text(seeds):
    """PDF text where the numbers sit on the first line of a wrapped label."""
    s = seeds[1]
    text = s["text"].replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形）·8·1·0·0·0·1·10".replace("·", " "),
                             "（二）部分公开（区分处理的，只计这一情 8 1 0 0 0 1 10\n形，不计其他情形）")
    assert "只计这一情 8 1" in text
    rep = parse_report(text)
    assert cell_diffs(rep, s) == []


@pytest.mark.realdocs
@pytest.mark.parametrize("i", SEEDS)
def test_table_of_contents_is_not_taken_for_sections(seeds, i):
    s = seeds[i]
    lines = s["text"].split("\n")
    toc = ["目录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
           "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    at = next(k for k, ln in enumerate(lines) if "度报告" in ln) + 1
    rep = parse_report("\n".join(lines[:at] + toc + lines[at:]))
    _ok(rep, s)
    assert not any("outside its section" in w for w in rep.warnings)


@pytest.mark.realdocs
def test_digit_runs_inside_grid_cells(seeds):
    s = seeds[4]
    grids = V.grids_from_figures(s)
    s3 = grids[-2]
    for r in s3:
        if r[0].startswith("一、本年新收"):
            r[3:] = ["".join(r[3:])] + [""] * 6          # 137 0 0 0 0 3 140 -> one cell
    rep = parse_report(V.strip_tables(s["text"]), grids)
    _ok(rep, s)
    assert all(rep.cell("3", "new_received", c).inferred for c in V.S3_COLS)
