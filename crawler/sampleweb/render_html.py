"""Report pages as Chinese portal CMSs publish them: content node, narrative, standard tables.

Tables follow the national forms: section 3 with its 3-row header (申请人情况 /
法人或其他组织) and rowspans down 三、本年度办理结果, section 4 as 15 cells under a 3-row header.
"""
from __future__ import annotations

import html
import logging

from .grids import Grid, report_grids
from .layout import SECTION_TITLES_2019, SECTION_TITLES_2021

logger = logging.getLogger(__name__)

e = html.escape
TABLE_OPEN = ('<table border="1" cellspacing="0" cellpadding="0" width="600" '
              'style="border-collapse:collapse;border:none;margin:0 auto;">')


def _td(text: str, *, rowspan: int = 1, colspan: int = 1, center: bool = True) -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    style = "text-align:center" if center else "text-align:left"
    return f'<td{attrs} style="border:solid windowtext 1px;padding:0 5px;"><p style="{style}"><span>{e(text).replace(chr(10), "<br/>")}</span></p></td>'


def grid_table(grid: Grid) -> str:
    """A grid as an HTML table with rowspan/colspan, as a CMS editor saves it."""
    n, _, cells = grid
    rows: list[list[str]] = [[] for _ in range(n)]
    for r, c, rs, cs, text, align in sorted(cells, key=lambda x: (x[0], x[1])):
        rows[r].append(_td(text, rowspan=rs, colspan=cs, center=(align == "c")))
    return TABLE_OPEN + "<tbody>" + "".join("<tr>" + "".join(r) + "</tr>" for r in rows) + "</tbody></table>"


def section_titles(template: str) -> dict[int, str]:
    return SECTION_TITLES_2021 if template == "2021" else SECTION_TITLES_2019


def _paras(ps: list[str]) -> str:
    return "".join(f'<p style="text-indent:2em;">{e(p)}</p>' for p in ps)


def report_content(rep: dict) -> str:
    """Inner HTML of the content node: title, six sections, tables (legacy: prose only)."""
    out = [f'<p style="text-align:center;"><strong>{e(rep["title"])}</strong></p>']
    nar = rep["narrative"]
    if rep["template"] == "legacy":
        for k in ("1", "5", "6"):
            out.append(_paras(nar.get(k, [])))
        return "".join(out)
    titles = section_titles(rep["template"])
    grids = report_grids(rep)
    for n in range(1, 7):
        out.append(f'<p style="text-indent:2em;"><strong>{e(titles[n])}</strong></p>')
        if n in grids:
            out.append(grid_table(grids[n]))
        else:
            out.append(_paras(nar.get(str(n), [])))
    return "".join(out)
