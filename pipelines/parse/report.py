"""parse_report(): text (+ cell grids) -> ParsedReport.

Both sources are read: the grids the extractor found (if any) and the text. Per section the
source that yields more complete rows wins (ties go to the grid: its structure is explicit).
Rows printed as runs of digits are cut by the report's own arithmetic, solved over the whole
table (solve.py): a cell is read, and marked inferred, only where the checks leave one
reading; otherwise it is left unread with a warning. Printed values are never altered
afterwards — the checks report disagreements.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Mapping

from pipelines.parse import checks as chk
from pipelines.parse.grid import grid_tokens
from pipelines.parse.labels import S2_COLUMNS_2019, S2_COLUMNS_2021, S4_ROWS, OTHER_SPLIT, s3_rows
from pipelines.parse.layout import (detect_s2_template, has_modern_s3_table, split_headings,
                                    split_sections, undivided_other)
from pipelines.parse.model import Cell, ParsedReport
from pipelines.parse.normalize import label_key, normalize_text, parse_value
from pipelines.parse.sections import (S4_KEY, SectionParse, complete, lines_by_triggers,
                                      parse_sections, section2)
from pipelines.parse.solve import solve
from pipelines.parse.text import group_tokens, tokenize_lines
from pipelines.dates import iso_date
from pipelines.texthash import text_hash

logger = logging.getLogger(__name__)

PARSER_VERSION = "parse-1.1"


# ---------------------------------------------------------------- rows printed without separators

def _read_runs(sections: dict[int, SectionParse], narrative: dict[str, int], undivided: bool,
               warnings: list[str]) -> dict[tuple[str, str, str], str]:
    """Printed part per cell of the run-together rows the report's arithmetic determines.

    A run that is not beyond doubt (several short tokens, no cut fitting its own check) is
    cut only when the document shows at least two evident runs: otherwise its tokens are
    more likely cells the extractor dropped than separators the copy lost.
    """
    evident = sum(1 for sp in sections.values() for rc in sp.rows.values() if rc.run and rc.evident)
    for sec, sp in sections.items():
        for row, rc in list(sp.rows.items()):
            if rc.run and not rc.evident and evident < 2:
                del sp.rows[row]
                warnings.append(f"{rc.run.name}: only {len(rc.run.atoms)} of {len(rc.cells)} values")
    runs = [rc.run for sp in sections.values() for rc in sp.rows.values() if rc.run]
    if not runs:
        return {}
    fixed = {cell: parse_value(p, cell[2])[0]
             for sp in sections.values() for rc in sp.rows.values() if rc.printed is not None
             for cell, p in zip(rc.cells, rc.printed)}
    outcome = solve(runs, fixed, chk.hard_forms(undivided), narrative, chk.NARRATIVE_CELLS)
    warnings.extend(outcome.warnings)
    by_section: dict[str, int] = {}
    for run in runs:
        if all(c in outcome.read for c in run.cells):
            by_section[run.cells[0][0]] = by_section.get(run.cells[0][0], 0) + 1
    for sec, k in sorted(by_section.items()):
        warnings.append(f"section {sec}: {k} row(s) printed without separators, cut where the checks allow "
                        f"only one reading (cells marked inferred)")
    return outcome.read


def _template(rep: ParsedReport, sections: dict[int, SectionParse], secs: dict[int, list[str]], norm: str,
              undivided: bool) -> str | None:
    """'2021' / '2019' from the labels (section 二's headers first, then the （六） row), never
    from the year; 'legacy' only without the post-2019 section-三 table's words."""
    if 2 in sections and sections[2].template:
        return sections[2].template
    if 3 in sections:
        s2 = detect_s2_template("".join(label_key(ln) for ln in secs[2])) if 2 in secs else None
        return s2 or ("2019" if undivided else "2021")
    keys = label_key(norm)
    s2 = detect_s2_template("".join(label_key(ln) for ln in secs[2]) if 2 in secs else keys)
    if s2 or sections or has_modern_s3_table(keys):
        if not sections:
            rep.warnings.append("the standard tables' labels are there but no figures were read")
        return s2 or ("2019" if undivided_other(keys) else "2021")
    modern = any(k in secs for k in (2, 3))
    if (rep.report_year is not None and rep.report_year < 2019) or (not modern and len(norm.strip()) > 200):
        return "legacy"
    rep.warnings.append("no standard tables found")
    return None


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
    lines = split_headings(lines)
    secs = split_sections(lines)
    narrative_text = "\n".join(secs.get(1) or secs.get(0) or [])
    if not any(k in secs for k in (2, 3, 4)):
        text_lines = lines_by_triggers(lines)
    else:
        text_lines = {k: secs[k] for k in (2, 3, 4) if k in secs}
    from_grid = parse_sections(grid_tokens(tables)) if tables else {}
    # the text is read for the sections the grids did not give completely
    text_lines = {k: v for k, v in text_lines.items() if not complete(k, from_grid.get(k))}
    text_tokens = {k: tokenize_lines(v) for k, v in text_lines.items()}
    from_text = parse_sections(text_tokens)
    missing = [k for k in (2, 3, 4) if not (from_text.get(k) and from_text[k].rows)
               and not complete(k, from_grid.get(k))]
    if missing and any(k in secs for k in (2, 3, 4)):
        # headings present but a table elsewhere (some extractors put table text after the
        # body): find it by its rows' own words, outside the narrative of section 一
        after = [ln for k in sorted(secs) if k >= 2 for ln in secs[k]]
        extra = parse_sections({k: tokenize_lines(v) for k, v in lines_by_triggers(after).items()
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
            g = section2(group_tokens(grid_tokens(tables).get(2, [])), s2_hint)
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
    rep.template = _template(rep, sections, secs, norm, undivided)

    narrative = chk.narrative_figures(narrative_text)
    inferred = _read_runs(sections, narrative, undivided, rep.warnings)

    for sec in (2, 3, 4):
        sp = sections.get(sec)
        if sp is None:
            continue
        order = (list(S2_COLUMNS_2019 if sp.template == "2019" else S2_COLUMNS_2021) if sec == 2 else
                 s3_rows(undivided) + ([r for r in sp.rows if r not in s3_rows(undivided)]) if sec == 3 else
                 [S4_KEY] + list(S4_ROWS))
        for row in order:
            rc = sp.rows.get(row)
            if rc is None:
                continue
            for i, (s_, r, c) in enumerate(rc.cells):
                p = rc.printed[i] if rc.printed is not None else inferred.get((s_, r, c))
                if p is None:
                    continue            # a run's cell the checks leave open: not read
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
