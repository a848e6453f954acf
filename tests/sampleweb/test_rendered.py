"""Each seed rendering really carries the seed: narrative paragraphs and table figures are in
the file, merged cells are merged, encodings and container formats are what they claim."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from crawler.sampleweb import rendered_seeds

RS = rendered_seeds()
S3_ROWS_ORDER = ["new_received", "carried_over_prev"]


def squash(t: str) -> str:
    return re.sub(r"[\s\u3000\u00a0]+", "", t)


def by_format(fmt: str) -> list[dict]:
    return [r for r in RS if r["format"] == fmt]


def expand_html_table(table) -> list[list[str]]:
    """rowspan/colspan expanded grid of an lxml <table>."""
    grid: dict[tuple[int, int], str] = {}
    for i, tr in enumerate(table.iter("tr")):
        j = 0
        for td in tr.iter("td"):
            while (i, j) in grid:
                j += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = squash(td.text_content())
            for a in range(i, i + rs):
                for b in range(j, j + cs):
                    grid[(a, b)] = text
            j += cs
    n = max(a for a, _ in grid) + 1
    m = max(b for _, b in grid) + 1
    return [[grid.get((a, b), "") for b in range(m)] for a in range(n)]


@pytest.mark.parametrize("r", by_format("html") + by_format("html_gbk") + by_format("html_nocharset"),
                         ids=lambda r: f"{r['seed']}-{r['format']}")
def test_html_has_paragraphs_and_tables(r):
    import lxml.html

    raw = r["path"].read_bytes()
    if r["format"] == "html_gbk":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert b"charset=gb2312" in raw
        text = raw.decode("gb18030")
    else:
        text = raw.decode("utf-8")
        assert (b"charset" in raw) == (r["format"] == "html")
    doc = lxml.html.fromstring(text)
    node = doc.xpath('//div[contains(@class,"TRS_Editor") or @id="zoom" or contains(@class,"article-content")]')
    assert node, "content node missing"
    body = squash(node[0].text_content())
    for k, paras in r["truth"]["narrative"].items():
        for p in paras:
            assert squash(p) in body, (k, p[:20])
    tables = node[0].xpath(".//table")
    assert len(tables) == 3
    assert any(td.get("rowspan") for td in tables[1].iter("td"))
    grid = expand_html_table(tables[1])
    s3 = r["truth"]["section3"]
    assert grid[3][3:] == [str(v) for v in s3["new_received"]]
    assert grid[-1][3:] == [str(v) for v in s3["carried_forward"]]
    assert grid[5][0] == "三、本年度办理结果"
    s4 = expand_html_table(tables[2])
    flat = [str(v) for k in ("review", "litigation_direct", "litigation_after_review") for v in r["truth"]["section4"][k]]
    assert s4[-1] == flat


@pytest.mark.parametrize("r", by_format("docx"), ids=lambda r: r["seed"])
def test_docx_paragraphs_and_merged_cells(r):
    import docx

    d = docx.Document(str(r["path"]))
    text = squash("".join(p.text for p in d.paragraphs))
    for paras in r["truth"]["narrative"].values():
        for p in paras:
            assert squash(p) in text
    assert len(d.tables) == 3
    t3 = d.tables[1]
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc          # the 3×3 header note is one merged cell
    assert t3.cell(5, 0)._tc is t3.cell(6, 0)._tc          # 三、本年度办理结果 spans the result rows
    vals = [t3.cell(3, j).text for j in range(3, 10)]
    assert vals == [str(v) for v in r["truth"]["section3"]["new_received"]]


@pytest.mark.parametrize("r", by_format("xls"), ids=lambda r: r["seed"])
def test_xls_tables(r):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(r["path"]))
    rows = wb.get_sheet_by_index(0).to_python()
    want = [float(v) for v in r["truth"]["section3"]["new_received"]]
    hits = [row for row in rows if row and str(row[0]).startswith("一、本年新收")]
    assert hits and [float(x) for x in hits[0][3:10]] == want
    flat = [float(v) for k in ("review", "litigation_direct", "litigation_after_review") for v in r["truth"]["section4"][k]]
    numeric = [row[:15] for row in rows if len(row) >= 15 and all(isinstance(x, (int, float)) for x in row[:15])]
    assert [float(x) for x in numeric[-1]] == flat


def _page_text_by_lines(page) -> str:
    """Characters regrouped by baseline then x: LibreOffice sets quotation marks in another
    font, and plain extraction order puts them outside their line."""
    chars = []
    for b in page.get_text("rawdict")["blocks"]:
        for line in b.get("lines", []):
            for span in line["spans"]:
                for ch in span["chars"]:
                    chars.append((round(ch["origin"][1] / 3), ch["origin"][0], ch["c"]))
    chars.sort()
    return "".join(c for _, _, c in chars)


@pytest.mark.parametrize("r", by_format("pdf"), ids=lambda r: r["seed"])
def test_text_pdf_has_every_paragraph(r):
    import fitz

    doc = fitz.open(str(r["path"]))
    assert "Writer" in (doc.metadata.get("creator") or "") or "LibreOffice" in (doc.metadata.get("producer") or "")
    text = squash("".join(_page_text_by_lines(p) for p in doc))
    for paras in r["truth"]["narrative"].values():
        for p in paras:
            assert squash(p) in text, p[:20]


@pytest.mark.parametrize("r", by_format("pdf_scan"), ids=lambda r: r["seed"])
def test_scan_pdf_is_image_only_200dpi(r):
    import fitz

    doc = fitz.open(str(r["path"]))
    assert len(doc) >= 1
    for page in doc:
        assert page.get_text().strip() == ""
        imgs = page.get_images()
        assert len(imgs) == 1
        dpi = imgs[0][2] / page.rect.width * 72
        assert 190 <= dpi <= 210


@pytest.mark.parametrize("seed", sorted({r["seed"] for r in RS}))
def test_doc_and_wps_are_ole_and_wps_is_short(seed):
    doc = next(r for r in RS if r["seed"] == seed and r["format"] == "doc")["path"].read_bytes()
    wps = next(r for r in RS if r["seed"] == seed and r["format"] == "wps")["path"].read_bytes()
    magic = bytes.fromhex("D0CF11E0A1B11AE1")
    assert doc.startswith(magic) and wps.startswith(magic)
    assert len(doc) % 512 == 0 and 0 < (-len(wps)) % 512 < 16
    assert doc.startswith(wps)


def test_padded_wps_reads_as_word(tmp_path):
    assert shutil.which("antiword"), "antiword is not installed (scripts/bootstrap.sh installs it)"
    r = next(r for r in RS if r["format"] == "wps")
    data = r["path"].read_bytes()
    p = tmp_path / "x.doc"
    p.write_bytes(data + b"\0" * ((-len(data)) % 512))
    out = subprocess.run(["antiword", "-m", "UTF-8.txt", str(p)], capture_output=True, check=True).stdout.decode()
    assert squash(r["truth"]["narrative"]["6"][0]) in squash(out)


def _served(fmt: str) -> list[dict]:
    from crawler.sampleweb import load_truth

    return [d for d in load_truth()["reports"] if d["format"] == fmt and d["template"] != "legacy"]


@pytest.mark.parametrize("d", _served("html"), ids=lambda d: d["group"] + "@" + d["site"])
def test_served_html_figures_match_truth(d):
    import lxml.html

    from crawler.sampleweb import SITE_DIR

    raw = (SITE_DIR / d["file"]).read_bytes()
    text = raw.decode("gbk" if d["charset"] == "gbk" else "utf-8")   # strict: the bytes are what they claim
    tables = lxml.html.fromstring(text).xpath("//table")
    assert len(tables) == 3
    grid = expand_html_table(tables[1])
    rows = [r for r in grid[3:]]
    from crawler.sampleweb.layout import s3_rows

    keys = s3_rows(d["template"])               # printed order (truth.json keys are sorted)
    assert set(keys) == set(d["section3"])
    assert len(rows) == len(keys)
    for key, row in zip(keys, rows):
        assert row[3:] == [str(v) for v in d["section3"][key]], key
    flat = [str(v) for k in ("review", "litigation_direct", "litigation_after_review") for v in d["section4"][k]]
    assert expand_html_table(tables[2])[-1] == flat
