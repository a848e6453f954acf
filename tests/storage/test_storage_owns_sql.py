"""storage/ owns every SQL statement: no module of pipelines/ or crawler/ (sampleweb included)
imports sqlalchemy, reaches for the archive's tables or engine, or writes or runs SQL.

An AST scan, so that comments, docstrings and a user-facing example in a help text do not
count, while a statement hidden in a string constant does.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("pipelines", "crawler")

# A string that *is* a statement (it starts with one), not prose that mentions one.
SQL_STATEMENT = re.compile(
    r"^\s*(select\b.*\bfrom\b|insert\s+into\b|update\s+\w+\s+set\b|delete\s+from\b|"
    r"create\s+(temp\s+|temporary\s+)?(table|view|index|unique\s+index)\b|drop\s+(table|view|index)\b|"
    r"alter\s+table\b|pragma\s+\w+|with\s+\w+\s+as\s*\()", re.I | re.S)
RUNS_SQL = {"execute", "executemany", "executescript", "exec_driver_sql"}
ENGINE_CALLS = {"connect", "begin", "raw_connection"}
# storage modules whose names are the tables or engine plumbing, not an API
STORAGE_INTERNALS = {"storage.models", "storage.tables", "storage.base", "storage.capture", "storage.capture_batch"}
ENGINE_HELPERS = {"make_engine", "write_transaction", "upgrade", "current_revision"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return "?"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def violations(source: str, name: str = "<src>") -> list[str]:
    """What in ``source`` imports sqlalchemy, touches the archive's tables or engine, or is SQL."""
    tree = ast.parse(source, name)
    docs = _docstrings(tree)
    out: list[str] = []

    def add(node: ast.AST, what: str) -> None:
        out.append(f"{name}:{getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "sqlalchemy":
                    add(node, f"import {a.name}")
                elif a.name in STORAGE_INTERNALS:
                    add(node, f"import {a.name} (storage internals)")
        elif isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module
            if mod.split(".")[0] == "sqlalchemy":
                add(node, f"from {mod} import …")
            elif mod in STORAGE_INTERNALS:
                add(node, f"from {mod} import … (storage internals)")
            elif mod == "storage" and any(f"storage.{a.name}" in STORAGE_INTERNALS for a in node.names):
                add(node, "from storage import <internal module>")
            elif mod.startswith("storage"):
                for a in node.names:
                    if re.fullmatch(r"T_[A-Z]+", a.name) or (mod == "storage.db" and a.name in ENGINE_HELPERS):
                        add(node, f"from {mod} import {a.name} (a table or engine helper)")
        elif isinstance(node, ast.Call):
            func = node.func
            target = _dotted(func)
            if isinstance(func, ast.Attribute) and func.attr in RUNS_SQL:
                add(node, f"{target}(…) runs SQL")
            elif isinstance(func, ast.Attribute) and func.attr in ENGINE_CALLS \
                    and _dotted(func.value).lower().endswith("engine"):
                add(node, f"{target}() on an engine")
            elif target.split(".")[-1] in ("create_engine", "create_async_engine"):
                add(node, f"{target}(…) makes an engine")
            elif target.split(".")[-1] == "text" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and SQL_STATEMENT.match(node.args[0].value):
                add(node, f"{target}(<SQL>)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                and SQL_STATEMENT.match(node.value):
            add(node, f"SQL string {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.JoinedStr) and SQL_STATEMENT.match(
                "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))):
            add(node, "SQL f-string")
    return out


def _modules() -> list[Path]:
    files = sorted(p for d in SCANNED for p in (REPO / d).rglob("*.py"))
    assert any(p.parts[-2:] == ("sampleweb", "server.py") for p in files)  # the scan reaches sampleweb
    assert len(files) > 50
    return files


def test_pipelines_and_crawler_run_no_sql_of_their_own():
    found = [v for p in _modules() for v in violations(p.read_text(encoding="utf-8"), str(p.relative_to(REPO)))]
    assert found == [], "SQL belongs in storage/ (call an Archive method):\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "import sqlalchemy as sa",
    "import sqlalchemy.orm",
    "from sqlalchemy import select\nq = select(1)",
    "from sqlalchemy.dialects.sqlite import insert",
    "from storage.archive import T_REP",
    "from storage import models",
    "from storage.models import Report",
    "from storage.db import make_engine",
    "conn.execute(q)",
    "cur.executemany(sql, rows)",
    "conn.exec_driver_sql('x')",
    "with archive.engine.connect() as conn: pass",
    "with self.engine.begin() as c: pass",
    "eng = create_engine(url)",
    "q = text('SELECT id FROM report WHERE x = :x')",
    "SQL = '''\n  SELECT r.id\n  FROM reports r'''",
    "q = f'DELETE FROM capture WHERE run_id = {run}'",
    "stmt = 'INSERT INTO blob (sha256) VALUES (?)'",
    "x = 'PRAGMA journal_mode=WAL'",
    "x = 'with recent as (select 1) select * from recent'",
])
def test_the_scan_catches(source: str):
    assert violations(source), source


def test_the_scan_leaves_prose_and_storage_calls_alone():
    clean = '''
"""Module docstring: SELECT x FROM y in prose is fine."""
from storage import Archive
from storage.db import head_revision
from storage.queries import REPORTS_BY_YEAR_SQL
from storage.sql import run_readonly


def f(archive):
    """nianbao sql "SELECT report_year, count(*) FROM reports GROUP BY 1" (an example)."""
    print('next: nianbao sql "SELECT agency FROM reports"')
    label = "select the disclosure column"
    ids = archive.reports_of("机关", 2024)
    pending = len(crawler.engine._slot.scheduler)
    return run_readonly(url, REPORTS_BY_YEAR_SQL), ids, pending, el.text(), text("总体情况"), label
'''
    assert violations(clean) == []
