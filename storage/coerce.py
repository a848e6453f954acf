"""Value coercions for the whole storage package: one function per kind of value.

* :func:`to_utc`     timestamps: aware datetimes in UTC (naive ones are taken as UTC; ISO
                     strings, as SQLite returns them from a plain query, and dates are accepted)
* :func:`to_date`    dates: from a date, a datetime or an ISO string
* :func:`to_number`  figures: int when integral, else Decimal
* :func:`as_number` / :func:`as_int`  lenient versions for values parsed from documents
* :func:`json_safe`  a JSON-serialisable deep copy

The models' column types, the capture hot path, export, WARC and the derived rows all go
through these, so a value reads back the same whichever way it was written.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def to_utc(value: Any) -> dt.datetime | None:
    """An aware UTC datetime (None stays None); raises ValueError for a non-ISO string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    elif not isinstance(value, dt.datetime) and isinstance(value, dt.date):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_date(value: Any) -> dt.date | None:
    """A date (None and "" are None); raises ValueError when the text is not an ISO date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def to_number(value: Any) -> int | Decimal | None:
    """int when integral, else Decimal (floats via their shortest repr)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    d = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value))
    if d == d.to_integral_value():
        return int(d)
    return d.normalize()


def as_number(value: Any) -> int | Decimal | None:
    """:func:`to_number` for parsed values: "" is NULL, junk is NULL with a warning."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return to_number(value)
    except (InvalidOperation, ValueError, TypeError):
        logger.warning("value %r is not a number; stored as NULL", value)
        return None


def as_int(value: Any) -> int | None:
    """int, or None for None, "" and what is not an integer."""
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        n = to_number(o)
        return n if isinstance(n, int) else float(n)
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)


def json_safe(value: Any) -> Any:
    """A JSON-serialisable deep copy (Decimal → number, dates → ISO strings …)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))
