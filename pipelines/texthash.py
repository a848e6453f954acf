"""The normalized-text hash of a report (``report.text_hash``): equal hashes, the same report.

NFKC (full and half width fold together), then only letters and digits, lower-cased, sha256.
One function for the parser (what ``nianbao parse --json`` prints), the process pipeline
(what is stored) and dedup (which groups reports by it).
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# Texts shorter than this (after normalization) are too thin to call two reports equal by text.
MIN_TEXT_CHARS = 200

# After NFKC, everything that is not a letter or digit goes (\W: punctuation, symbols, spaces).
_NON_WORD = re.compile(r"[\W_]+")


def normalize_text(text: str | None) -> str:
    """NFKC (full -> half width), then only letters and digits, lower-cased."""
    if not text:
        return ""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


def text_hash(text: str | None) -> str | None:
    """sha256 of the normalized text; None when there is too little text to mean anything."""
    norm = normalize_text(text)
    if len(norm) < MIN_TEXT_CHARS:
        return None
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()
