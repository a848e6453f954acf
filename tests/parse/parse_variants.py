"""Report variants derived programmatically from the seeds (and their hand-labelled figures).

Each variant is (name, text, tables, expected) where expected has the seed's figure shape
(section2/section3/section4, agency, report_year, template) plus `failed_checks`
[{check_id, scope}] and the `inferred` rows. Nothing here reads the parser's catalogue: labels
are the printed ones from the seeds or spelled out below, so the tests are not circular.
"""
from __future__ import annotations

import copy
import re
import unicodedata
from pathlib import Path
from typing import Any

S3_COLS = ["natural_person", "commercial_enterprise", "research_institution",
           "public_interest_org", "legal_service_org", "other_org", "total"]
S4_COLS = ["upheld", "corrected", "other", "pending", "total"]
S4_ROWS = ["review", "litigation_direct", "litigation_after_review"]

_VALUES_AT_END = re.compile(r"^(?P<label>.*?[^\s\d.+-])(?P<vals>(?:[ \t]+(?:\d+(?:\.\d+)?|/|-))+)[ \t]*$")


def load_seeds(seeds_dir: Path, labels: dict) -> list[dict]:
    """Each labelled seed with its text from ``seeds_dir``; ``labels`` is expected.json's content."""
    out = []
    for r in labels["reports"]:
        r = copy.deepcopy(r)
        r["text"] = (seeds_dir / r["file"]).read_text(encoding="utf-8")
        r["inferred_rows"] = []
        out.append(r)
    return out


def expected_cells(exp: dict) -> dict[tuple[str, str, str], Any]:
    cells: dict[tuple[str, str, str], Any] = {}
    for row, d in (exp.get("section2") or {}).items():
        for c, v in d.items():
            cells[("2", row, c)] = v
    for row, vs in (exp.get("section3") or {}).items():
        for c, v in zip(S3_COLS, vs):
            cells[("3", row, c)] = v
    for row, vs in (exp.get("section4") or {}).items():
        for c, v in zip(S4_COLS, vs):
            cells[("4", row, c)] = v
    return cells


# ---------------------------------------------------------------- text transformations

_FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789()"}
_HALF = {ord("（"): "(", ord("）"): ")"}


def full_width(text: str) -> str:
    """Every ASCII digit and bracket to its full-width form (values included)."""
    return text.translate(_FULL)


def half_width_brackets(text: str) -> str:
    return text.translate(_HALF)


def spaces_in_labels(text: str, every: int = 3) -> str:
    """A stray space after every `every`-th CJK character of a run (table rows only)."""
    def fix(line: str) -> str:
        return re.sub(r"[\u4e00-\u9fff]{%d}(?=[\u4e00-\u9fff])" % every, lambda m: m.group(0) + " ", line)
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if "主动公开政府信息情况" in ln)
    end = next(i for i, ln in enumerate(lines) if "存在的主要问题" in ln)
    return "\n".join(lines[:start + 1] + [fix(ln) for ln in lines[start + 1:end]] + lines[end:])


def typo(text: str) -> str:
    assert "其他法律行政法规禁止公开" in text
    return text.replace("其他法律行政法规禁止公开", "其他法律行政止公开")


def digit_runs(text: str, label_words: list[str]) -> tuple[str, list[str]]:
    """Remove the separators between the numbers of the rows whose label contains one of
    `label_words` (行政规范性文件 7 1 38 -> 行政规范性文件7138). Returns (text, words hit)."""
    hit = []
    out = []
    for line in text.split("\n"):
        m = _VALUES_AT_END.match(line)
        if m:
            label = m.group("label")
            w = next((w for w in label_words if w in re.sub(r"\s", "", label)), None)
            if w:
                line = label.rstrip() + "".join(m.group("vals").split())
                hit.append(w)
        out.append(line)
    return "\n".join(out), hit


def s4_run(text: str) -> str:
    """Section 四's 15 numbers printed as one run of digits."""
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        f = ln.split()
        if len(f) == 15 and all(x.isdigit() for x in f):
            lines[i] = "".join(f)
            return "\n".join(lines)
    raise AssertionError("no 15-number line")


