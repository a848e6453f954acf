"""Hostile and broken inputs end as Extraction.error with a reason, in bounded time."""
from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib

from pipelines.extract import extract_bytes


def _check(x, fmt: str | None, *words: str) -> None:
    assert x.error, "expected an error"
    if fmt:
        assert x.format == fmt
    for w in words:
        assert w.lower() in x.error.lower(), x.error
    x.to_dict()  # still serialisable


def _rezip(docx: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            z.writestr(i.filename, (replace or {}).get(i.filename, src.read(i.filename)))
        for name, data in (add or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def test_empty_body():
    _check(extract_bytes(b"", "application/pdf", "a.pdf"), None, "empty")


def test_truncated_pdf(fx):
    data = fx["report.pdf"].read_bytes()
    _check(extract_bytes(data[: len(data) // 2]), "pdf", "truncated")


def test_encrypted_pdf(fx, tmp_path):
    import fitz

    doc = fitz.open(str(fx["report.pdf"]))
    out = tmp_path / "enc.pdf"
    doc.save(str(out), encryption=fitz.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    _check(extract_bytes(out.read_bytes()), "pdf", "encrypted", "password")


def test_garbage_named_pdf():
    _check(extract_bytes(os.urandom(5000), "application/pdf", "report.pdf"), "pdf", "pdf")


def test_zip_bomb_docx(fx):
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(fx["report.docx"].read_bytes()))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i.filename))
        with z.open("word/media/image1.png", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    t = time.perf_counter()
    x = extract_bytes(buf.getvalue(), filename="bomb.docx")
    assert time.perf_counter() - t < 5
    _check(x, "docx", "zip bomb")


def test_xml_bomb_docx(fx):
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    data = _rezip(fx["report.docx"].read_bytes(), replace={"word/document.xml": lol})
    _check(extract_bytes(data), "docx", "xml bomb")


def test_docx_without_document_part(fx):
    src = zipfile.ZipFile(io.BytesIO(fx["report.docx"].read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in src.infolist():
            if i.filename != "word/document.xml":
                z.writestr(i.filename, src.read(i.filename))
        z.writestr("word/other.xml", b"<x/>")
    _check(extract_bytes(out.getvalue()), "docx", "document.xml")


def test_truncated_docx(fx):
    data = fx["report.docx"].read_bytes()
    _check(extract_bytes(data[: len(data) // 2]), "docx", "corrupt")


def test_wrong_extension_is_read_by_content(fx):
    x = extract_bytes(fx["report.pdf"].read_bytes(), "application/msword", "report.doc")
    assert x.error is None and x.format == "pdf" and "总体情况" in x.text
    x = extract_bytes(fx["report.docx"].read_bytes(), "application/pdf", "report.pdf")
    assert x.error is None and x.format == "docx"


def test_undecodable_text():
    junk = bytes(b % 32 for b in os.urandom(4000))  # control characters, no NULs
    _check(extract_bytes(junk, "text/plain"), "text", "undecodable")
    _check(extract_bytes(b"\x00\x01abc" * 100, "text/plain"), "text", "undecodable")


def test_unknown_binary():
    _check(extract_bytes(b"\x00\x01\x02\x03" * 300), "unknown", "unknown format")


def test_image_bomb_header():
    # a PNG header declaring 100000 x 100000 pixels
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    png = b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    _check(extract_bytes(png), "image", "too large")


def test_corrupt_word_file():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(6000)
    t = time.perf_counter()
    x = extract_bytes(data, filename="report.doc")
    assert time.perf_counter() - t < 130
    _check(x, "doc", "unreadable")


def test_deeply_nested_html():
    html = b"<html><body><div class='TRS_Editor'>" + b"<div>" * 5000 + b"text" + b"</div>" * 5000 + b"</div></body></html>"
    x = extract_bytes(html)
    assert x.format == "html"  # either extracted or a recorded error, never an exception
    assert x.error is None or "deep" in x.error or "html" in x.error.lower()
