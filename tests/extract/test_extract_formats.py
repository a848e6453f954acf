"""Each generated format: every narrative paragraph in order, the section-3 grid exact."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

import extract_fixtures as fixtures
from pipelines.extract import EXTRACTOR_VERSION, Extraction, extract_bytes
from pipelines.extract.base import normalize_for_compare as norm


def _paragraphs_in_order(x: Extraction) -> list[str]:
    text = norm(x.text)
    pos, missing = 0, []
    for p in fixtures.narrative():
        i = text.find(norm(p), pos)
        if i < 0:
            missing.append(p)
        else:
            pos = i + len(norm(p))
    return missing


def _grid_norm(rows):
    return [[norm(c) for c in r] for r in rows]


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("report_utf8.html", "html"),
        ("report_gbk.html", "html"),
        ("report.pdf", "pdf"),
        ("report.docx", "docx"),
        ("report.doc", "doc"),
        ("report.wps", "doc"),
    ],
)
def test_narrative_and_tables(fx, name, fmt):
    x = extract_bytes(fx[name].read_bytes(), filename=name)
    assert x.error is None, x.error
    assert x.format == fmt
    assert x.extractor_version == EXTRACTOR_VERSION
    assert _paragraphs_in_order(x) == []
    grids = [_grid_norm(t.rows) for t in x.tables]
    assert _grid_norm(fixtures.SEC2) in grids
    # the section-3 table, merged cells expanded, split rows/pages stitched
    assert _grid_norm(fixtures.sec3_grid()) in grids
    assert x.pages and sum(p.chars for p in x.pages) > 500


def test_html_metadata_and_charset(fx):
    x = extract_bytes(fx["report_gbk.html"].read_bytes(), "text/html")
    assert x.metadata["charset"] == "gb18030"
    assert x.metadata["title"] == fixtures.TITLE
    assert x.metadata["published_at"] == "2024-01-20"
    assert x.metadata["content_selector"] == "#zoom"
    assert "首页" not in x.text and "备案号" not in x.text  # boilerplate outside the node


def test_html_generic_fallback_uses_trafilatura():
    paras = "".join(f"<p>第{i}段：政府信息公开工作稳步推进，主动公开信息{i * 10}条。</p>" for i in range(8))
    html = f"<html><head><title>t</title></head><body><ul><li><a href='/'>首页</a></li></ul><div class='x'>{paras}<table><tr><td>规章</td><td>3</td></tr><tr><td>规范性文件</td><td>4</td></tr></table></div></body></html>"
    x = extract_bytes(html.encode(), "text/html")
    assert x.extractor == "html-trafilatura"
    assert "主动公开信息70条" in x.text
    assert [["规章", "3"], ["规范性文件", "4"]] in [t.rows for t in x.tables]


def test_undeclared_gbk_detected():
    html = "<html><body><div class='TRS_Editor'><p>洛宁县人民政府办公室二〇二三年政府信息公开工作年度报告全文如下，请查阅。</p></div></body></html>"
    x = extract_bytes(html.encode("gbk"))
    assert x.error is None
    assert "洛宁县人民政府办公室" in x.text
    assert x.metadata["charset"] == "gb18030"


def test_pdf_quotes_do_not_break_lines(fx):
    x = extract_bytes(fx["report.pdf"].read_bytes())
    assert "紧扣“放管服”改革要求" in x.text  # LibreOffice sets “” in another font


def test_pdf_table_stitched_across_pages(fx):
    x = extract_bytes(fx["report.pdf"].read_bytes())
    assert len(x.pages) == 2
    sec3 = [t for t in x.tables if t.rows and "申请人情况" in t.rows[0][0]]
    assert len(sec3) == 1 and sec3[0].page == 1
    labels = [r[1] for r in sec3[0].rows]
    assert "（二）部分公开" in labels  # the row split by the page break is one row again


@pytest.mark.parametrize("name", ["report.xls", "report.xlsx"])
def test_spreadsheets_expand_merges(fx, name):
    x = extract_bytes(fx[name].read_bytes(), filename=name)
    assert x.error is None and x.format == name.rsplit(".", 1)[1]
    assert _grid_norm(x.tables[0].rows) == _grid_norm(fixtures.sec3_grid())


def test_to_dict_roundtrip(fx):
    x = extract_bytes(fx["report.docx"].read_bytes())
    d = json.loads(json.dumps(x.to_dict(), ensure_ascii=False))
    y = Extraction.from_dict(d)
    assert y.to_dict() == x.to_dict()


def test_threads_give_the_same_result(fx):
    names = ["report.pdf", "report.docx", "report_utf8.html", "report.xls", "report.doc", "report.pdf", "report.docx"]
    serial = [extract_bytes(fx[n].read_bytes(), filename=n) for n in names]
    with ThreadPoolExecutor(4) as ex:
        par = list(ex.map(lambda n: extract_bytes(fx[n].read_bytes(), filename=n), names))
    for a, b in zip(serial, par):
        assert a.error is None and b.error is None
        assert (a.text, [t.rows for t in a.tables]) == (b.text, [t.rows for t in b.tables])


@pytest.mark.slow
def test_scanned_pdf_ocr(fx):
    x = extract_bytes(fx["report_scan.pdf"].read_bytes())
    assert x.error is None
    assert x.pages and all(p.ocr for p in x.pages)
    assert "rapidocr" in x.extractor
    # figures: the numeric cells of every section-3 row are recovered in order
    rows = [[c for c in r if c.strip().isdigit()] for t in x.tables for r in t.rows]
    for _, _, nums in fixtures.ROWS3:
        assert [str(v) for v in nums] in rows
    # narrative within a small character error rate
    got = norm(x.text)
    import difflib

    for p in fixtures.PARAS + fixtures.END:
        m = difflib.SequenceMatcher(None, norm(p), got).find_longest_match(0, len(norm(p)), 0, len(got))
        assert m.size >= 0.5 * len(norm(p)) or norm(p)[:6] in got, p


def test_antiword_fallback_reads_text_and_tables(fx):
    from pipelines.extract.doc import antiword_extract, pad_ole

    text, tables = antiword_extract(pad_ole(fx["report.wps"].read_bytes())[0])
    got = norm(text)
    assert all(norm(p) in got for p in fixtures.PARAS + fixtures.END)
    assert _grid_norm(fixtures.SEC2) in [_grid_norm(t.rows) for t in tables]


@pytest.mark.slow
def test_image_ocr(fx):
    import fitz

    page = fitz.open(str(fx["report.pdf"]))[0]
    clip = fitz.Rect(0, 0, page.rect.width, 140)  # title and first lines only: keep it quick
    png = page.get_pixmap(dpi=200, clip=clip).tobytes("png")
    x = extract_bytes(png, "image/png", "scan.png")
    assert x.error is None and x.format == "image" and x.pages[0].ocr
    assert norm("2023年政府信息公开工作年度报告") in norm(x.text)