def open_cells(run: str, cells: list[tuple[str, str, str]], width: int) -> set[tuple[str, str, str]]:
    """The cells a run of digits leaves open under its own arithmetic: every cut of `run` into
    len(cells) numbers without leading zeros where each row of `width` ends in its total;
    the cells on which such cuts differ. Brute force over cut positions, independent of the
    parser (meant for runs of up to ~20 digits)."""
    import itertools

    n = len(cells)
    fits = []
    for cuts in itertools.combinations(range(1, len(run)), n - 1):
        parts = [run[a:b] for a, b in zip((0,) + cuts, cuts + (len(run),))]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        nums = [int(p) for p in parts]
        if all(sum(nums[i:i + width - 1]) == nums[i + width - 1] for i in range(0, n, width)):
            fits.append(nums)
    assert fits, run
    return {c for i, c in enumerate(cells) if len({f[i] for f in fits}) > 1}


def s4_run_expected(seed: dict) -> dict:
    """The seed's figures for its s4_run variant: the cells the 15-digit run leaves open (no
    narrative figure or other check touches section 四's inner cells) are expected unread."""
    e = copy.deepcopy(seed)
    run = "".join(str(v) for r in S4_ROWS for v in seed["section4"][r])
    e["open_cells"] = sorted(open_cells(run, [("4", r, c) for r in S4_ROWS for c in S4_COLS], 5))
    return e


def change_number(text: str, label: str, index: int, delta: int) -> str:
    """Add `delta` to the index-th number printed after `label` (same line)."""
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if label in ln:
            m = _VALUES_AT_END.match(ln)
            assert m, ln
            vals = m.group("vals")
            nums = list(re.finditer(r"\d+", vals))
            n = nums[index]
            new = str(int(n.group()) + delta)
            vals = vals[:n.start()] + new + vals[n.end():]
            lines[i] = m.group("label") + vals
            return "\n".join(lines)
    raise AssertionError(label)


def change_s4(text: str, index: int, delta: int) -> str:
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        f = ln.split()
        if len(f) == 15 and all(x.isdigit() for x in f):
            f[index] = str(int(f[index]) + delta)
            sep = "\t" if "\t" in ln else " "
            lines[i] = sep.join(f)
            return "\n".join(lines)
    raise AssertionError("no 15-number line")


def strip_tables(text: str) -> str:
    """The text without sections 二–四's tables (headings kept): as if only grids carry them."""
    lines = text.split("\n")
    out, skip = [], False
    for ln in lines:
        key = re.sub(r"\s", "", ln)
        if re.match(r"^二、主动公开政府信息情况", key):
            out.append(ln)
            skip = True
            continue
        if re.match(r"^五、存在的主要问题", key):
            skip = False
        if not skip:
            out.append(ln)
    return "\n".join(out)


# ---------------------------------------------------------------- grids as extractors give them

