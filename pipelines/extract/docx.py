"""DOCX via python-docx: paragraphs and tables in body order, merged cells expanded.

python-docx repeats a merged cell in ``row.cells`` (gridSpan and vMerge), which is the
expanded grid we want; text lines list each underlying <w:tc> once per row. The zip and its
XML parts are checked for bombs before python-docx opens anything.
"""
from __future__ import annotations

import io
import logging

from .base import Extraction, ExtractionFailed, PageInfo, Table, cell_text, clean_line, count_chars, rectangular
from .limits import check_xml_members, check_zip

logger = logging.getLogger(__name__)


def _table_rows(tbl) -> tuple[list[list[str]], list[str]]:
    from docx.table import Table as DocxTable

    grid: list[list[str]] = []
    lines: list[str] = []
    for row in tbl.rows:
        cells = row.cells
        texts: list[str] = []
        seen: set = set()
        line: list[str] = []
        for c in cells:
            t = cell_text("\n".join(p.text for p in c.paragraphs))
            # nested tables: their text joins the cell
            for inner in c.tables:
                ig, _ = _table_rows(DocxTable(inner._tbl, c))
                t = cell_text("\n".join([t] + [" ".join(r) for r in ig]))
            texts.append(t)
            if id(c._tc) not in seen:
                seen.add(id(c._tc))
                if t:
                    line.append(t)
        grid.append(texts)
        if line:
            lines.append("\t".join(line))
    return grid, lines


def extract_docx(data: bytes) -> Extraction:
    zf = check_zip(data, "DOCX")
    names = set(zf.namelist())
    if "word/document.xml" not in names:
        raise ExtractionFailed("not a Word document: the zip has no word/document.xml")
    check_xml_members(zf, "DOCX")
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ExtractionFailed(f"corrupt DOCX: {type(e).__name__}: {e}") from None
    lines: list[str] = []
    tables: list[Table] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            t = clean_line(Paragraph(child, d).text)
            if t:
                lines.append(t)
        elif tag == "tbl":
            grid, tlines = _table_rows(DocxTable(child, d))
            grid = rectangular(grid)
            if grid:
                tables.append(Table(rows=grid, page=None))
                lines.extend(tlines)
        elif tag == "sdt":  # content controls wrap paragraphs/tables
            for p in child.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
                t = clean_line(Paragraph(p, d).text)
                if t:
                    lines.append(t)
    text = "\n".join(lines)
    cp = d.core_properties
    meta = {
        "title": cp.title or None,
        "author": cp.author or None,
        "created": cp.created.isoformat() if cp.created else None,
        "modified": cp.modified.isoformat() if cp.modified else None,
    }
    return Extraction(
        format="docx",
        extractor="python-docx",
        text=text,
        tables=tables,
        pages=[PageInfo(1, count_chars(text))],
        metadata=meta,
    )
