"""Format sniffing: magic bytes first, then Content-Type / Content-Disposition, then extension.

Servers lie: PDFs arrive as text/html or application/octet-stream, a .wps may hold a Word
97 (OLE) file or a DOCX, and an HTML error page may be served as application/pdf.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from email.message import Message
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "docx", "doc", "xls", "xlsx", "image", "text", "unknown")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_CT = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-works": "doc",
    "application/wps-office.wps": "doc",
    "application/kswps": "doc",
    "application/rtf": "doc",
    "text/rtf": "doc",
    "application/vnd.ms-excel": "xls",
    "application/wps-office.et": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/wps-office.docx": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/wps-office.xlsx": "xlsx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
}
_EXT = {
    "pdf": "pdf",
    "doc": "doc",
    "wps": "doc",
    "dot": "doc",
    "rtf": "doc",
    "docx": "docx",
    "xls": "xls",
    "et": "xls",
    "xlsx": "xlsx",
    "htm": "html",
    "html": "html",
    "shtml": "html",
    "xhtml": "html",
    "jhtml": "html",
    "jsp": "html",
    "txt": "text",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "tif": "image",
    "tiff": "image",
    "gif": "image",
    "bmp": "image",
}
_HTML_HEAD = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>]|<title[\s>]|<div[\s>]|<p[\s>]|<table[\s>]", re.I)


def filename_from_disposition(value: str | None) -> str | None:
    """The filename of a Content-Disposition header (RFC 6266 filename* preferred)."""
    if not value:
        return None
    m = Message()
    m["content-disposition"] = value
    name = m.get_filename()
    if name:
        return unquote(name)
    mm = re.search(r"filename\*?=\s*\"?([^\";]+)", value, re.I)
    return unquote(mm.group(1)) if mm else None


def filename_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = unquote(path.rsplit("/", 1)[-1])
    return name or None


def _ole_kind(data: bytes) -> str:
    """doc or xls by the stream names in the OLE directory (stored UTF-16LE)."""
    def u16(s: str) -> bytes:
        return s.encode("utf-16-le")

    if u16("WordDocument") in data:
        return "doc"
    if u16("Workbook") in data or u16("Book\x00") in data:
        return "xls"
    if u16("PowerPoint Document") in data:
        return "unknown"
    return "doc"  # WPS writers and Works files: LibreOffice decides


def _zip_kind(data: bytes) -> str:
    names: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        # truncated zip: the local headers still carry member names
        head = data[:65536]
        names = [m.decode("latin-1") for m in re.findall(rb"(word/|xl/|ppt/)", head)]
    joined = "\n".join(names)
    if "word/" in joined:
        return "docx"
    if "xl/" in joined:
        return "xlsx"
    return "unknown"


def sniff_magic(data: bytes) -> str | None:
    """Format from the content alone, or None when the bytes say nothing definite."""
    if not data:
        return None
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"{\\rtf"):
        return "doc"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_HEAD.search(stripped[:1024]):
        if b"\x00" not in head:
            return "html"
    return None


def _from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    ct = content_type.split(";", 1)[0].strip().lower()
    if ct in _CT:
        return _CT[ct]
    if ct.startswith("image/"):
        return "image"
    return None


def _from_name(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    return _EXT.get(filename.rsplit(".", 1)[-1].strip().lower())


def _looks_text(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) <= len(head) // 100


def sniff(
    data: bytes,
    content_type: str | None = None,
    filename: str | None = None,
    *,
    content_disposition: str | None = None,
    url: str | None = None,
) -> str:
    """Return one of :data:`FORMATS` for a body.

    Magic bytes win. Otherwise Content-Type, then the Content-Disposition filename, then the
    given filename / the URL's last path segment. A body with no magic that a header calls
    binary (pdf, doc, ...) keeps that label so the extractor reports why it cannot be read.
    """
    kind = sniff_magic(data)
    if kind:
        return kind
    if not data:
        return "unknown"
    by_header = _from_content_type(content_type)
    by_name = (
        _from_name(filename_from_disposition(content_disposition))
        or _from_name(filename)
        or _from_name(filename_from_url(url))
    )
    for guess in (by_header, by_name):
        if guess is None:
            continue
        if guess in ("html", "text"):
            # no HTML markers found: plain text unless it is binary junk
            if _looks_text(data):
                return "html" if guess == "html" and b"<" in data[:4096] else "text"
            continue
        return guess
    if _looks_text(data):
        return "text"
    return by_header or by_name or "unknown"
