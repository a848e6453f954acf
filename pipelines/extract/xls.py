"""XLS/XLSX via python-calamine: every sheet one table, merged ranges expanded."""
from __future__ import annotations

import datetime as dt
import io
import logging

from .base import Extraction, ExtractionFailed, PageInfo, Table, count_chars, rectangular, table_to_lines
from .doc import pad_ole
from .limits import check_xml_members, check_zip

logger = logging.getLogger(__name__)
MAX_CELLS = 2_000_000


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v).strip()


def extract_sheet(data: bytes, fmt: str) -> Extraction:
    from python_calamine import CalamineWorkbook

    warnings: list[str] = []
    if fmt == "xlsx":
        zf = check_zip(data, "XLSX")
        check_xml_members(zf, "XLSX")
    else:
        data, padded = pad_ole(data)
        if padded:
            warnings.append("OLE file padded to a 512-byte multiple (WPS)")
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:
        raise ExtractionFailed(f"corrupt {fmt.upper()}: {type(e).__name__}: {e}") from None
    tables: list[Table] = []
    pages: list[PageInfo] = []
    lines: list[str] = []
    total = 0
    for i, name in enumerate(wb.sheet_names, start=1):
        try:
            sh = wb.get_sheet_by_name(name)
            if sh.height * max(sh.width, 1) + total > MAX_CELLS:
                warnings.append(f"sheet {name!r} skipped: too many cells")
                continue
            total += sh.height * sh.width
            rows = [[_fmt(v) for v in r] for r in sh.to_python(skip_empty_area=False)]
            merged = getattr(sh, "merged_cell_ranges", None) or []
        except Exception as e:
            warnings.append(f"sheet {name!r} unreadable: {e}")
            continue
        for (r0, c0), (r1, c1) in merged:
            if r0 >= len(rows):
                continue
            v = rows[r0][c0] if c0 < len(rows[r0]) else ""
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                row = rows[r]
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = v
        grid = rectangular(rows)
        if grid:
            tables.append(Table(rows=grid, page=i))
            lines.append(name)
            lines.extend(table_to_lines(grid))
        pages.append(PageInfo(i, sum(count_chars("".join(r)) for r in grid)))
    if not merged_supported():
        warnings.append("python-calamine does not expose merged cells: spans not expanded")
    text = "\n".join(lines)
    return Extraction(format=fmt, extractor="python-calamine", text=text, tables=tables, pages=pages,
                      metadata={"sheets": list(wb.sheet_names)}, warnings=warnings)


def merged_supported() -> bool:
    from python_calamine import CalamineSheet

    return hasattr(CalamineSheet, "merged_cell_ranges")
