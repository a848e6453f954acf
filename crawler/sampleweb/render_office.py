"""Binary renderings of a report: DOCX (python-docx), XLS (xlwt), and through LibreOffice
headless PDF and DOC; a .wps (a DOC as WPS saves it); a scanned PDF (page images only).

Outputs are made byte-stable where the tool allows: DOCX/XLS are deterministic; LibreOffice
outputs carry timestamps, so build.py reuses a committed output while its source is unchanged.
"""
from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from .grids import Grid, report_grids
from .layout import SECTION_TITLES_2019, SECTION_TITLES_2021

logger = logging.getLogger(__name__)

FIXED_TIME = datetime(2024, 3, 1, 9, 0, 0)
ZIP_TIME = (2024, 3, 1, 9, 0, 0)


def _titles(template: str) -> dict[int, str]:
    return SECTION_TITLES_2021 if template == "2021" else SECTION_TITLES_2019


# ---- DOCX -------------------------------------------------------------------------------

def _docx_table(doc, grid: Grid) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    n, m, cells = grid
    t = doc.add_table(rows=n, cols=m)
    t.style = "Table Grid"
    t.autofit = False
    widths = {4: [4.4, 3.6, 3.6, 3.6], 10: [1.5, 1.7, 5.3] + [1.1] * 7}.get(m, [16.0 / m] * m)
    for i, col in enumerate(t.columns):
        col.width = Cm(widths[i])
    # python-docx recomputes the whole cell grid on every t.cell(); fetch it once (merged
    # regions never overlap, so the fetched cells stay valid while merging)
    grid_cells = t._cells
    for k, c in enumerate(grid_cells):
        c.width = Cm(widths[k % m])
    for r, c, rs, cs, text, align in cells:
        cell = grid_cells[r * m + c]
        if rs > 1 or cs > 1:
            cell = cell.merge(grid_cells[(r + rs - 1) * m + c + cs - 1])
        cell.text = text
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "c" else WD_ALIGN_PARAGRAPH.LEFT
            for run in p.runs:
                run.font.size = Pt(8 if m > 10 else 9)


def render_docx(rep: dict) -> bytes:
    """The report as a Word document: title, headings, paragraphs, tables with merged cells."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    cp = doc.core_properties
    cp.author = rep.get("agency") or ""
    cp.title = rep["title"]
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_modified_by = ""
    cp.comments = ""
    cp.revision = 1
    h = doc.add_paragraph()
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = h.add_run(rep["title"])
    run.bold = True
    run.font.size = Pt(16)
    nar = rep["narrative"]
    grids = report_grids(rep)
    if rep["template"] == "legacy":
        for k in ("1", "5", "6"):
            for p in nar.get(k, []):
                doc.add_paragraph(p).paragraph_format.first_line_indent = Pt(22)
    else:
        titles = _titles(rep["template"])
        for sec in range(1, 7):
            doc.add_paragraph().add_run(titles[sec]).bold = True
            if sec in grids:
                _docx_table(doc, grids[sec])
            else:
                for p in nar.get(str(sec), []):
                    doc.add_paragraph(p).paragraph_format.first_line_indent = Pt(22)
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ---- XLS --------------------------------------------------------------------------------

def render_xls(rep: dict) -> bytes:
    """The tables of a report in one BIFF8 sheet (merged cells kept), as offices attach them."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("年报附表")
    border = "borders: left thin, right thin, top thin, bottom thin;"
    st_c = xlwt.easyxf(border + "align: wrap on, horiz center, vert center;")
    st_l = xlwt.easyxf(border + "align: wrap on, horiz left, vert center;")
    st_t = xlwt.easyxf("font: bold on, height 280; align: horiz center;")
    st_h = xlwt.easyxf("font: bold on;")
    ws.write_merge(0, 0, 0, 14, rep["title"], st_t)
    row = 2
    titles = _titles(rep["template"])
    for sec, (n, m, cells) in report_grids(rep).items():
        ws.write(row, 0, titles[sec], st_h)
        row += 1
        for r, c, rs, cs, text, align in cells:
            st = st_c if align == "c" else st_l
            val: object = text
            if text.lstrip("+-").replace(".", "", 1).isdigit() and not text.startswith("+"):
                val = float(text) if "." in text else int(text)
            if rs > 1 or cs > 1:
                ws.write_merge(row + r, row + r + rs - 1, c, c + cs - 1, val, st)
            else:
                ws.write(row + r, c, val, st)
        row += n + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- LibreOffice --------------------------------------------------------------------------

def soffice_convert(sources: dict[str, bytes], target: str) -> dict[str, bytes]:
    """Convert {name.docx: bytes} with one headless LibreOffice run; returns {name.<target>: bytes}.

    target: 'pdf' (writer_pdf_Export) or 'doc' (MS Word 97). A private profile directory keeps
    concurrent LibreOffice users from colliding.
    """
    if not sources:
        return {}
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError("LibreOffice (soffice) is needed to build PDF/DOC renderings")
    filt = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97"}[target]
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        t = Path(tmp)
        (t / "in").mkdir()
        (t / "out").mkdir()
        for name, data in sources.items():
            (t / "in" / name).write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{t}/profile", "--headless", "--norestore",
               "--convert-to", filt, "--outdir", str(t / "out")] + sorted(str(t / "in" / n) for n in sources)
        env = dict(os.environ, HOME=str(t))
        subprocess.run(cmd, check=True, capture_output=True, timeout=600, env=env)
        out = {}
        for name in sources:
            stem = name.rsplit(".", 1)[0]
            p = t / "out" / f"{stem}.{target}"
            if not p.exists():
                raise RuntimeError(f"LibreOffice did not produce {p.name}")
            out[f"{stem}.{target}"] = p.read_bytes()
        return out


def wps_from_doc(doc: bytes, short_by: int = 7) -> bytes:
    """A .wps as WPS Office writes it: an OLE (DOC) file a few bytes short of a 512 multiple.

    Only trailing zero/0xFF filler of the last sector is dropped, so padding restores the file.
    """
    cut = 0
    while cut < short_by and doc[len(doc) - cut - 1] in (0, 0xFF):
        cut += 1
    return doc[: len(doc) - cut] if cut else doc


# ---- scanned PDF ----------------------------------------------------------------------------

def scan_pdf(pdf: bytes, dpi: int = 200) -> bytes:
    """Image-only PDF of another PDF: each page rasterised at ``dpi``, bilevel (1-bit) PNG.

    No text layer and no fonts: what an office scanner in black-and-white document mode
    attaches to a portal upload. Bilevel keeps the committed files small (~40 KB/page).
    """
    import fitz
    from PIL import Image

    src = fitz.open(stream=pdf, filetype="pdf")
    out = fitz.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=fitz.csGRAY)
        im = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        buf = io.BytesIO()
        im.point(lambda v: 255 if v > 160 else 0).convert("1").save(buf, "PNG", optimize=True)
        p = out.new_page(width=page.rect.width, height=page.rect.height)
        p.insert_image(p.rect, stream=buf.getvalue())
    out.set_metadata({"producer": "Scanner", "creator": "Scanner", "creationDate": "D:20240301090000+08'00'",
                      "modDate": "D:20240301090000+08'00'"})
    return out.tobytes(garbage=4, deflate=True, no_new_id=True)
