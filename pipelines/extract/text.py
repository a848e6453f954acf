"""Plain text bodies: detected charset, lines kept."""
from __future__ import annotations

from .base import Extraction, ExtractionFailed, PageInfo, clean_line, count_chars
from .charset import decode
from .limits import MAX_TEXT_CHARS


def extract_text(data: bytes, content_type: str | None = None) -> Extraction:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionFailed("undecodable text: binary content (NUL bytes)")
    text, charset, warnings = decode(data, content_type)
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionFailed(f"text too large: {len(text)} characters")
    controls = sum(1 for ch in text[:100000] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(5, len(text[:100000]) // 100):
        raise ExtractionFailed("undecodable text: control characters dominate")
    body = "\n".join(clean_line(ln) for ln in text.splitlines())
    return Extraction(
        format="text",
        extractor="text",
        text=body.strip("\n"),
        pages=[PageInfo(1, count_chars(body))],
        metadata={"charset": charset},
        warnings=warnings,
    )
