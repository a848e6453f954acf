"""Section boundaries in text and layout (template) detection from labels, never the year."""
from __future__ import annotations

import logging
import re

from pipelines.parse.labels import S2_2019_MARKERS, S2_2021_MARKERS, S3_TABLE_MARKERS
from pipelines.parse.normalize import label_key

logger = logging.getLogger(__name__)


def _heading(key: str) -> int | None:
    """Which section a line's key opens, if it is a section heading."""
    if not key or len(key) > 44:
        return None
    if len(key) <= 10 and key.lstrip("一1").startswith("总体情况"):
        return 1
    if "主动公开政府信息" in key and key.endswith("情况") and len(key) <= 16:
        return 2
    if "收到和处理政府信息公开申请" in key and len(key) <= 22:
        return 3
    if "行政复议" in key and "行政诉讼" in key and key.endswith("情况") and key[0] in "四4因政":
        return 4
    if "存在的主要问题" in key and len(key) <= 20 and key[0] in "五5存":
        return 5
    if "其他需要报告的事项" in key and len(key) <= 14:
        return 6
    return None


def _loose(words: str) -> str:
    """A regex for `words` with any whitespace between its characters (stray spaces)."""
    return r"\s*".join(re.escape(ch) for ch in words)


_SEP = r"\s*[、.]\s*"
_ANY = r"[^。；;]{0,%d}?"
_HEADINGS_RX = re.compile("|".join([
    "一" + _SEP + _loose("总体情况"),
    "二" + _SEP + _loose("主动公开政府信息情况"),
    "三" + _SEP + _loose("收到和处理政府信息公开申请情况"),
    "四" + _SEP + r"(?:因\s*)?" + _loose("政府信息公开") + _ANY % 12
    + _loose("行政复议") + _ANY % 10 + _loose("行政诉讼") + r"(?:\s*的)?\s*" + _loose("情况"),
    "五" + _SEP + _ANY % 12 + _loose("存在的主要问题") + _ANY % 8 + _loose("情况"),
    "六" + _SEP + _loose("其他需要报告的事项"),
]))


def split_headings(lines: list[str]) -> list[str]:
    """Lines with every numbered section heading on a line of its own: text copies of HTML
    reports run a heading into the table before and after it (…收费0三、收到和处理政府信息公开
    申请情况（本列数据…), and a heading may wrap over two lines."""
    text = "\n".join(lines)
    out: list[str] = []
    pos = 0
    for m in _HEADINGS_RX.finditer(text):
        head = m.group()
        if "\n" not in head and text[max(0, m.start() - 1):m.start()] in ("", "\n") \
                and text[m.end():m.end() + 1] in ("", "\n"):
            continue        # already a line of its own
        out.append(text[pos:m.start()])
        out.append("\n" + head.replace("\n", "") + "\n")
        pos = m.end()
    if not out:
        return lines
    out.append(text[pos:])
    return "".join(out).split("\n")


def split_sections(lines: list[str]) -> dict[int, list[str]]:
    """Lines of sections 1..6 (0 = before the first heading). Headings must come in order;
    a heading that is missing leaves its lines with the section before. Each heading is the
    last one of its kind before the next section's, so a table of contents listing the
    headings up front is not taken for the sections."""
    heads = [(i, h) for i, line in enumerate(lines) if (h := _heading(label_key(line))) is not None]
    chosen: dict[int, int] = {}
    bound = len(lines)
    for h in range(6, 0, -1):
        cands = [i for i, hh in heads if hh == h and i < bound]
        if cands:
            chosen[h] = bound = max(cands)
    out: dict[int, list[str]] = {0: lines[: min(chosen.values())] if chosen else list(lines)}
    order = sorted(chosen.items(), key=lambda kv: kv[1])
    for n, (h, i) in enumerate(order):
        end = order[n + 1][1] if n + 1 < len(order) else len(lines)
        out[h] = lines[i + 1:end]
    return out


def detect_s2_template(keys: str) -> str | None:
    """'2019' or '2021' from the words of section 二's headers; None when neither shows."""
    n19 = sum(1 for m in S2_2019_MARKERS if m in keys)
    n21 = sum(1 for m in S2_2021_MARKERS if m in keys)
    if n19 > n21:
        return "2019"
    if n21 > n19:
        return "2021"
    return None


def has_modern_s3_table(keys: str) -> bool:
    """The post-2019 section-三 table's words are there (flattened or not): never legacy."""
    return sum(1 for m in S3_TABLE_MARKERS if m in keys) >= 2


def undivided_other(keys: str) -> bool:
    """（六）其他处理 printed as one row: the 2019 trial's, kept by some late adopters."""
    return "其他处理" in keys and "逾期不补正" not in keys and "逾期未按收费通知" not in keys


_S3_TRIGGERS = ("申请人情况", "本年新收", "上年结转", "予以公开", "本年度办理结果")
_S4_TRIGGERS = ("行政复议",)
_S2_TRIGGERS = ("第二十条", "本年制发件数", "本年新制作数量", "规章", "行政许可", "行政事业性收费", "信息内容")


def section_of_row(key: str) -> int | None:
    """For grid rows: the section a row's words point to, if they do."""
    if any(t in key for t in _S4_TRIGGERS) and ("行政诉讼" in key or "结果维持" in key or "复议后起诉" in key
                                                or "未经复议" in key or re.fullmatch(r"行政复议\d*", key)):
        return 4
    if any(t in key for t in _S3_TRIGGERS):
        return 3
    if any(t in key for t in _S2_TRIGGERS):
        return 2
    return None
