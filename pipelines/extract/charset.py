"""Bytes -> str for HTML and plain text: declared charset first, then detection.

gb2312/gbk declarations are decoded as gb18030 (its superset): real pages declare gb2312 and
use characters outside it.
"""
from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

from .base import ExtractionFailed

logger = logging.getLogger(__name__)

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_XML = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)""", re.I)


def norm_charset(name: str | None) -> str | None:
    if not name:
        return None
    n = name.strip().strip("'\"").lower()
    n = _ALIASES.get(n, n)
    try:
        return codecs.lookup(n).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.I)
    return norm_charset(m.group(1)) if m else None


def decode(data: bytes, content_type: str | None = None, *, html: bool = False) -> tuple[str, str, list[str]]:
    """Return (text, charset used, warnings). Raises ExtractionFailed if nothing decodes it."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8", warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16", warnings
    declared: list[str] = []
    if html:
        head = data[:8192]
        for rx in (_META, _XML):
            m = rx.search(head)
            if m:
                cs = norm_charset(m.group(1).decode("ascii", "ignore"))
                if cs:
                    declared.append(cs)
    http = charset_from_content_type(content_type)
    if http:
        # an HTTP header is often a server default (utf-8 / iso-8859-1); the page's own
        # declaration is more specific, so try it first when both are present
        declared.append(http)
    for cs in dict.fromkeys(declared):
        try:
            return data.decode(cs), cs, warnings
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"declared charset {cs} does not decode the body")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:2_000_000]).best()
    if best is not None and best.encoding:
        cs = norm_charset(best.encoding) or best.encoding
        if cs.startswith("gb") or cs in ("hz",):
            cs = "gb18030"
        try:
            text = data.decode(cs, "replace")
        except LookupError:
            text = str(best)
        bad = text.count("\ufffd")
        if bad <= max(3, len(text) // 200):
            if declared:
                warnings.append(f"decoded as detected {cs}")
            return text, cs, warnings
    if declared:
        cs = declared[0]
        text = data.decode(cs, "replace")
        if text.count("\ufffd") <= len(text) // 50:
            warnings.append(f"decoded as {cs} with replacement characters")
            return text, cs, warnings
    raise ExtractionFailed("undecodable text: no charset decodes the body")
