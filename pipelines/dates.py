"""Dates as the pipelines read them: one parser for what pages, metadata and PDFs print.

- ``2024-01-31``, ``2024/1/31``, ``2024.01.31``, ``2024年1月31日`` anywhere in a string
  (after NFKC, so full-width digits count), with or without a time after it;
- the compact form at the start: ``20240131``, a PDF's ``D:20240131120000+08'00'``;
- ``date`` / ``datetime`` objects as they are.

Years 1900-2099; an impossible date (2月30日) is no date. ``utc_datetime`` is the cut-off
form ``--since`` and ``process_archive(since=...)`` take: ISO date or datetime, naive = UTC.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from typing import Any

logger = logging.getLogger(__name__)

_SEPARATED = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT = re.compile(r"D?:?((?:19|20)\d{2})(\d{2})(\d{2})")


def parse_date(value: Any) -> dt.date | None:
    """The date a value prints, or None (never raises for a string that holds no date)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = _SEPARATED.search(s) or _COMPACT.match(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def iso_date(value: Any) -> str | None:
    """``parse_date`` as YYYY-MM-DD (how extraction metadata stores dates)."""
    d = parse_date(value)
    return d.isoformat() if d else None


def utc_datetime(value: str | dt.date | dt.datetime) -> dt.datetime:
    """A timezone-aware cut-off from an ISO date/datetime string or object; naive means UTC.

    Raises ValueError for a string that is not ISO 8601."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip())
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
