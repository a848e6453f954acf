"""Safety limits: size caps, zip/XML bomb checks, subprocess timeouts.

Hostile or broken inputs must end as an Extraction.error in bounded time and memory.
"""
from __future__ import annotations

import io
import re
import zipfile

from .base import ExtractionFailed

MAX_INPUT_BYTES = 150 * 1024 * 1024  # any single body
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # sum of uncompressed members of a docx/xlsx
MAX_XML_BYTES = 64 * 1024 * 1024  # sum of its XML parts (lxml trees cost ~10x in memory)
MAX_RENDER_PIXELS = 40_000_000  # one rendered page for OCR
MAX_ZIP_RATIO = 200  # per member uncompressed/compressed (XML rarely exceeds ~30)
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 800  # text layer pages read
MAX_OCR_PAGES = 60  # pages rendered and OCRed per document
MAX_IMAGE_PIXELS = 60_000_000
SOFFICE_TIMEOUT = 120  # seconds per LibreOffice conversion
ANTIWORD_TIMEOUT = 60
MAX_TEXT_CHARS = 20_000_000

_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


def check_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """Open an OOXML zip after checking sizes declared in the central directory.

    Declared sizes can lie, so members are also read through :func:`read_member`, which
    stops at the declared size + 1 byte.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise ExtractionFailed(f"corrupt {what}: not a readable zip ({e})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ExtractionFailed(f"zip bomb suspected in {what}: {len(infos)} members")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > 1_000_000 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise ExtractionFailed(
                f"zip bomb suspected in {what}: {i.filename} expands {i.compress_size}→{i.file_size} bytes"
            )
    if total > MAX_UNZIPPED_BYTES:
        raise ExtractionFailed(f"zip bomb suspected in {what}: {total} bytes uncompressed")
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    if xml > MAX_XML_BYTES:
        raise ExtractionFailed(f"{what} too large: {xml} bytes of XML")
    return zf


def check_xml_members(zf: zipfile.ZipFile, what: str) -> None:
    """Reject DTDs/entity declarations in any XML part (billion laughs, external entities)."""
    for i in zf.infolist():
        if not i.filename.endswith((".xml", ".rels")):
            continue
        try:
            with zf.open(i) as fh:
                head = fh.read(i.file_size + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:  # bad CRC / lying sizes
            raise ExtractionFailed(f"corrupt {what}: {i.filename}: {e}") from None
        if len(head) > i.file_size:  # declared size lied
            raise ExtractionFailed(f"zip bomb suspected in {what}: {i.filename} larger than declared")
        if _DTD.search(head):
            raise ExtractionFailed(f"XML bomb/entity declaration rejected in {what}: {i.filename}")