S2_BLOCKS = [
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("rules", "规章"), ("normative_docs", "行政规范性文件")], ["issued", "repealed", "in_force"]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"], [("penalty", "行政处罚"), ("coercion", "行政强制")],
     ["decisions"]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("fees", "行政事业性收费")],
     ["amount_10k_yuan"]),
]
S3_LAYOUT = [  # (group, subgroup, label, row_key); merged cells repeat their text
    ("一、本年新收政府信息公开申请数量", None, None, "new_received"),
    ("二、上年结转政府信息公开申请数量", None, None, "carried_over_prev"),
    ("三、本年度办理结果", "（一）予以公开", None, "granted"),
    ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partially_granted"),
    ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "denied_state_secret"),
    ("三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "denied_prohibited_by_law"),
    ("三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”", "denied_three_safeties_one_stability"),
    ("三、本年度办理结果", "（三）不予公开", "4.保护第三方合法权益", "denied_third_party_rights"),
    ("三、本年度办理结果", "（三）不予公开", "5.属于三类内部事务信息", "denied_internal_affairs"),
    ("三、本年度办理结果", "（三）不予公开", "6.属于四类过程性信息", "denied_process_info"),
    ("三、本年度办理结果", "（三）不予公开", "7.属于行政执法案卷", "denied_enforcement_files"),
    ("三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项", "denied_administrative_query"),
    ("三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息", "unavailable_not_held"),
    ("三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作", "unavailable_needs_creation"),
    ("三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确", "unavailable_unclear_after_correction"),
    ("三、本年度办理结果", "（五）不予处理", "1.信访举报投诉类申请", "not_processed_petition"),
    ("三、本年度办理结果", "（五）不予处理", "2.重复申请", "not_processed_duplicate"),
    ("三、本年度办理结果", "（五）不予处理", "3.要求提供公开出版物", "not_processed_publication"),
    ("三、本年度办理结果", "（五）不予处理", "4.无正当理由大量反复申请", "not_processed_excessive"),
    ("三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
    ("三、本年度办理结果", "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ("三、本年度办理结果", "（六）其他处理",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_no_fee"),
    ("三、本年度办理结果", "（六）其他处理", "3.其他", "other_other"),
    ("三、本年度办理结果", "（七）总计", None, "total_handled"),
    ("四、结转下年度继续办理", None, None, "carried_forward"),
]


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    return str(v)


def grids_from_figures(exp: dict, *, blank: set[tuple[str, str, str]] = frozenset(),
                       one_s2_table: bool = False) -> list[list[list[str]]]:
    """Grids as the HTML/DOCX extractors produce them: merged label cells repeated across the
    columns (and rows) they span, header rows of several levels, blank cells ''."""
    def val(sec, row, col):
        return "" if (sec, row, col) in blank else _fmt(expected_cells(exp).get((sec, row, col)))

    s2_tables: list[list[list[str]]] = []
    for head, hdr, rows, cols in S2_BLOCKS:
        width = 4
        t = [[head] * width, (hdr + [hdr[-1]] * (width - len(hdr)))]
        for key, label in rows:
            vs = [val("2", key, c) for c in cols]
            t.append([label] + vs + [vs[-1]] * (width - 1 - len(vs)))   # merged value cell repeated
        s2_tables.append(t)
    if one_s2_table:
        s2_tables = [[r for t in s2_tables for r in t]]
    s3 = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3 + ["申请人情况"] * 7,
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
        + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ]
    for group, sub, label, key in S3_LAYOUT:
        if key not in exp["section3"]:
            continue
        if sub is None:
            lab = [group] * 3
        elif label is None:
            lab = [group, sub, sub]
        else:
            lab = [group, sub, label]
        s3.append(lab + [val("3", key, c) for c in S3_COLS])
    s4 = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
        [val("4", r, c) for r in S4_ROWS for c in S4_COLS],
    ]
    # PDF-style: the first header cells of 四 repeated down the merged rows
    s4[2][:5] = s4[1][:5]
    return s2_tables + [s3, s4]


# ---------------------------------------------------------------- 2019 trial layout, legacy

