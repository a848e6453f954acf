"""Text and tables from every format a report arrives in.

``extract_bytes`` never raises: failures end in ``Extraction.error`` with a reason. It is
CPU-bound and safe to call from worker threads (the Scrapy pipeline uses deferToThread).
"""
from __future__ import annotations

import logging
import time

from storage.optional import MissingExtra

from ..sniff import filename_from_url, sniff
from .base import EXTRACTOR_VERSION, Extraction, ExtractionFailed, PageInfo, Table
from .limits import MAX_INPUT_BYTES

logger = logging.getLogger(__name__)

__all__ = ["extract_bytes", "Extraction", "Table", "PageInfo", "EXTRACTOR_VERSION"]


def _dispatch(fmt: str, data: bytes, content_type: str | None, url: str | None) -> Extraction:
    if fmt == "html":
        from .html import extract_html

        return extract_html(data, content_type, url)
    if fmt == "pdf":
        from .pdf import extract_pdf

        return extract_pdf(data)
    if fmt == "docx":
        from .docx import extract_docx

        return extract_docx(data)
    if fmt == "doc":
        from .doc import extract_doc

        return extract_doc(data)
    if fmt in ("xls", "xlsx"):
        from .xls import extract_sheet

        return extract_sheet(data, fmt)
    if fmt == "image":
        from .ocr import extract_image

        return extract_image(data)
    if fmt == "text":
        from .text import extract_text

        return extract_text(data, content_type)
    raise ExtractionFailed("unknown format: no magic bytes, Content-Type or extension identifies it")


def extract_bytes(
    data: bytes,
    content_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
    *,
    content_disposition: str | None = None,
) -> Extraction:
    """Sniff the format and extract text, tables, pages and metadata. Never raises."""
    fmt = "unknown"
    t0 = time.perf_counter()
    try:
        data = bytes(data or b"")
        fmt = sniff(data, content_type, filename or filename_from_url(url), content_disposition=content_disposition, url=url)
        if not data:
            raise ExtractionFailed("empty body (0 bytes)")
        if len(data) > MAX_INPUT_BYTES:
            raise ExtractionFailed(f"body too large: {len(data)} bytes > {MAX_INPUT_BYTES}")
        x = _dispatch(fmt, data, content_type, url)
    except (ExtractionFailed, MissingExtra) as e:
        x = Extraction(format=fmt, error=str(e))
    except MemoryError:
        x = Extraction(format=fmt, error="out of memory while extracting")
    except RecursionError:
        x = Extraction(format=fmt, error="document nesting too deep")
    except Exception as e:  # a library choked on a malformed file: record, never raise
        logger.warning("extraction failed (%s): %r", fmt, e, exc_info=True)
        x = Extraction(format=fmt, error=f"{fmt} extraction failed: {type(e).__name__}: {e}"[:500])
    x.extractor_version = EXTRACTOR_VERSION
    # (no timing in the output: the stored extraction must be deterministic)
    logger.debug("extracted %s in %.0f ms", fmt, (time.perf_counter() - t0) * 1000)
    return x
