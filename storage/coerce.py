"""Value coercions shared by the archive's modules: JSON-safe copies, numbers, dates."""
from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from storage.models import to_number

logger = logging.getLogger(__name__)


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


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        logger.warning("published_at %r is not an ISO date; stored as NULL", value)
        return None


def as_number(value: Any) -> int | Decimal | None:
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
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None
