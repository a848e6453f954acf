"""The public views match their documentation (the README's view reference), on both backends."""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from storage import Archive
from storage.export import PUBLIC_VIEWS

DOC = Path(__file__).resolve().parents[2] / "README.md"


def documented_columns() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    view = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#{2,3} (\w+) — ", line)
        if m:
            view = m.group(1)
            out[view] = []
            continue
        m = re.match(r"^\| ([a-z0-9_ /,]+) \|", line)
        if view and m and m.group(1).strip() != "column":
            out[view] += [c.strip() for c in re.split(r"[/,]", m.group(1))]
    return out


def test_every_view_column_is_documented(archive: Archive):
    docs = documented_columns()
    assert set(docs) == set(PUBLIC_VIEWS)
    with archive.engine.connect() as conn:
        for view in PUBLIC_VIEWS:
            cols = list(conn.execute(sa.text(f"SELECT * FROM {view} WHERE 1 = 0")).keys())
            assert cols == docs[view], view


def test_readme_examples_run(archive: Archive):
    sha = archive.record_capture(run_id=archive.start_run(["p"]), url="http://a.test/r", status=200,
                                 body=b"r" * 500).sha256
    archive.save_report(sha, "p", {"report_year": 2023, "admin_level": "county", "cells": [
        {"section": "3", "row_key": "new_received", "column_key": "total", "value": 9, "printed": "9"}],
        "checks": [{"check_id": "H1", "scope": "total", "passed": False, "expected": 9, "actual": 8}]})
    blocks = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    statements = [s.strip() for s in "\n".join(blocks).split(";") if s.strip()]
    assert len(statements) == 3
    results = [archive.query(s) for s in statements]
    assert int(results[0][0]["requests"]) == 9
    assert results[1][0]["check_id"] == "H1"
    assert results[2][0]["kind"] == "new_version"
