"""The views an archive built by migrations has are exactly storage/views.py's, on both backends:
same names, same columns, the same SQL, and the same rows on a populated archive."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import sqlalchemy as sa

from storage import Archive
from storage.views import PUBLIC_VIEWS, VIEWS, view_sql

UTC = dt.timezone.utc


def _populate(a: Archive) -> None:
    """Something in every column that can be filled: every capture kind, a gone and a moved
    document, a report at two URLs, a superseded parse, a duplicate, cells and checks."""
    t = dt.datetime(2025, 4, 15, 3, 0, tzinfo=UTC)
    r1 = a.start_run(["p", "q"])
    body, other = b"<html>report 2024</html>" * 40, b"<html>report 2023</html>" * 40
    hdr = {"Content-Type": "text/html", "ETag": '"e1"', "Last-Modified": "Tue, 15 Apr 2025 03:00:00 GMT"}
    a.record_capture(run_id=r1, url="http://p.test/", status=200, body=b"<html>index</html>" * 20, headers=hdr,
                     portal="p", fetched_at=t)
    first = a.record_capture(run_id=r1, url="http://p.test/r.html", status=200, body=body, headers=hdr, portal="p",
                             fetched_at=t, is_report=True, title="某某县2024年政府信息公开工作年度报告",
                             referer="http://p.test/")
    a.record_capture(run_id=r1, url="http://p.test/old.html", status=200, body=other, portal="p", fetched_at=t)
    a.record_capture(run_id=r1, url="http://p.test/missing.pdf", status=404, portal="p", fetched_at=t)
    a.record_capture(run_id=r1, url="http://q.test/copy.html", status=200, body=body, portal="q", fetched_at=t)
    a.finish_run(r1, "finished", {"pages": 5})
    r2 = a.start_run(["p"])
    later = t + dt.timedelta(days=1)
    a.record_capture(run_id=r2, url="http://p.test/", status=304, headers={"ETag": '"e1"'}, portal="p",
                     fetched_at=later)
    a.record_capture(run_id=r2, url="http://p.test/r.html", status=200, body=body, portal="p", fetched_at=later)
    a.record_capture(run_id=r2, url="http://p.test/new/old.html", status=200, body=other, portal="p",
                     fetched_at=later)
    a.record_capture(run_id=r2, url="http://p.test/timeout", status=None, error="timeout", portal="p",
                     fetched_at=later)
    a.mark_gone(r2, "p", ["http://p.test/", "http://p.test/r.html", "http://p.test/new/old.html"])
    a.finish_run(r2, "interrupted")

    report = {"agency": "某某县人民政府", "agency_source": "title", "report_year": 2024, "template": "2021",
              "title": "某某县2024年政府信息公开工作年度报告", "region_code": "410328", "admin_level": "county",
              "published_at": "2025-01-20", "text_hash": "ab" * 32,
              "cells": [{"section": "3", "row_key": "new_received", "column_key": "total", "value": 12,
                         "printed": "12"},
                        {"section": "2", "row_key": "fees", "column_key": "amount_10k_yuan",
                         "value": Decimal("3.25"), "printed": "3.25", "inferred": True}],
              "checks": [{"check_id": "H1", "scope": "total", "passed": False, "expected": 12, "actual": 11,
                          "cells": [["3", "new_received", "total"]]}]}
    a.save_report(first.sha256, "p1", {**report, "cells": report["cells"][:1]})
    rid = a.save_report(first.sha256, "p2", report)  # supersedes p1
    old_sha = a.versions("http://p.test/old.html")[0]["sha256"]
    dup = a.save_report(old_sha, "p2", {**report, "report_year": 2023, "text_hash": None, "checks": []})
    a.set_canonical(dup, rid)


def _rows(a: Archive, sql: str) -> list[str]:
    return sorted(json.dumps(r, default=str, sort_keys=True, ensure_ascii=False) for r in a.query(sql))


def test_views_are_exactly_the_current_definitions(archive: Archive):
    dialect = archive.dialect
    inspector = sa.inspect(archive.engine)
    assert set(inspector.get_view_names()) == set(VIEWS) == set(PUBLIC_VIEWS)

    with archive.engine.connect() as conn:
        for name in VIEWS:
            cols = list(conn.execute(sa.text(f"SELECT * FROM {name} WHERE 1 = 0")).keys())
            want = list(conn.execute(sa.text(f"SELECT * FROM ({view_sql(name, dialect)}) AS q WHERE 1 = 0")).keys())
            assert cols == want, name

        if dialect == "sqlite":
            stored = dict(conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all())
            for name in VIEWS:
                assert " ".join(stored[name].split()) == " ".join(f"CREATE VIEW {name} AS {view_sql(name, dialect)}"
                                                                 .split()), name
        else:  # PostgreSQL keeps its own rendering: compare it with the rendering of ours
            for name in VIEWS:
                conn.execute(sa.text(f"CREATE TEMP VIEW current_{name} AS {view_sql(name, dialect)}"))
                got, want = conn.execute(sa.text(
                    f"SELECT pg_get_viewdef('{name}'::regclass), pg_get_viewdef('current_{name}'::regclass)")).one()
                assert got == want, name
            conn.rollback()

    _populate(archive)
    for name in VIEWS:
        rows = _rows(archive, f"SELECT * FROM {name}")
        assert rows, f"{name} is empty: the populated archive must exercise it"
        assert rows == _rows(archive, f"SELECT * FROM ({view_sql(name, dialect)}) AS q"), name