def text_2019(exp: dict, agency: str = "洛龙区人民政府办公室", year: int = 2020) -> tuple[str, dict]:
    """A 2019-trial-layout report built from a seed's section 三/四 figures (the three other_*
    rows printed as one 其他处理 row) and a made-up section 二; returns (text, expected)."""
    e = copy.deepcopy(exp)
    s3 = e["section3"]
    other = [sum(x) for x in zip(s3.pop("other_no_correction"), s3.pop("other_no_fee"), s3.pop("other_other"))]
    rows = {}
    for k, v in s3.items():
        rows[k] = v
        if k == "not_processed_confirmation":
            rows["other_processing"] = other
    e["section3"] = rows
    e["section2"] = {
        "rules": {"new_made": 1, "new_published": 1, "total_public": 12},
        "normative_docs": {"new_made": 5, "new_published": 5, "total_public": 87},
        "licensing": {"prev_items": 120, "change": -3, "decisions": 4567},
        "other_services": {"prev_items": 40, "change": 2, "decisions": 310},
        "penalty": {"prev_items": 77, "change": 0, "decisions": 89},
        "coercion": {"prev_items": 12, "change": 1, "decisions": 3},
        "fees": {"prev_items": 6, "change": -1},
        "procurement": {"items": 14, "amount_10k_yuan": 1234.56},
    }
    e.update(agency=agency, report_year=year, template="2019", failed_checks=[], inferred_rows=[])
    s2 = e["section2"]

    def sg(v):
        return f"+{v}" if v > 0 else str(v)
    lines = [f"{agency}{year}年政府信息公开工作年度报告", "", "一、总体情况", "",
             f"{year}年，本机关共收到政府信息公开申请{sum([e['section3']['new_received'][6]])}件。", "",
             "二、主动公开政府信息情况", "",
             "第二十条第（一）项", "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
             "规章\t{new_made}\t{new_published}\t{total_public}".format(**s2["rules"]),
             "规范性文件\t{new_made}\t{new_published}\t{total_public}".format(**s2["normative_docs"]),
             "第二十条第（五）项", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量"]
    for key, label in (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")):
        d = s2[key]
        lines.append(f"{label}\t{d['prev_items']}\t{sg(d['change'])}\t{d['decisions']}")
    lines += ["第二十条第（六）项", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量"]
    for key, label in (("penalty", "行政处罚"), ("coercion", "行政强制")):
        d = s2[key]
        lines.append(f"{label}\t{d['prev_items']}\t{sg(d['change'])}\t{d['decisions']}")
    lines += ["第二十条第（八）项", "信息内容\t上一年项目数量\t本年增/减",
              f"行政事业性收费\t{s2['fees']['prev_items']}\t{sg(s2['fees']['change'])}",
              "第二十条第（九）项", "信息内容\t采购项目数量\t采购总金额",
              f"政府集中采购\t{s2['procurement']['items']}\t{s2['procurement']['amount_10k_yuan']}", "",
              "三、收到和处理政府信息公开申请情况", "",
              "申请人情况\t自然人\t法人或其他组织\t\t\t\t\t总计",
              "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"]
    labels = {key: (label or sub or group) for group, sub, label, key in S3_LAYOUT}
    labels["other_processing"] = "（六）其他处理"
    for k, v in e["section3"].items():
        lines.append(labels[k] + "\t" + "\t".join(map(str, v)))
    lines += ["", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "",
              "行政复议\t行政诉讼", "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉",
              " ".join(str(x) for r in S4_ROWS for x in e["section4"][r]), "",
              "五、存在的主要问题及改进情况", "", "工作仍有不足。", "", "六、其他需要报告的事项", "", "无。"]
    return "\n".join(lines), e


def legacy_text(agency: str = "洛宁县人民政府办公室", year: int = 2015) -> str:
    return "\n".join([
        f"{agency}{year}年政府信息公开工作年度报告", "",
        f"本报告根据《中华人民共和国政府信息公开条例》要求，由{agency}编制。全文包括概述，主动公开政府信息情况，"
        "依申请公开政府信息情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼情况，"
        f"存在的主要问题及改进措施等。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。", "",
        "一、概述", "", f"{year}年，主动公开政府信息1234条，受理政府信息公开申请12件，均已按时答复。", "",
        "二、主动公开政府信息情况", "", "（一）公开情况", "全年主动公开政府信息 1234 条，其中规章 0 件，规范性文件 3 件。", "",
        "三、依申请公开政府信息情况", "", "全年受理申请 12 件，已答复 12 件。", "",
        "四、政府信息公开的收费及减免情况", "", "无。", "",
        "五、因政府信息公开申请行政复议、提起行政诉讼情况", "", "本年度未发生行政复议 0 件、行政诉讼 0 件。", "",
        "六、存在的主要问题及改进措施", "", "公开内容不够全面。",
    ])


# ---------------------------------------------------------------- deliberately broken arithmetic

def failed_hard(exp: dict) -> list[tuple[str, str]]:
    """H1–H4 failures of a figure set, computed here independently of the parser."""
    s3, s4 = exp["section3"], exp["section4"]
    undivided = "other_processing" in s3
    results = [r for r in s3 if r not in ("new_received", "carried_over_prev", "total_handled", "carried_forward")]
    out = []
    for i, col in enumerate(S3_COLS):
        if s3["new_received"][i] + s3["carried_over_prev"][i] != s3["total_handled"][i] + s3["carried_forward"][i]:
            out.append(("H1", f"column:{col}"))
    for i, col in enumerate(S3_COLS):
        if sum(s3[r][i] for r in results) != s3["total_handled"][i]:
            out.append(("H2", f"column:{col}"))
    for r, v in s3.items():
        if sum(v[:6]) != v[6]:
            out.append(("H3", f"row:{r}"))
    for r in S4_ROWS:
        if sum(s4[r][:4]) != s4[r][4]:
            out.append(("H4", f"row:{r}"))
    assert undivided or "other_other" in s3
    return out


BREAKS = {
    # name: (label on the printed line, index of the number, delta, section-3 row, column)
    "granted_natural": ("予以公开", 0, 1, "granted", 0),
    "new_received_natural": ("本年新收", 0, 2, "new_received", 0),
    "forward_total": ("结转下年度继续办理", 6, 1, "carried_forward", 6),
    "secret_total": ("属于国家秘密", 6, 3, "denied_state_secret", 6),
}


def broken(seed: dict, kind: str) -> tuple[str, dict]:
    """A seed with one printed number changed; expected figures follow the print."""
    e = copy.deepcopy(seed)
    if kind == "review_total":
        text = change_s4(seed["text"], 4, 1)
        e["section4"]["review"][4] += 1
    else:
        label, idx, delta, row, col = BREAKS[kind]
        text = change_number(seed["text"], label, idx, delta)
        e["section3"][row][col] += delta
    e["failed_checks"] = [{"check_id": c, "scope": s} for c, s in failed_hard(e)]
    return text, e


# ---------------------------------------------------------------- 2021 layout, 2019 (六) row

def text_mixed(seed: dict) -> tuple[str, dict]:
    """A 2021-layout report that still prints the 2019 single （六）其他处理 row: the seed's
    three other_* rows replaced by one row of their sums; section 二 stays 2021."""
    e = copy.deepcopy(seed)
    s3 = e["section3"]
    keys = ["other_no_correction", "other_no_fee", "other_other"]
    other = [sum(x) for x in zip(*(s3[k] for k in keys))]
    lines = seed["text"].split("\n")
    # the three rows' lines: from the first label to the line before （七）总计
    start = next(i for i, ln in enumerate(lines) if "其他处理" in re.sub(r"\s", "", ln)
                 or re.sub(r"\s", "", ln).startswith(("（六）其", "(六)其")))
    end = next(i for i, ln in enumerate(lines) if "总计" in ln and i > start and re.search(r"\d", ln))
    # keep a leading tab of a tab-separated row layout
    sep = "\t" if "\t" in lines[end] else " "
    lines[start:end] = [f"（六）其他处理{sep}" + sep.join(map(str, other))]
    rows = {}
    for k, v in s3.items():
        if k in keys:
            if k == keys[0]:
                rows["other_processing"] = other
            continue
        rows[k] = v
    e["section3"] = rows
    e["failed_checks"] = []
    return "\n".join(lines), e


def set_numbers(text: str, label: str, values: list) -> str:
    """The numbers printed after `label` (same line) replaced by `values`, separators kept."""
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        m = _VALUES_AT_END.match(ln)
        if m and label in unicodedata.normalize("NFKC", re.sub(r"\s", "", m.group("label"))):
            seps = re.findall(r"[ \t]+", m.group("vals"))
            assert len(seps) == len(values), (ln, values)
            lines[i] = m.group("label") + "".join(s + str(v) for s, v in zip(seps, values)) + ln[m.end("vals"):]
            return "\n".join(lines)
    raise AssertionError(label)


def with_section3(seed: dict, rows: dict[str, list[int]]) -> tuple[str, dict]:
    """The seed with some section-三 rows printed with other figures (the caller keeps the
    table's arithmetic right); expected figures follow."""
    labels = {key: (label or sub or group) for group, sub, label, key in S3_LAYOUT}
    text = seed["text"]
    e = copy.deepcopy(seed)
    for row, vals in rows.items():
        text = set_numbers(text, unicodedata.normalize("NFKC", re.sub(r"\s", "", labels[row]))[:8], vals)
        e["section3"][row] = list(vals)
    return text, e


def dense_section3(seed: dict, rng, scale: int) -> tuple[str, dict]:
    """The seed with a section 三 of made-up, consistent figures up to `scale` (a city's
    volumes: 4–5 digit totals), H1–H3 holding; the seed's other sections as printed."""
    results = [r for r in seed["section3"] if r not in ("new_received", "carried_over_prev", "total_handled",
                                                        "carried_forward")]
    while True:
        rows = {}
        for r in results:
            v = [rng.randrange(scale) if rng.random() < 0.5 else 0] + [
                rng.randrange(max(1, scale // 20)) if rng.random() < 0.2 else 0 for _ in range(5)]
            rows[r] = v + [sum(v)]
        th = [sum(rows[r][c] for r in results) for c in range(7)]
        cf = [rng.randrange(x // 5 + 1) for x in th[:6]]
        co = [rng.randrange(x // 5 + 1) for x in th[:6]]
        cf.append(sum(cf))
        co.append(sum(co))
        nr = [th[c] + cf[c] - co[c] for c in range(7)]
        if min(nr) >= 0:
            break
    rows.update(new_received=nr, carried_over_prev=co, total_handled=th, carried_forward=cf)
    return with_section3(seed, rows)
