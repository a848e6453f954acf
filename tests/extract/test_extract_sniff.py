from __future__ import annotations

import io
import zipfile

import pytest

from pipelines.sniff import filename_from_disposition, sniff


def test_magic_beats_headers(fx):
    pdf = fx["report.pdf"].read_bytes()
    assert sniff(pdf, "text/html; charset=utf-8") == "pdf"
    assert sniff(pdf, "application/octet-stream", "report.doc") == "pdf"
    # an HTML error page served as a PDF is HTML
    assert sniff(b"<!DOCTYPE html><html><body>404</body></html>", "application/pdf", "a.pdf") == "html"


def test_ole_and_zip_by_content(fx):
    assert sniff(fx["report.doc"].read_bytes()) == "doc"
    assert sniff(fx["report.wps"].read_bytes(), None, "report.wps") == "doc"
    assert sniff(fx["report.xls"].read_bytes(), "application/msword", "x.doc") == "xls"
    # a .wps holding a DOCX
    assert sniff(fx["report.docx"].read_bytes(), "application/kswps", "report.wps") == "docx"
    assert sniff(fx["report.xlsx"].read_bytes(), None, "report.xls") == "xlsx"


def test_truncated_docx_still_named_by_members(fx):
    data = fx["report.docx"].read_bytes()
    assert sniff(data[: len(data) // 2]) == "docx"


def test_headers_then_extension():
    junk = bytes(range(256)) * 4
    assert sniff(junk, "application/pdf") == "pdf"
    assert sniff(junk, None, "a.DOC") == "doc"
    assert sniff(junk, "application/octet-stream", content_disposition="attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.xlsx") == "xlsx"
    assert sniff(junk, None, None, url="http://127.0.0.1/a/b/report.pdf?x=1") == "pdf"
    assert sniff(b"plain words only", None, None) == "text"
    assert sniff(b"", "application/pdf") == "unknown"
    assert sniff(junk) == "unknown"


@pytest.mark.parametrize(
    "value,name",
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.doc", "年报.doc"),
        (None, None),
    ],
)
def test_disposition_filename(value, name):
    assert filename_from_disposition(value) == name


def test_zip_without_office_members_is_unknown():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    assert sniff(buf.getvalue()) == "unknown"
