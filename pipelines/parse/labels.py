"""The label catalogue of the standard tables (docs/report-template.md).

Every row is known by one or more *aliases*: the printed label reduced by
:func:`pipelines.parse.normalize.label_key` (NFKC, no whitespace, no punctuation, no list
numbering). Matching is on these keys, so full/half width, stray spaces and line breaks inside
a label do not matter; known typos are listed as extra aliases and anything else falls back to
a fuzzy comparison against the row expected next (see text.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from pipelines.parse.normalize import label_key

logger = logging.getLogger(__name__)

S3_COLUMNS = ["natural_person", "commercial_enterprise", "research_institution",
              "public_interest_org", "legal_service_org", "other_org", "total"]
S4_ROWS = ["review", "litigation_direct", "litigation_after_review"]
S4_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]

S2_COLUMNS_2021: dict[str, list[str]] = {
    "rules": ["issued", "repealed", "in_force"],
    "normative_docs": ["issued", "repealed", "in_force"],
    "licensing": ["decisions"],
    "penalty": ["decisions"],
    "coercion": ["decisions"],
    "fees": ["amount_10k_yuan"],
}
S2_COLUMNS_2019: dict[str, list[str]] = {
    "rules": ["new_made", "new_published", "total_public"],
    "normative_docs": ["new_made", "new_published", "total_public"],
    "licensing": ["prev_items", "change", "decisions"],
    "other_services": ["prev_items", "change", "decisions"],
    "penalty": ["prev_items", "change", "decisions"],
    "coercion": ["prev_items", "change", "decisions"],
    "fees": ["prev_items", "change"],
    "procurement": ["items", "amount_10k_yuan"],
}

# Section 3 rows in printed order; other_processing replaces the three other_* rows.
S3_ROWS_2021 = [
    "new_received", "carried_over_prev", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_three_safeties_one_stability",
    "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
    "denied_enforcement_files", "denied_administrative_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear_after_correction",
    "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
    "not_processed_excessive", "not_processed_confirmation",
    "other_no_correction", "other_no_fee", "other_other",
    "total_handled", "carried_forward",
]
OTHER_SPLIT = ["other_no_correction", "other_no_fee", "other_other"]
S3_ROWS_UNDIVIDED = [r for r in S3_ROWS_2021 if r not in OTHER_SPLIT]
S3_ROWS_UNDIVIDED.insert(S3_ROWS_UNDIVIDED.index("total_handled"), "other_processing")
S3_NON_RESULT = {"new_received", "carried_over_prev", "total_handled", "carried_forward"}


def s3_rows(undivided: bool) -> list[str]:
    return S3_ROWS_UNDIVIDED if undivided else S3_ROWS_2021


def result_rows(undivided: bool) -> list[str]:
    return [r for r in s3_rows(undivided) if r not in S3_NON_RESULT]


@dataclass(frozen=True)
class Alias:
    row_key: str
    key: str            # label_key() of the alias
    tail_only: bool     # generic words (其他, 总计) count only at the very end of a label


def _aliases(table: dict[str, list[str]], tail_only: set[str] = frozenset()) -> list[Alias]:
    out = []
    for row, words in table.items():
        for w in words:
            k = label_key(w)
            out.append(Alias(row, k, k in tail_only))
    return out


# The first alias of each row is its canonical label (used for fuzzy fallback and display).
S3_LABELS: dict[str, list[str]] = {
    "new_received": ["本年新收政府信息公开申请数量", "本年新收政府信息公开申请", "本年新收申请数量"],
    "carried_over_prev": ["上年结转政府信息公开申请数量", "上年结转政府信息公开申请", "上年结转申请数量"],
    "granted": ["予以公开"],
    "partially_granted": ["部分公开区分处理的只计这一情形不计其他情形", "部分公开"],
    "denied_state_secret": ["属于国家秘密"],
    "denied_prohibited_by_law": ["其他法律行政法规禁止公开", "其他法律行政止公开", "其他法律法规禁止公开",
                                 "法律行政法规禁止公开"],
    "denied_three_safeties_one_stability": ["危及三安全一稳定", "危及三安全一稳"],
    "denied_third_party_rights": ["保护第三方合法权益"],
    "denied_internal_affairs": ["属于三类内部事务信息", "三类内部事务信息"],
    "denied_process_info": ["属于四类过程性信息", "四类过程性信息"],
    "denied_enforcement_files": ["属于行政执法案卷", "行政执法案卷"],
    "denied_administrative_query": ["属于行政查询事项", "行政查询事项"],
    "unavailable_not_held": ["本机关不掌握相关政府信息", "不掌握相关政府信息", "本机关不掌握"],
    "unavailable_needs_creation": ["没有现成信息需要另行制作", "需要另行制作", "没有现成信息"],
    "unavailable_unclear_after_correction": ["补正后申请内容仍不明确", "补正后申请内容不明确", "补正后申请内容"],
    "not_processed_petition": ["信访举报投诉类申请", "信访举报投诉"],
    "not_processed_duplicate": ["重复申请"],
    "not_processed_publication": ["要求提供公开出版物"],
    "not_processed_excessive": ["无正当理由大量反复申请", "无正当理由大量反复"],
    "not_processed_confirmation": ["要求行政机关确认或重新出具已获取信息", "要求行政机关确认或重新出具"],
    "other_no_correction": ["申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
                            "申请人无正当理由逾期不补正", "无正当理由逾期不补正", "申请人无正当理由逾期"],
    "other_no_fee": ["申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
                     "申请人逾期未按收费通知要求缴纳费用", "逾期未按收费通知要求缴纳费用",
                     "申请人逾期未按收费通知", "逾期未按收费通知"],
    "other_other": ["其他"],
    "other_processing": ["其他处理"],
    "total_handled": ["总计"],
    "carried_forward": ["结转下年度继续办理", "结转下年度继续办理数量", "结转下一年度继续办理"],
}
S3_ALIASES = _aliases(S3_LABELS, tail_only={"其他", "总计", "其他处理"})

S2_LABELS: dict[str, list[str]] = {
    "rules": ["规章"],
    "normative_docs": ["行政规范性文件", "规范性文件"],
    "licensing": ["行政许可"],
    "other_services": ["其他对外管理服务事项"],
    "penalty": ["行政处罚"],
    "coercion": ["行政强制"],
    "fees": ["行政事业性收费"],
    "procurement": ["政府集中采购"],
}
S2_ALIASES = _aliases(S2_LABELS)

# Header words that tell the section-2 layout apart (never the year).
S2_2019_MARKERS = [label_key(w) for w in ("本年新制作数量", "本年新公开数量", "对外公开总数量",
                                            "上一年项目数量", "本年增/减", "采购项目数量", "采购总金额",
                                            "政府集中采购", "其他对外管理服务事项")]
S2_2021_MARKERS = [label_key(w) for w in ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量",
                                            "本年收费金额")]
# Words only the post-2019 section-三 table prints (both layouts); provincial pre-2019 tables
# count 申请 differently. Two of them mean the report is not legacy, whatever its year.
S3_TABLE_MARKERS = [label_key(w) for w in ("本年新收政府信息公开申请", "上年结转政府信息公开申请", "本年度办理结果",
                                             "结转下年度继续办理", "商业企业科研机构", "社会公益组织",
                                             "法律服务机构", "危及“三安全一稳定”", "属于三类内部事务信息",
                                             "属于四类过程性信息", "没有现成信息需要另行制作")]

S4_ROW_LABELS: dict[str, list[str]] = {
    "review": ["行政复议"],
    "litigation_direct": ["未经复议直接起诉"],
    "litigation_after_review": ["复议后起诉"],
}


def match_alias(key: str, aliases: list[Alias], allowed: set[str] | None = None) -> str | None:
    """The row whose alias ends latest in `key` (ties: the longest alias); None if none does.

    Latest-ending wins because a label buffer may still hold header words or the group label
    (三、本年度办理结果（三）不予公开1属于国家秘密): the row's own words come last.
    """
    best: tuple[int, int] | None = None
    best_row = None
    for a in aliases:
        if allowed is not None and a.row_key not in allowed:
            continue
        i = key.rfind(a.key)
        if i < 0:
            continue
        end = i + len(a.key)
        if a.tail_only and end != len(key):
            continue
        score = (end, len(a.key))
        if best is None or score > best:
            best, best_row = score, a.row_key
    return best_row


def matched_rows(key: str, aliases: list[Alias]) -> set[str]:
    """Every row with an alias somewhere in `key` (tail-only aliases at the end only)."""
    out = set()
    for a in aliases:
        i = key.rfind(a.key)
        if i >= 0 and (not a.tail_only or i + len(a.key) == len(key)):
            out.add(a.row_key)
    return out
