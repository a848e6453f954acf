"""Small generated fixtures: one synthetic report rendered as DOCX, PDF (LibreOffice), DOC,
WPS (DOC bytes, length off a 512 multiple), scanned PDF, XLS, XLSX and HTML (UTF-8/GBK).

Generated once per test session into a temp dir (LibreOffice runs once for all formats).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TITLE = "某县人民政府办公室2023年政府信息公开工作年度报告"
PARAS = [
    "一、总体情况",
    "2023年，某县人民政府办公室紧扣“放管服”改革要求，深化政务公开，不断提升“透明度”和公信力。",
    "（一）主动公开：共发布各类公开信息2281条，受理县长信箱诉求225项，办结率100%。",
    "（二）依申请公开：2023年共收到依申请公开事项65项，上年结转0项，办结65项。",
    "二、主动公开政府信息情况",
]
SEC2 = [
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "0"],
    ["行政规范性文件", "7", "1", "38"],
]
COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
ROWS3 = [
    ("一、本年新收政府信息公开申请数量", None, [65, 0, 0, 0, 0, 0, 65]),
    ("二、上年结转政府信息公开申请数量", None, [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "（一）予以公开", [42, 0, 0, 0, 0, 0, 42]),
    ("三、本年度办理结果", "（二）部分公开", [3, 0, 0, 0, 0, 0, 3]),
    ("三、本年度办理结果", "（三）不予公开 1.属于国家秘密", [15, 0, 0, 0, 0, 0, 15]),
    ("三、本年度办理结果", "（四）无法提供 1.本机关不掌握相关政府信息", [5, 0, 0, 0, 0, 0, 5]),
    ("三、本年度办理结果", "（七）总计", [65, 0, 0, 0, 0, 0, 65]),
    ("四、结转下年度继续办理", None, [0, 0, 0, 0, 0, 0, 0]),
]
TAIL = [
    "三、收到和处理政府信息公开申请情况",
]
END = [
    "五、存在的主要问题及改进情况",
    "主要问题是“公开不及时”，下一步将加强培训。",
    "六、其他需要报告的事项",
    "本机关未收取信息处理费。",
]
# filler paragraphs push the big table across a page break
FILLER = [f"（{i}）补充说明第{i}段：持续推进重点领域信息公开，完善“一网通办”平台功能。" for i in range(1, 13)]


def sec3_grid() -> list[list[str]]:
    """The expanded truth grid of the section-3 table (merged cells repeat)."""
    head1 = ["申请人情况", "申请人情况", "自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "总计"]
    head2 = ["申请人情况", "申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [head1, head2]
    for a, b, nums in ROWS3:
        rows.append([a, b or a] + [str(v) for v in nums])
    return rows


def narrative() -> list[str]:
    return [TITLE] + PARAS + TAIL + FILLER + END


def build_docx(path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    d = Document()
    d.add_paragraph(TITLE)
    for p in PARAS:
        d.add_paragraph(p)
    t = d.add_table(rows=len(SEC2), cols=4)
    t.style = "Table Grid"
    for i, r in enumerate(SEC2):
        for j, v in enumerate(r):
            t.cell(i, j).text = v
    for p in TAIL + FILLER:
        d.add_paragraph(p)
    g = sec3_grid()
    t = d.add_table(rows=len(g), cols=9)
    t.style = "Table Grid"
    # header merges
    t.cell(0, 0).merge(t.cell(1, 1)).text = "申请人情况"
    t.cell(0, 2).merge(t.cell(1, 2)).text = "自然人"
    t.cell(0, 3).merge(t.cell(0, 7)).text = "法人或其他组织"
    t.cell(0, 8).merge(t.cell(1, 8)).text = "总计"
    for j, name in enumerate(COLS[1:6]):
        t.cell(1, 3 + j).text = name
    r0 = 2
    for i, (a, b, nums) in enumerate(ROWS3):
        if b is None:
            t.cell(r0 + i, 0).merge(t.cell(r0 + i, 1)).text = a
        else:
            t.cell(r0 + i, 1).text = b
        for j, v in enumerate(nums):
            t.cell(r0 + i, 2 + j).text = str(v)
    # vertical merge of the 三、 label across its rows
    idx = [r0 + i for i, (_, b, _) in enumerate(ROWS3) if b is not None]
    t.cell(idx[0], 0).merge(t.cell(idx[-1], 0)).text = "三、本年度办理结果"
    for row in t.rows:
        for c in row.cells:
            for p in c.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    for p in END:
        d.add_paragraph(p)
    d.save(str(path))


def build_html(path: Path, encoding: str = "utf-8") -> None:
    body = [f"<p>{p}</p>" for p in PARAS]
    body.append("<table border='1'>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in SEC2) + "</table>")
    body += [f"<p>{p}</p>" for p in TAIL + FILLER]
    rows_html = [
        "<tr><td rowspan='2' colspan='2'>申请人情况</td><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>",
        "<tr>" + "".join(f"<td>{c}</td>" for c in COLS[1:6]) + "</tr>",
    ]
    n3 = sum(1 for _, b, _ in ROWS3 if b)
    first3 = True
    for a, b, nums in ROWS3:
        cells = "".join(f"<td>{v}</td>" for v in nums)
        if b is None:
            rows_html.append(f"<tr><td colspan='2'>{a}</td>{cells}</tr>")
        elif first3:
            rows_html.append(f"<tr><td rowspan='{n3}'>{a}</td><td>{b}</td>{cells}</tr>")
            first3 = False
        else:
            rows_html.append(f"<tr><td>{b}</td>{cells}</tr>")
    body.append("<table border='1'>" + "".join(rows_html) + "</table>")
    body += [f"<p>{p}</p>" for p in END]
    cs = "gb2312" if encoding != "utf-8" else "utf-8"
    html = (
        f"<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset={cs}'>"
        f"<meta name='ArticleTitle' content='{TITLE}'><meta name='PubDate' content='2024-01-20 09:30'>"
        f"<title>{TITLE}_某县人民政府</title></head><body><div class='header'><a href='/'>首页</a> 政务公开</div>"
        f"<div class='article'><h1>{TITLE}</h1><div id='zoom'>" + "\n".join(body) + "</div></div>"
        "<div class='footer'>主办：某县人民政府办公室 备案号</div></body></html>"
    )
    path.write_bytes(html.encode(encoding))


def build_xls(path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("表3")
    ws.write_merge(0, 1, 0, 1, "申请人情况")
    ws.write_merge(0, 1, 2, 2, "自然人")
    ws.write_merge(0, 0, 3, 7, "法人或其他组织")
    ws.write_merge(0, 1, 8, 8, "总计")
    for j, name in enumerate(COLS[1:6]):
        ws.write(1, 3 + j, name)
    n3 = [i for i, (_, b, _) in enumerate(ROWS3) if b]
    for i, (a, b, nums) in enumerate(ROWS3):
        r = 2 + i
        if b is None:
            ws.write_merge(r, r, 0, 1, a)
        else:
            ws.write(r, 1, b)
        for j, v in enumerate(nums):
            ws.write(r, 2 + j, v)
    ws.write_merge(2 + n3[0], 2 + n3[-1], 0, 0, "三、本年度办理结果")
    ws2 = wb.add_sheet("表2")
    for i, r in enumerate(SEC2):
        for j, v in enumerate(r):
            ws2.write(i, j, int(v) if v.isdigit() else v)
    wb.save(str(path))


def build_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表3"
    for i, row in enumerate(sec3_grid()):
        for j, v in enumerate(row):
            ws.cell(i + 1, j + 1, int(v) if v.isdigit() else v)
    # merge the header block: openpyxl clears covered cells, as Excel does
    ws.merge_cells("A1:B2")
    ws.merge_cells("C1:C2")
    ws.merge_cells("D1:H1")
    ws.merge_cells("I1:I2")
    wb.save(str(path))


def soffice_convert(src: list[Path], fmt: str, outdir: Path) -> None:
    prof = Path(tempfile.mkdtemp(prefix="lo_fixture_"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{prof}", "--headless", "--norestore", "--convert-to", fmt,
             "--outdir", str(outdir), *map(str, src)],
            check=True, capture_output=True, timeout=180,
        )
    finally:
        shutil.rmtree(prof, ignore_errors=True)


def scan_pdf(pdf: Path, out: Path, dpi: int = 150, pages: int | None = None) -> None:
    """An image-only PDF made by rendering each page (what a scanner produces)."""
    import fitz

    src = fitz.open(str(pdf))
    dst = fitz.open()
    for i, page in enumerate(src):
        if pages is not None and i >= pages:
            break
        pix = page.get_pixmap(dpi=dpi, colorspace=fitz.csGRAY)
        p = dst.new_page(width=page.rect.width, height=page.rect.height)
        p.insert_image(p.rect, stream=pix.tobytes("jpg", jpg_quality=75))
    dst.save(str(out))


COMMITTED = Path(__file__).resolve().parent.parent / "files" / "extract"
OFFICE = ("report.docx", "report.pdf", "report.doc", "report.wps")


def build_office(d: Path) -> None:
    """The LibreOffice-made files (slow: committed under tests/files/extract/)."""
    build_docx(d / "report.docx")
    soffice_convert([d / "report.docx"], "pdf", d)
    soffice_convert([d / "report.docx"], "doc:MS Word 97", d)
    data = (d / "report.doc").read_bytes()
    # WPS writes OLE files a few bytes short of a 512 multiple
    (d / "report.wps").write_bytes(data[: len(data) - 512 + 509] if len(data) % 512 == 0 else data)


def build_all(d: Path, regenerate: bool = False) -> dict[str, Path]:
    d.mkdir(parents=True, exist_ok=True)
    if regenerate or not all((COMMITTED / n).exists() for n in OFFICE):
        build_office(d)
    else:
        for n in OFFICE:
            shutil.copy(COMMITTED / n, d / n)
    build_html(d / "report_utf8.html")
    build_html(d / "report_gbk.html", "gbk")
    build_xls(d / "report.xls")
    build_xlsx(d / "report.xlsx")
    scan_pdf(d / "report.pdf", d / "report_scan.pdf")
    return {p.name: p for p in d.iterdir()}


if __name__ == "__main__":  # python tests/extract/extract_fixtures.py: refresh the committed files
    COMMITTED.mkdir(parents=True, exist_ok=True)
    build_office(COMMITTED)
    print(sorted(p.name for p in COMMITTED.iterdir()))
