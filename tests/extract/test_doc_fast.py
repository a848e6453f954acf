"""DOC and WPS read directly (wordbin): the same text and cell grids LibreOffice gives, and
LibreOffice for what the direct reader does not understand."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from pipelines.extract import extract_bytes, wordbin
from pipelines.extract.doc import convert_with_soffice, pad_ole, read_fast
from pipelines.extract.docx import extract_docx

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "crawler" / "sampleweb" / "site"


def _lo(data: bytes):
    """What the LibreOffice path gives for a DOC (the reference)."""
    return extract_docx(convert_with_soffice(pad_ole(data)[0], ".doc", infilter="MS Word 97"))


def _word_files() -> list[Path]:
    files = sorted(SITE.glob("rendered/*/*.doc")) + sorted(SITE.glob("rendered/*/*.wps"))
    files += sorted(p for p in (SITE / "files").rglob("*") if p.suffix in (".doc", ".wps"))
    files += sorted((ROOT / "tests" / "files" / "extract").glob("*.doc")) + sorted((ROOT / "tests" / "files" / "extract").glob("*.wps"))
    return files


FILES = _word_files()


def test_there_are_word_files_to_compare():
    assert len(FILES) >= 12 and any(f.suffix == ".wps" for f in FILES)


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_same_text_and_cells_as_libreoffice(path):
    data = path.read_bytes()
    fast = read_fast(pad_ole(data)[0])
    ref = _lo(data)
    assert [t.rows for t in fast.tables] == [t.rows for t in ref.tables]
    assert fast.text == ref.text
    assert fast.metadata["title"] == ref.metadata["title"]


def test_extract_bytes_uses_the_direct_reader(fx):
    x = extract_bytes(fx["report.wps"].read_bytes(), filename="report.wps")
    assert x.error is None and x.extractor == "wordbin" and x.format == "doc"
    assert "OLE file padded to a 512-byte multiple (WPS)" in x.warnings


def _docx_with_merges_and_nesting(nested: bool) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某局2023年政府信息公开工作年度报告")
    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    t.cell(1, 0).merge(t.cell(3, 0)).text = "三、本年度办理结果"
    for r in range(1, 4):
        for c in range(1, 4):
            t.cell(r, c).text = str(r * c)
    if nested:
        t.cell(1, 1).add_table(rows=1, cols=2).cell(0, 0).text = "内表"
    d.add_paragraph("五、存在的主要问题及改进情况")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _to_doc(docx_bytes: bytes) -> bytes:
    return convert_with_soffice(docx_bytes, ".docx", target="doc:MS Word 97")


def test_merged_cells_as_libreoffice_expands_them():
    data = _to_doc(_docx_with_merges_and_nesting(nested=False))
    fast = read_fast(data)
    ref = _lo(data)
    assert [t.rows for t in fast.tables] == [t.rows for t in ref.tables]
    grid = fast.tables[0].rows
    assert grid[0] == ["第二十条第（一）项"] * 4
    assert [r[0] for r in grid[1:]] == ["三、本年度办理结果"] * 3


def test_nested_table_goes_to_libreoffice():
    data = _to_doc(_docx_with_merges_and_nesting(nested=True))
    with pytest.raises(wordbin.Unsupported, match="nested"):
        read_fast(data)
    x = extract_bytes(data, filename="nested.doc")
    assert x.error is None and x.extractor == "libreoffice+python-docx"
    assert any("nested table" in w for w in x.warnings)


def test_word95_and_encrypted_files_are_not_read_directly(fx):
    data = bytearray(pad_ole(fx["report.doc"].read_bytes())[0])
    import olefile

    ole = olefile.OleFileIO(bytes(data))
    wd_start = bytes(ole.openstream("WordDocument").read()[:16])
    at = bytes(data).find(wd_start)
    assert at > 0
    for patch, reason in ((lambda b: struct.pack_into("<H", b, at + 2, 0x65), "Word 6/95"),
                          (lambda b: struct.pack_into("<H", b, at + 0x0A, struct.unpack_from("<H", b, at + 0x0A)[0] | 0x0100), "encrypted")):
        b = bytearray(data)
        patch(b)
        with pytest.raises(wordbin.Unsupported, match=reason):
            wordbin.read(bytes(b))


def test_damaged_piece_table_falls_back_without_crashing(fx, tmp_path):
    import olefile

    path = tmp_path / "broken.doc"
    path.write_bytes(pad_ole(fx["report.doc"].read_bytes())[0])
    ole = olefile.OleFileIO(str(path), write_mode=True)
    wd = ole.openstream("WordDocument").read()
    name = "1Table" if struct.unpack_from("<H", wd, 0x0A)[0] & 0x0200 else "0Table"
    tbl = bytearray(ole.openstream(name).read())
    csw = struct.unpack_from("<H", wd, 32)[0]
    lw = 34 + csw * 2
    fc = lw + 2 + struct.unpack_from("<H", wd, lw)[0] * 4 + 2 + 33 * 8
    fc_clx, lcb_clx = struct.unpack_from("<II", wd, fc)
    tbl[fc_clx : fc_clx + lcb_clx] = b"\x02" + b"\xff" * (lcb_clx - 1)  # a piece table pointing nowhere
    ole.write_stream(name, bytes(tbl))
    ole.close()
    with pytest.raises((wordbin.Unsupported, struct.error, IndexError, ValueError)):
        read_fast(path.read_bytes())
    x = extract_bytes(path.read_bytes(), filename="broken.doc")
    assert x.extractor != "wordbin"
    assert x.error or any("LibreOffice" in w for w in x.warnings)


@pytest.mark.realdocs
def test_real_template_as_doc_reads_like_libreoffice():
    from realdocs import corpus_path

    docx_bytes = corpus_path("corpus/reports/template-2021-blank.docx").read_bytes()
    data = _to_doc(docx_bytes)
    fast = read_fast(data)
    ref = _lo(data)
    assert [t.rows for t in fast.tables] == [t.rows for t in ref.tables]
    assert fast.text == ref.text
    assert any(len(t.rows) >= 20 for t in fast.tables)  # the section-3 form
