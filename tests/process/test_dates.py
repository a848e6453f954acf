"""One date parser for the pipelines: page metadata, Chinese dates, PDF dates, --since cut-offs."""
from __future__ import annotations

import datetime as dt

import pytest

from pipelines.dates import iso_date, parse_date, utc_datetime


@pytest.mark.parametrize("value,expected", [
    ("2024-01-31 10:00:00", dt.date(2024, 1, 31)),
    ("2024/1/5", dt.date(2024, 1, 5)),
    ("2024.01.05", dt.date(2024, 1, 5)),
    ("发布日期：2024年3月5日", dt.date(2024, 3, 5)),
    ("２０２４年３月５日", dt.date(2024, 3, 5)),                  # full-width digits
    ("D:20240131120000+08'00'", dt.date(2024, 1, 31)),         # a PDF's CreationDate
    ("20240131", dt.date(2024, 1, 31)),
    (dt.datetime(2024, 2, 1, 8, 30), dt.date(2024, 2, 1)),
    (dt.date(2023, 12, 31), dt.date(2023, 12, 31)),
    ("2024年2月30日", None),                                      # impossible: no date
    ("D:00000000", None),
    ("1899-01-01", None),
    ("第2024号", None),
    ("", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected
    assert iso_date(value) == (expected.isoformat() if expected else None)


def test_utc_datetime_cut_offs():
    utc = dt.timezone.utc
    assert utc_datetime("2024-04-15") == dt.datetime(2024, 4, 15, tzinfo=utc)
    assert utc_datetime(dt.date(2024, 4, 15)) == dt.datetime(2024, 4, 15, tzinfo=utc)
    cst = dt.timezone(dt.timedelta(hours=8))
    assert utc_datetime("2024-04-15T08:00:00+08:00") == dt.datetime(2024, 4, 15, tzinfo=utc)
    assert utc_datetime(dt.datetime(2024, 4, 15, 8, tzinfo=cst)).tzinfo is cst
    with pytest.raises(ValueError):
        utc_datetime("15 April")
