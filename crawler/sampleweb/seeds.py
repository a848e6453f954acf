"""Read the seed reports: figures from their labels, narrative paragraphs from the seed text.

The seed texts are real third-party documents kept outside the repository, in the
real-document corpus (``$NIANBAO_CORPUS/seeds``, default ``../shared/seeds`` beside the
checkout; ``NIANBAO_SEEDS_DIR`` names the folder directly). Their hand-labelled figures are
the project's test data: tests/data/seeds/expected.json. Only a rebuild of site/ reads them.

Seed texts come from different extractors: some hard-wrap lines (PDF text), some wrap and
indent paragraphs, some give one paragraph per line; paragraphs are rebuilt per style.
"""
from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

logger = logging.getLogger(__name__)

_REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = Path(os.environ.get("NIANBAO_SEEDS_DIR")
                 or Path(os.environ.get("NIANBAO_CORPUS") or _REPO.parent / "shared") / "seeds")
LABELS = _REPO / "tests" / "data" / "seeds" / "expected.json"

_HEAD = re.compile(r"^\s*([一二三四五六])、\s*(总体情况|主动公开|收到和处理|政府信息公开行政复议|因政府信息公开|存在的主要问题|其他需要报告)")
_ENUM = re.compile(r"^\s*([（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+是|存在主要问题|改进情况|下一步)")
_TITLE = re.compile(r"\d{4}\s*年\s*政府信息公开工作年\s*$|政府信息公开工作年度报告\s*$|^度报告$")
_INDENT = re.compile(r"^[\s\u00a0\u3000]{2,}\S")


def _sections(text: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    cur: int | None = None
    for line in text.splitlines():
        m = _HEAD.match(line)
        if m:
            cur = "一二三四五六".index(m.group(1)) + 1
            out.setdefault(cur, [])
            continue
        if cur is not None:
            out[cur].append(line)
    return out


def paragraphs(lines: list[str]) -> list[str]:
    """Rebuild the paragraphs of one narrative section from its text lines."""
    raw = [ln.rstrip() for ln in lines]
    body = [ln for ln in raw if ln.strip() and not _TITLE.search(ln.strip())]
    if not body:
        return []
    indented = any(_INDENT.match(ln) for ln in body)
    width = max(len(ln.strip()) for ln in body)
    paras: list[str] = []
    cur = ""
    last = ""
    for ln in body:
        s = ln.strip().strip("\u3000").strip()
        if not s:
            continue
        if indented:
            new = bool(_INDENT.match(ln)) or bool(_ENUM.match(s))
        elif width > 60:
            new = True  # one paragraph per line
        else:
            prev_end = cur.endswith(("。", "：", "；", "!", "！")) and len(cur) > 0
            new = (not cur) or bool(_ENUM.match(s)) or (prev_end and len(last) < width - 3)
        if new and cur:
            paras.append(cur)
            cur = ""
        cur += s
        last = s
    if cur:
        paras.append(cur)
    return [re.sub(r"[\s\u3000\u00a0]+$", "", p) for p in paras]


def load_seeds(seeds_dir: Path | None = None, labels: Path | None = None) -> list[dict]:
    """Seeds as dicts: id, file, agency, report_year, template, section2-4, failed_checks, title, narrative."""
    d = Path(seeds_dir or SEEDS_DIR)
    lab = Path(labels or LABELS)
    if not d.is_dir():
        raise FileNotFoundError(f"seed texts not found at {d}: set NIANBAO_CORPUS (see README)")
    exp = json.loads(lab.read_text(encoding="utf-8"))
    seeds = []
    for rep in exp["reports"]:
        text = (d / rep["file"]).read_text(encoding="utf-8")
        secs = _sections(text)
        narrative = {str(k): paragraphs(secs.get(k, [])) for k in (1, 5, 6)}
        agency_printed = rep["agency"] or _printed_agency(text)
        title = f"{agency_printed}{rep['report_year']}年政府信息公开工作年度报告"
        seeds.append({
            "id": "seed" + rep["file"][:3],
            "file": rep["file"],
            "agency": rep["agency"],
            "printed_agency": agency_printed,
            "report_year": rep["report_year"],
            "template": rep["template"],
            "title": title,
            "section2": rep["section2"],
            "section3": rep["section3"],
            "section4": rep["section4"],
            "failed_checks": rep["failed_checks"],
            "narrative": narrative,
        })
    return seeds


def _printed_agency(text: str) -> str:
    m = re.search(r"(\S+?)\s*\d{4}\s*年\s*政府信息公开工作年", text)
    return m.group(1) if m else ""
