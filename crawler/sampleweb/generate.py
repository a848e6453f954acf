"""Deterministic generated reports: figures (consistent, or broken on purpose) and narrative.

Everything is drawn from ``random.Random(key)`` so a report's content depends only on its key.
"""
from __future__ import annotations

import hashlib
import logging
import random
from typing import Any

from .layout import S3_COLUMNS, S4_ROWS, check_figures, result_rows, s3_rows

logger = logging.getLogger(__name__)


def rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))


def _split(r: random.Random, total: int, n: int) -> list[int]:
    """total split into n non-negative parts, skewed toward the first ones."""
    parts = [0] * n
    for _ in range(total):
        i = min(int(r.expovariate(0.6)), n - 1)
        parts[i] += 1
    return parts


def section2(r: random.Random, template: str) -> dict[str, dict[str, Any]]:
    if template == "2021":
        inf = r.randint(0, 60)
        return {
            "rules": {"issued": 0, "repealed": 0, "in_force": r.choice([0, 0, 2])},
            "normative_docs": {"issued": r.randint(0, 9), "repealed": r.randint(0, 5), "in_force": inf},
            "licensing": {"decisions": r.choice([0, r.randint(10, 900)])},
            "penalty": {"decisions": r.choice([0, r.randint(1, 300)])},
            "coercion": {"decisions": r.choice([0, r.randint(1, 40)])},
            "fees": {"amount_10k_yuan": r.choice([0, round(r.uniform(0.1, 90), 2)])},
        }
    return {
        "rules": {"new_made": 0, "new_published": 0, "total_public": r.choice([0, 3])},
        "normative_docs": {"new_made": (n := r.randint(0, 8)), "new_published": n, "total_public": r.randint(n, 80)},
        "licensing": {"prev_items": (p := r.randint(0, 60)), "change": r.randint(-min(p, 5), 6), "decisions": r.randint(0, 500)},
        "other_services": {"prev_items": (p := r.randint(0, 30)), "change": r.randint(-min(p, 3), 3), "decisions": r.randint(0, 200)},
        "penalty": {"prev_items": (p := r.randint(0, 40)), "change": r.randint(-min(p, 4), 4), "decisions": r.randint(0, 200)},
        "coercion": {"prev_items": (p := r.randint(0, 10)), "change": r.randint(-min(p, 2), 2), "decisions": r.randint(0, 30)},
        "fees": {"prev_items": (p := r.randint(0, 5)), "change": r.randint(-min(p, 1), 1)},
        "procurement": {"items": (n := r.randint(0, 25)), "amount_10k_yuan": round(r.uniform(5, 900), 2) if n else 0},
    }


