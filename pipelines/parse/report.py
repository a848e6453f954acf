"""parse_report(): text (+ cell grids) -> ParsedReport.

Both sources are read: the grids the extractor found (if any) and the text. Per section the
source that yields more complete rows wins (ties go to the grid: its structure is explicit).
Rows printed as runs of digits get every segmentation the form's arithmetic allows; the
choice among them uses H1–H4 across rows and the narrative figures, and such cells are marked
inferred. Printed values are never altered afterwards — the checks report disagreements.
"""
from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from pipelines.parse import checks as chk
from pipelines.parse.digits import segmentations
from pipelines.parse.grid import grid_tokens
from pipelines.parse.labels import (S2_ALIASES, S2_COLUMNS_2019, S2_COLUMNS_2021, S3_ALIASES,
                                    S3_COLUMNS, S3_LABELS, S4_COLUMNS, S4_ROWS, OTHER_SPLIT,
                                    match_alias, matched_rows, s3_rows)
from pipelines.parse.layout import detect_s2_template, section_of_row, split_sections
from pipelines.parse.model import Cell, ParsedReport
from pipelines.parse.normalize import label_key, normalize_text, parse_value
from pipelines.parse.text import Group, Token, group_tokens, null_token, tokenize_lines
from pipelines.dates import iso_date
from pipelines.texthash import text_hash

logger = logging.getLogger(__name__)

PARSER_VERSION = "parse-1.0"
MAX_COMBINATIONS = 20000
_S4_KEY = "__s4__"


@dataclass
class RowCand:
    columns: list[str]
    options: list[tuple[str, ...]]      # printed strings per column; >1 = ambiguous digit run
    inferred: bool = False


@dataclass
class SectionParse:
    rows: dict[str, RowCand] = field(default_factory=dict)
    template: str | None = None          # section 2 only
    warnings: list[str] = field(default_factory=list)

    def score(self) -> float:
        return sum(0.5 if r.inferred else 1.0 for r in self.rows.values() if r.options)


# ---------------------------------------------------------------- rows from groups

