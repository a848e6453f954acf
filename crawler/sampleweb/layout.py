"""Row/column labels of the standard tables (docs/report-template.md) and the H1–H4 checks.

The renderers print these labels; the checks compute which hard checks a set of figures fails,
so a generated report's recorded ``failed_checks`` are derived, never hand-written.
"""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

S3_COLUMNS = ["natural_person", "commercial_enterprise", "research_institution",
              "public_interest_org", "legal_service_org", "other_org", "total"]
S3_COLUMN_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
S4_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
S4_COLUMN_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
S4_ROWS = ["review", "litigation_direct", "litigation_after_review"]

# (row_key, group label or None, subgroup label or None, row label)
_DENIED = [
    ("denied_state_secret", "1.属于国家秘密"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied_three_safeties_one_stability", "3.危及“三安全一稳定”"),
    ("denied_third_party_rights", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"),
    ("denied_process_info", "6.属于四类过程性信息"),
    ("denied_enforcement_files", "7.属于行政执法案卷"),
    ("denied_administrative_query", "8.属于行政查询事项"),
]
_UNAVAILABLE = [
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确"),
]
_NOT_PROCESSED = [
    ("not_processed_petition", "1.信访举报投诉类申请"),
    ("not_processed_duplicate", "2.重复申请"),
    ("not_processed_publication", "3.要求提供公开出版物"),
    ("not_processed_excessive", "4.无正当理由大量反复申请"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
]
_OTHER_2021 = [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "3.其他"),
]


def s3_groups(template: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Result groups under 三、本年度办理结果: (group label, [(row_key, row label)]).

    A group with a single row printed as one cell spanning two columns has row label ''.
    """
    other = (_OTHER_2021 if template == "2021" else [("other_processing", "")])
    return [
        ("（一）予以公开", [("granted", "")]),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [("partially_granted", "")]),
        ("（三）不予公开", _DENIED),
        ("（四）无法提供", _UNAVAILABLE),
        ("（五）不予处理", _NOT_PROCESSED),
        ("（六）其他处理", other),
        ("（七）总计", [("total_handled", "")]),
    ]


def s3_rows(template: str) -> list[str]:
    """Section-3 row keys in printed order."""
    rows = ["new_received", "carried_over_prev"]
    for _, items in s3_groups(template):
        rows += [k for k, _ in items]
    return rows + ["carried_forward"]


def result_rows(template: str) -> list[str]:
    return [k for k in s3_rows(template) if k not in ("new_received", "carried_over_prev", "total_handled", "carried_forward")]


S3_TOP_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over_prev": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
S3_RESULTS_LABEL = "三、本年度办理结果"
S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Section 2: (block heading, header labels, [(row_key, row label)], column keys)
S2_BLOCKS_2021 = [
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("rules", "规章"), ("normative_docs", "行政规范性文件")], ["issued", "repealed", "in_force"]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
     [("penalty", "行政处罚"), ("coercion", "行政强制")], ["decisions"]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("fees", "行政事业性收费")], ["amount_10k_yuan"]),
]
S2_BLOCKS_2019 = [
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("rules", "规章"), ("normative_docs", "规范性文件")], ["new_made", "new_published", "total_public"]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")], ["prev_items", "change", "decisions"]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("penalty", "行政处罚"), ("coercion", "行政强制")], ["prev_items", "change", "decisions"]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")], ["prev_items", "change"]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"],
     [("procurement", "政府集中采购")], ["items", "amount_10k_yuan"]),
]

SECTION_TITLES_2021 = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}
SECTION_TITLES_2019 = dict(SECTION_TITLES_2021)
SECTION_TITLES_2019[4] = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"


def s2_blocks(template: str) -> list:
    return S2_BLOCKS_2021 if template == "2021" else S2_BLOCKS_2019


def fmt_value(v: Any, *, signed: bool = False) -> str:
    """A figure as a report prints it (None -> '/', decimals without trailing zeros)."""
    if v is None:
        return "/"
    if isinstance(v, float):
        s = f"{v:.4f}".rstrip("0").rstrip(".")
        return s or "0"
    if signed and v > 0:
        return f"+{v}"
    return str(v)


def check_figures(template: str, section3: dict[str, list], section4: dict[str, list]) -> list[dict]:
    """Hard checks H1–H4; returns the failed ones as [{check_id, scope}] in a stable order.

    Scopes follow the contract: H1/H2 'column:<column_key>', H3 'row:<row_key>',
    H4 'row:<section-4 row_key>'. A check touching a NULL is not evaluated.
    """
    failed: list[dict] = []
    if not section3:
        return failed
    results = [r for r in result_rows(template) if r in section3]
    for i, col in enumerate(S3_COLUMNS):
        def v(row: str) -> Any:
            return section3[row][i]
        a = [v("new_received"), v("carried_over_prev"), v("total_handled"), v("carried_forward")]
        if None not in a and a[0] + a[1] != a[2] + a[3]:
            failed.append({"check_id": "H1", "scope": f"column:{col}"})
    for i, col in enumerate(S3_COLUMNS):
        vals = [section3[r][i] for r in results]
        tot = section3["total_handled"][i]
        if tot is not None and None not in vals and sum(vals) != tot:
            failed.append({"check_id": "H2", "scope": f"column:{col}"})
    for row in s3_rows(template):
        vals = section3[row]
        if None not in vals and sum(vals[:6]) != vals[6]:
            failed.append({"check_id": "H3", "scope": f"row:{row}"})
    for row in S4_ROWS:
        vals = section4.get(row)
        if vals and None not in vals and sum(vals[:4]) != vals[4]:
            failed.append({"check_id": "H4", "scope": f"row:{row}"})
    return failed