def section3(r: random.Random, template: str, scale: int = 40) -> dict[str, list[int]]:
    """Consistent section-3 figures: every H1–H3 identity holds."""
    rows = s3_rows(template)
    results = result_rows(template)
    cols = {c: [0] * len(rows) for c in S3_COLUMNS[:6]}
    weights = [1.0, 0.15, 0.02, 0.03, 0.05, 0.1]
    for ci, col in enumerate(S3_COLUMNS[:6]):
        if ci and r.random() > weights[ci] * 3:
            continue
        new = max(0, int(r.gauss(scale * weights[ci], scale * weights[ci] / 2)))
        prev = r.choice([0, 0, r.randint(0, max(1, new // 8))])
        fwd = r.choice([0, 0, r.randint(0, max(0, (new + prev) // 6))])
        handled = new + prev - fwd
        # results: granted most, then partial, not held, process info ...
        favoured = ["granted", "partially_granted", "unavailable_not_held", "denied_process_info",
                    "not_processed_petition", "not_processed_duplicate", "denied_third_party_rights"]
        favoured += ["other_no_correction", "other_other"] if template == "2021" else ["other_processing"]
        alloc = _split(r, handled, len(favoured))
        vals = dict.fromkeys(results, 0)
        for k, n in zip(favoured, alloc):
            vals[k] += n
        vals.update(new_received=new, carried_over_prev=prev, total_handled=handled, carried_forward=fwd)
        cols[col] = [vals[k] for k in rows]
    out = {}
    for i, row in enumerate(rows):
        v = [cols[c][i] for c in S3_COLUMNS[:6]]
        out[row] = v + [sum(v)]
    return out


def section4(r: random.Random) -> dict[str, list[int]]:
    out = {}
    for row, hi in zip(S4_ROWS, (4, 3, 2)):
        v = [r.choice([0, 0, r.randint(0, hi)]) for _ in range(4)]
        out[row] = v + [sum(v)]
    return out


BREAKS = {
    # kind -> what is changed; the failures are computed afterwards, not listed by hand
    "h2_granted": "granted natural_person and total +1: H2 fails for natural_person and total",
    "h3_new_received": "new_received natural_person +2, total unchanged: H3 row and H1 column fail",
    "h4_review": "section-4 review total off by one: H4 fails for review",
    "h1_forward": "carried_forward total -1: H1 column total and H3 row carried_forward fail",
}


def break_figures(kind: str, s3: dict[str, list[int]], s4: dict[str, list[int]]) -> None:
    """Apply a deliberate arithmetic error in place."""
    if kind == "h2_granted":
        s3["granted"][0] += 1
        s3["granted"][6] += 1
    elif kind == "h3_new_received":
        s3["new_received"][0] += 2
    elif kind == "h4_review":
        s4["review"][4] += 1
    elif kind == "h1_forward":
        s3["carried_forward"][6] += 1
    else:
        raise ValueError(kind)


def figures(key: str, template: str, broken: str | None = None) -> dict[str, Any]:
    r = rng(key)
    s2 = section2(r, template)
    s3 = section3(r, template, scale=r.choice([8, 20, 40, 90]))
    s4 = section4(r)
    if broken:
        break_figures(broken, s3, s4)
    return {"section2": s2, "section3": s3, "section4": s4,
            "failed_checks": check_figures(template, s3, s4)}


# ---- narrative -------------------------------------------------------------------------

_PLATFORMS = ["政府门户网站", "政务新媒体", "政务公开专区", "政府公报", "新闻发布会"]
_FOCUS = ["财政预决算", "重大建设项目", "公共资源配置", "社会公益事业", "生态环境", "教育卫生",
          "乡村振兴", "营商环境", "安全生产", "食品药品监管"]


def narrative(key: str, agency: str, year: int, s3: dict | None, s4: dict | None,
              template: str, variant_of: str | None = None) -> dict[str, list[str]]:
    """Narrative paragraphs of sections 一, 五, 六.

    ``variant_of``: draw the wording from another key so that two reports of the same office
    in successive years share ~96% of their text (years and figures differ).
    """
    r = rng(variant_of or key)
    short = agency.replace("人民政府办公室", "政府办公室")
    n_new = s3["new_received"][6] if s3 else r.randint(3, 40)
    n_fwd = s3["carried_forward"][6] if s3 else 0
    n_rev = s4["review"][4] if s4 else 0
    n_lit = (s4["litigation_direct"][4] + s4["litigation_after_review"][4]) if s4 else 0
    items = rng(key).randint(300, 9000)
    plat = r.sample(_PLATFORMS, 3)
    focus = r.sample(_FOCUS, 4)
    p1 = [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求，"
        f"围绕{focus[0]}、{focus[1]}等重点领域，持续深化政务公开，不断提升政府信息公开工作的规范化、标准化水平。现将{year}年度政府信息公开工作情况报告如下：",
        f"（一）主动公开。全年通过{plat[0]}、{plat[1]}等渠道主动公开政府信息{items}条，其中{focus[2]}类信息{items // 7}条、{focus[3]}类信息{items // 11}条。"
        f"坚持“以公开为常态、不公开为例外”，对涉及群众切身利益的政策文件同步开展解读，做到应公开尽公开。",
        f"（二）依申请公开。进一步规范依申请公开受理、审查、办理、答复等环节，{year}年共收到政府信息公开申请{n_new}件，"
        f"结转下年度继续办理{n_fwd}件。因政府信息公开工作被申请行政复议{n_rev}件，提起行政诉讼{n_lit}件。",
        "（三）政府信息管理。严格落实信息发布保密审查制度，坚持“先审后发”，对行政规范性文件实行统一登记、统一编号、统一公开，"
        "动态更新政府信息公开目录，确保信息准确、完整、及时。",
        f"（四）政府信息公开平台建设。充分发挥{plat[0]}第一平台作用，优化“政府信息公开”专栏设置，加强{plat[2]}建设管理，"
        f"开展常态化监测检查，及时整改发现的问题。",
        f"（五）监督保障。将政务公开工作纳入年度目标考核，明确分管领导和工作人员，组织开展政务公开业务培训{r.randint(1, 6)}次，"
        f"本年度未发生因政府信息公开工作引发的责任追究情况。",
    ]
    if variant_of:
        # next year's report of the same office: same wording but one rewritten paragraph,
        # so the masked texts stay ~96% similar while years and figures differ
        p1[5] = (f"（五）监督保障。健全政务公开工作考核评价机制，定期通报各科室信息发布情况，"
                 f"全年开展网站和政务新媒体自查{rng(key).randint(2, 12)}次，发现问题均已整改到位。")
    p5 = [
        f"{year}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式还不够丰富；二是{focus[1]}等重点领域信息公开的深度和广度有待提高；三是工作人员业务能力需进一步提升。",
        f"{year + 1}年，我们将继续加强政策解读和回应关切，深化重点领域信息公开，加强业务培训，不断提升政府信息公开工作质量和水平。",
    ]
    fee = "本年度未收取信息处理费。" if r.random() < 0.7 else f"依据《政府信息公开信息处理费管理办法》，{year}年本机关未收取信息处理费。"
    return {"1": p1, "5": p5, "6": [fee]}


def legacy_narrative(key: str, agency: str, year: int) -> dict[str, list[str]]:
    """A pre-2019 report: provincial layout, figures only in prose."""
    r = rng(key)
    n = r.randint(2, 60)
    return {
        "1": [f"本报告根据《中华人民共和国政府信息公开条例》要求，由{agency}编制。全文包括概述，主动公开政府信息情况，依申请公开政府信息情况，"
              f"政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼情况，存在的主要问题及改进措施等。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
              f"{year}年，{agency}主动公开政府信息{r.randint(200, 5000)}条，受理政府信息公开申请{n}件，均已按时答复。"],
        "5": [f"{year}年我单位政府信息公开工作虽取得一定成效，但也存在公开内容不够全面、更新不够及时等问题。下一步将进一步完善制度，加强培训，提高信息公开质量。"],
        "6": ["无其他需要报告的事项。"],
    }