def _options(values: list[Token], n: int, block: int | None) -> tuple[list[tuple[str, ...]], bool, str | None]:
    if len(values) > n:
        kept = [t for t in values if not t.dup]
        if len(kept) >= n:
            values = kept
    filled = [t for t in values[:n] if t.text != ""]
    if len(values) >= n and len(filled) == 1 and filled[0].is_run and n > 1:
        # one cell holding a run of digits, the other cells of the row empty (a grid whose
        # extractor merged the row's cells): cut it as a run, if the form's arithmetic allows
        segs = segmentations([filled[0].text], n, block=block) if block else segmentations([filled[0].text], n)
        if segs:
            return segs, True, None
    printed = [t.text for t in values]
    if len(values) >= n:
        extra = [t for t in values[n:] if not null_token(t) and t.text != printed[0]]
        return [tuple(printed[:n])], False, (f"{len(values) - n} extra value(s) ignored" if extra else None)
    # a run of digits is one printed token (行政规范性文件6233440), or one per section-4 row;
    # several short tokens are missing values, not a run to cut
    if (any(t.is_run for t in values) and not any(null_token(t) for t in values)
            and len(values) <= max(1, n // 5)):
        segs = segmentations(printed, n, block=block) if block else []
        if not segs:
            segs = segmentations(printed, n)
        if segs:
            return segs, True, None
    return [], False, f"only {len(values)} of {n} values"


def _section2(groups: list[Group], template_hint: str | None) -> SectionParse:
    sp = SectionParse()
    keys = "".join(label_key(g.label) for g in groups)
    found: list[tuple[str, Group]] = []
    for g in groups:
        row = match_alias(label_key(g.label), S2_ALIASES)
        if row is None:
            continue
        if any(r == row for r, _ in found):
            sp.warnings.append(f"section 2: {row} printed twice; the first is kept")
            continue
        found.append((row, g))
    tpl = detect_s2_template(keys) or template_hint
    if tpl is None and found:
        rows = dict(found)
        lic = rows.get("licensing")
        tpl = "2019" if ("other_services" in rows or "procurement" in rows
                         or (lic is not None and len(lic.values) >= 3 and "rules" not in rows)) else "2021"
    sp.template = tpl
    table = S2_COLUMNS_2019 if tpl == "2019" else S2_COLUMNS_2021
    for row, g in found:
        cols = table.get(row)
        if cols is None:
            sp.warnings.append(f"section 2: {row} is not a row of the {tpl} layout")
            continue
        opts, inferred, warn = _options(g.values, len(cols), None)
        if warn:
            sp.warnings.append(f"section 2/{row}: {warn}")
        if opts:
            sp.rows[row] = RowCand(cols, opts, inferred)
    return sp


def _section3(groups: list[Group]) -> SectionParse:
    from difflib import SequenceMatcher

    sp = SectionParse()
    order = s3_rows(False) + ["other_processing"]
    last_idx = -1
    for g in groups:
        key = label_key(g.label)
        row = match_alias(key, S3_ALIASES)
        if row is None and len(g.values) >= 5:
            # unknown wording or typo: compare with the rows not seen yet, nearest first
            best, best_ratio = None, 0.0
            for cand in order[last_idx + 1:]:
                if cand in sp.rows:
                    continue
                canon = label_key(S3_LABELS[cand][0])
                tail = key[-(len(canon) + 2):]
                ratio = SequenceMatcher(None, tail, canon).ratio()
                if ratio > best_ratio:
                    best, best_ratio = cand, ratio
            if best is not None and best_ratio >= 0.6:
                sp.warnings.append(f"section 3: label {g.label[-30:]!r} read as {best} (similarity {best_ratio:.2f})")
                row = best
        if row is None:
            if g.values and key:
                sp.warnings.append(f"section 3: values after unknown label {g.label[-30:]!r} ignored")
            continue
        if row in sp.rows:
            sp.warnings.append(f"section 3: {row} printed twice; the first is kept")
            continue
        if len(g.values) > 7 and len(matched_rows(key, S3_ALIASES) - {row}) > 0:
            # two rows' labels and their numbers run together (OCR merged two lines): which
            # number belongs where is unknown — leave both rows missing rather than guess
            sp.warnings.append(f"section 3: labels of several rows and {len(g.values)} values run "
                               f"together ({g.label[-40:]!r}); not read")
            continue
        opts, inferred, warn = _options(g.values, 7, 7)
        if warn:
            sp.warnings.append(f"section 3/{row}: {warn}")
        if opts:
            sp.rows[row] = RowCand(list(S3_COLUMNS), opts, inferred)
            if row in order:
                last_idx = max(last_idx, order.index(row))
    if "other_processing" in sp.rows and any(r in sp.rows for r in OTHER_SPLIT):
        sp.warnings.append("section 3: both other_processing and other_* rows printed")
    return sp


def _section4(groups: list[Group]) -> SectionParse:
    sp = SectionParse()
    vgroups = [g for g in groups if g.values]
    if not vgroups:
        return sp
    if len(vgroups) == 3 and all(len(g.values) == 5 for g in vgroups):
        for row, g in zip(S4_ROWS, vgroups):
            sp.rows[row] = RowCand(list(S4_COLUMNS), [tuple(t.text for t in g.values)])
        return sp
    values = [t for g in vgroups for t in g.values]
    opts, inferred, warn = _options(values, 15, 5)
    if warn:
        sp.warnings.append(f"section 4: {warn}")
    if opts:
        sp.rows[_S4_KEY] = RowCand([f"{r}/{c}" for r in S4_ROWS for c in S4_COLUMNS], opts, inferred)
    return sp


def _parse_sections(tokens: dict[int, list[Token]], template_hint: str | None = None) -> dict[int, SectionParse]:
    out: dict[int, SectionParse] = {}
    if tokens.get(2):
        out[2] = _section2(group_tokens(tokens[2]), template_hint)
    if tokens.get(3):
        out[3] = _section3(group_tokens(tokens[3]))
    if tokens.get(4):
        out[4] = _section4(group_tokens(tokens[4]))
    return out


def _tokens_by_triggers(lines: list[str]) -> dict[int, list[str]]:
    """Text without section headings (a bare table): sections from the rows' own words."""
    out: dict[int, list[str]] = {}
    current = None
    for line in lines:
        s = section_of_row(label_key(line))
        if s is not None:
            current = s
        if current is not None:
            out.setdefault(current, []).append(line)
    return out


def _complete(sec: int, sp: SectionParse | None) -> bool:
    if sp is None or not sp.rows or any(len(r.options) != 1 for r in sp.rows.values()):
        return False
    if sec == 2:
        return sp.template is not None and set(sp.rows) >= set(
            S2_COLUMNS_2019 if sp.template == "2019" else S2_COLUMNS_2021)
    if sec == 3:
        undivided = "other_processing" in sp.rows
        return set(sp.rows) >= set(s3_rows(undivided))
    return _S4_KEY in sp.rows or set(sp.rows) >= set(S4_ROWS)


# ---------------------------------------------------------------- choosing among segmentations

def _values_of(rows: dict[tuple[str, str], tuple[str, ...]], cols_of: dict[tuple[str, str], list[str]]):
    vals: dict[tuple[str, str, str], Any] = {}
    for (sec, row), printed in rows.items():
        for col, p in zip(cols_of[(sec, row)], printed):
            if row == _S4_KEY:
                r, c = col.split("/")
                vals[(sec, r, c)] = parse_value(p, c)[0]
            else:
                vals[(sec, row, col)] = parse_value(p, col)[0]
    return vals


def _prior(printed: tuple[str, ...]) -> tuple[int, int, int]:
    """Prefer sparse, short, small numbers: these tables are mostly zeros, and a report's
    counts are rarely 5-digit next to 0s (11 0 rather than 1 10)."""
    ints = [int(p) for p in printed if p.isdigit()]
    return (sum(1 for i in ints if i), max((len(p) for p in printed), default=0), sum(ints))


def _s2_plausible(row: str, cols: list[str], printed: tuple[str, ...], narrative_numbers: set[int]) -> int:
    score = 0
    vals = dict(zip(cols, printed))
    if "in_force" in vals and all(v.isdigit() for v in vals.values()):
        if int(vals["in_force"]) >= int(vals["issued"]):
            score += 1
    score += sum(1 for p in printed if p.isdigit() and len(p) >= 2 and int(p) in narrative_numbers)
    return score


def _resolve(sections: dict[int, SectionParse], narrative: dict[str, int], narrative_numbers: set[int],
             undivided: bool, warnings: list[str]) -> dict[tuple[str, str], tuple[str, ...]]:
    chosen: dict[tuple[str, str], tuple[str, ...]] = {}
    cols_of: dict[tuple[str, str], list[str]] = {}
    ambiguous: list[tuple[str, str]] = []
    for sec, sp in sections.items():
        for row, rc in sp.rows.items():
            key = (str(sec), row)
            cols_of[key] = rc.columns
            chosen[key] = rc.options[0]
            if len(rc.options) > 1:
                ambiguous.append(key)
    if not ambiguous:
        return chosen

    def opts(key):
        return sections[int(key[0])].rows[key[1]].options

    # section 2: plausibility and narrative, then the prior
    for key in [k for k in ambiguous if k[0] == "2"]:
        cols = cols_of[key]
        best = max(opts(key), key=lambda o: (_s2_plausible(key[1], cols, o, narrative_numbers),
                                             tuple(-x for x in _prior(o))))
        chosen[key] = best
    # sections 3 and 4 jointly: H1/H2 across rows (H3/H4 already pruned), then the narrative
    joint = [k for k in ambiguous if k[0] in ("3", "4")]
    if joint:
        n_comb = 1
        for k in joint:
            n_comb *= len(opts(k))
        if n_comb <= MAX_COMBINATIONS:
            best_score, best_combo = None, None
            for combo in itertools.product(*(opts(k) for k in joint)):
                trial = dict(chosen)
                trial.update(zip(joint, combo))
                vals = _values_of(trial, cols_of)
                hard = sum(1 for c in chk.hard_checks(vals, undivided) if c.passed)
                prior = [_prior(o) for o in combo]
                score = (hard, chk.narrative_score(vals, narrative),
                         tuple(-sum(p[i] for p in prior) for i in range(3)))
                if best_score is None or score > best_score:
                    best_score, best_combo = score, combo
            chosen.update(zip(joint, best_combo))
        else:
            warnings.append(f"{n_comb} combinations of digit-run segmentations: chosen row by row")
            for k in joint:
                chosen[k] = min(opts(k), key=_prior)
    for k in ambiguous:
        warnings.append(f"section {k[0]}/{k[1]}: digits printed without separators; "
                        f"{len(opts(k))} segmentations possible, chose {' '.join(chosen[k])}")
    return chosen


# ---------------------------------------------------------------- identity

def _published_at(lines: list[str]) -> str | None:
    """The date printed under the signature: the last short line near the end that holds one."""
    tail = [ln for ln in lines if ln.strip()][-8:]
    for ln in reversed(tail):
        if len(ln.strip()) <= 40:
            found = iso_date(ln)
            if found:
                return found
    return None


_LOOSE_TITLE = (re.compile(r"^(?P<agency>.{2,40}?)(?P<year>(?:19|20)\d{2})年度?(?:的)?政府信息公"),
                re.compile(r"^(?P<year>(?:19|20)\d{2})年度?(?P<agency>.{2,40}?)政府信息公"))


def _loose_title(lines: list[str], md: Any) -> tuple[int | None, str | None, str | None]:
    """A title line garbled by OCR (政府信息公于-工作年度：告): year and agency from its head,
    only among the first few lines and only before 政府信息公."""
    for ln in [re.sub(r"\s+", "", x) for x in lines if x.strip()][:5]:
        if len(ln) > 60:
            continue
        for rx in _LOOSE_TITLE:
            m = rx.match(ln)
            if m:
                year = md.parse_year(m.group("year"))
                agency = md.clean_agency(m.group("agency"))
                if agency is not None and md.is_generic_agency(agency):
                    agency = None
                if year is not None:
                    return year, agency, ln
    return None, None, None


def _identity(rep: ParsedReport, text: str, lines: list[str], hints: Mapping[str, Any]) -> None:
    from pipelines import metadata as md, titles

    # the title sits at the top: try the first lines before the (slower) 40-line search
    top = [ln for ln in lines[:60] if ln.strip()]
    title = (titles.find_title("\n".join(top[:3])) or titles.find_title("\n".join(top[:12]))
             or titles.find_title(text) or (hints.get("title") or None))
    rep.title = title
    year, agency = titles.parse_title(title)
    if title is None:
        year, agency, rep.title = _loose_title(lines, titles)
        if rep.title:
            rep.warnings.append(f"title read loosely (OCR?): {rep.title}")
    if year is None and hints.get("title"):
        year, _ = titles.parse_title(hints["title"])
    rep.report_year = year
    if agency:
        rep.agency, rep.agency_source = agency, "title"
    elif hints.get("agency"):
        rep.agency = hints["agency"]
        rep.agency_source = hints.get("agency_source") or "config"
    pub = hints.get("published_at")
    rep.published_at = (pub.isoformat() if hasattr(pub, "isoformat") else pub) or _published_at(lines)
    region = hints.get("region_code")
    try:
        code, level, _ = md.region_for(rep.agency, region)
    except Exception as exc:  # region data missing: keep the hint
        logger.warning("region lookup failed: %s", exc)
        code, level = region, md.admin_level(region) if region else None
    rep.region_code, rep.admin_level = code, level


# ---------------------------------------------------------------- the entry point

def parse_report(text: str | None, tables: list[Any] | None = None,
                 hints: Mapping[str, Any] | None = None) -> ParsedReport:
    """Parse one report's text (and the extractor's cell grids) into figures and checks."""
    hints = hints or {}
    raw = text or ""
    norm = normalize_text(raw)
    lines = norm.splitlines()
    rep = ParsedReport()
    rep.text_hash = text_hash(raw)
    _identity(rep, norm, lines, hints)
    try:
        _figures(rep, norm, lines, tables)
    except Exception as exc:  # never raise out of the pipeline: keep identity, say why
        logger.exception("parse failed")
        rep.cells, rep.checks = [], []
        rep.warnings.append(f"parser error: {exc!r}")
    return rep


def _figures(rep: ParsedReport, norm: str, lines: list[str], tables: list[Any] | None) -> None:
    secs = split_sections(lines)
    narrative_text = "\n".join(secs.get(1) or secs.get(0) or [])
    if not any(k in secs for k in (2, 3, 4)):
        text_lines = _tokens_by_triggers(lines)
    else:
        text_lines = {k: secs[k] for k in (2, 3, 4) if k in secs}
    from_grid = _parse_sections(grid_tokens(tables)) if tables else {}
    # the text is read for the sections the grids did not give completely
    text_lines = {k: v for k, v in text_lines.items() if not _complete(k, from_grid.get(k))}
    text_tokens = {k: tokenize_lines(v) for k, v in text_lines.items()}
    from_text = _parse_sections(text_tokens)
    missing = [k for k in (2, 3, 4) if not (from_text.get(k) and from_text[k].rows)
               and not _complete(k, from_grid.get(k))]
    if missing and any(k in secs for k in (2, 3, 4)):
        # headings present but a table elsewhere (some extractors put table text after the
        # body): find it by its rows' own words, outside the narrative of section 一
        after = [ln for k in sorted(secs) if k >= 2 for ln in secs[k]]
        extra = _parse_sections({k: tokenize_lines(v) for k, v in _tokens_by_triggers(after).items()
                                 if k in missing})
        for k, sp in extra.items():
            if sp.rows:
                sp.warnings.append(f"section {k}: table found outside its section")
                from_text[k] = sp
    s2_hint = (from_text.get(2) or SectionParse()).template or (from_grid.get(2) or SectionParse()).template

    sections: dict[int, SectionParse] = {}
    for sec in (2, 3, 4):
        g, t = from_grid.get(sec), from_text.get(sec)
        if g is not None and sec == 2 and g.template is None:
            g = _section2(group_tokens(grid_tokens(tables).get(2, [])), s2_hint)
        pick = g if g is not None and g.rows and (t is None or g.score() >= t.score()) else t
        if pick is not None and pick.rows:
            if sec in (2, 3) and len(pick.rows) < 3 and not (sec == 2 and detect_s2_template(
                    "".join(label_key(ln) for ln in secs.get(2, [])))):
                # a stray 行政许可 5 件 in a provincial-layout report is not a standard table
                rep.warnings.append(f"section {sec}: only {len(pick.rows)} row(s) recognised; not read")
                continue
            sections[sec] = pick
            rep.warnings.extend(pick.warnings)

    undivided = 3 in sections and "other_processing" in sections[3].rows and not any(
        r in sections[3].rows for r in OTHER_SPLIT)
    if sections:
        s2t = sections[2].template if 2 in sections else None
        rep.template = s2t or ("2019" if undivided else "2021")
    else:
        modern = any(k in secs for k in (2, 3))
        if (rep.report_year is not None and rep.report_year < 2019) or (not modern and len(norm.strip()) > 200):
            rep.template = "legacy"
        else:
            rep.warnings.append("no standard tables found")

    narrative = chk.narrative_figures(narrative_text)
    narrative_numbers = {int(x) for x in re.findall(r"\d+", narrative_text) if len(x) <= 7}
    chosen = _resolve(sections, narrative, narrative_numbers, undivided, rep.warnings)

    for sec in (2, 3, 4):
        sp = sections.get(sec)
        if sp is None:
            continue
        order = (list(S2_COLUMNS_2019 if sp.template == "2019" else S2_COLUMNS_2021) if sec == 2 else
                 s3_rows(undivided) + ([r for r in sp.rows if r not in s3_rows(undivided)]) if sec == 3 else
                 [_S4_KEY] + list(S4_ROWS))
        for row in order:
            rc = sp.rows.get(row)
            if rc is None:
                continue
            printed = chosen[(str(sec), row)]
            for col, p in zip(rc.columns, printed):
                r, c = (col.split("/") if row == _S4_KEY else (row, col))
                value, ok = parse_value(p, c)
                if not ok:
                    rep.warnings.append(f"section {sec}/{r}/{c}: printed {p!r} is not a count")
                rep.cells.append(Cell(str(sec), r, c, value, p, rc.inferred))
        if sec == 3:
            absent = [r for r in s3_rows(undivided) if r not in sp.rows]
            if absent:
                rep.warnings.append(f"section 3: rows not found: {', '.join(absent)}")

    if rep.cells:
        vals = {(c.section, c.row_key, c.column_key): c.value for c in rep.cells}
        rep.checks = chk.hard_checks(vals, undivided) + chk.narrative_checks(vals, narrative)
