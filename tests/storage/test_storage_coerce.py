"""storage.coerce: the one timestamp, date and number coercion every storage module uses."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from storage.coerce import as_int, as_number, to_date, to_number, to_utc

UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))


def test_to_utc_accepts_what_either_backend_returns():
    aware = dt.datetime(2024, 4, 15, 3, 0, tzinfo=UTC)
    assert to_utc(None) is None
    assert to_utc(aware) == aware and to_utc(aware).tzinfo is UTC
    assert to_utc(dt.datetime(2024, 4, 15, 11, 0, tzinfo=CST)) == aware  # converted, not relabelled
    assert to_utc(dt.datetime(2024, 4, 15, 3, 0)).tzinfo is UTC          # naive: taken as UTC
    assert to_utc("2024-04-15 03:00:00.000000") == aware                  # SQLite's text form
    assert to_utc("2024-04-15T11:00:00+08:00") == aware
    assert to_utc(dt.date(2024, 4, 15)) == dt.datetime(2024, 4, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        to_utc("15 April 2024")


def test_to_date():
    assert to_date(None) is None and to_date("") is None
    assert to_date(dt.datetime(2024, 1, 30, 23, 59)) == dt.date(2024, 1, 30)
    assert to_date(dt.date(2024, 1, 30)) == dt.date(2024, 1, 30)
    assert to_date("2024-01-30T08:00:00") == dt.date(2024, 1, 30)
    with pytest.raises(ValueError):
        to_date("2024年1月30日")


def test_numbers():
    assert to_number(Decimal("5.00")) == 5 and isinstance(to_number(Decimal("5.00")), int)
    assert to_number(1.5) == Decimal("1.5") and to_number("0.10") == Decimal("0.1")
    assert as_number("") is None and as_number("n/a") is None and as_number(True) == 1
    assert as_int("12") == 12 and as_int("x") is None and as_int(None) is None
