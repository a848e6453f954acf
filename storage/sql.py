"""Read-only execution of users' SQL against the archive (``nianbao sql``).

Writes are made impossible by the database itself, not by parsing the statement:
SQLite is opened with ``mode=ro`` (plus ``PRAGMA query_only``), PostgreSQL runs the statement
in a READ ONLY transaction on a session whose default is read-only, as a single prepared
statement (so ``COMMIT; DROP …`` cannot escape the transaction).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from storage.coerce import to_number
from storage.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_path
from storage.optional import require

logger = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")


class ReadOnlyViolation(Exception):
    """The statement tried to change the archive; nothing was changed."""


class QueryError(Exception):
    """The statement failed for another reason (syntax, unknown table …)."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


def _refused(detail: str) -> ReadOnlyViolation:
    return ReadOnlyViolation(f"refused: nianbao sql is read-only and the archive was not changed ({detail})")


def run_readonly(database_url: str | sa.URL, sql: str, *, max_rows: int | None = None,
                 timeout_s: float | None = None) -> QueryResult:
    """Run one SQL statement read-only and return its rows (at most ``max_rows``)."""
    url = sa.make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _run_sqlite(url, sql, max_rows)
    if backend == "postgresql":
        return _run_postgresql(url, sql, max_rows, timeout_s)
    raise QueryError(f"unsupported database backend {backend!r}")


def _fetch(cur: Any, max_rows: int | None) -> QueryResult:
    if cur.description is None:
        return QueryResult([], [])
    columns = [d[0] for d in cur.description]
    if max_rows is None:
        return QueryResult(columns, [tuple(r) for r in cur.fetchall()])
    rows = [tuple(r) for r in cur.fetchmany(max_rows + 1)]
    return QueryResult(columns, rows[:max_rows], truncated=len(rows) > max_rows)


_SQLITE_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                        getattr(sqlite3, "SQLITE_RECURSIVE", 33)}


_SQLITE_INFO_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                        "foreign_key_list", "table_list"}


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None) -> int:
    """Allow reads only: no ATTACH (it would create files), no PRAGMA that sets anything."""
    if action in _SQLITE_READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg2 is None or (arg1 or "").lower() in _SQLITE_INFO_PRAGMAS):
        return sqlite3.SQLITE_OK  # reading a pragma; PRAGMA table_info(x) passes x as arg2
    return sqlite3.SQLITE_DENY


def _run_sqlite(url: sa.URL, sql: str, max_rows: int | None) -> QueryResult:
    path = sqlite_path(url)
    if path is None or not path.exists():
        raise QueryError(f"no SQLite archive at {path}")
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA query_only=ON")
        conn.set_authorizer(_sqlite_authorizer)
        try:
            cur = conn.execute(sql)
            return _fetch(cur, max_rows)
        except sqlite3.Warning as exc:  # e.g. "You can only execute one statement at a time."
            raise QueryError(str(exc)) from None
        except sqlite3.OperationalError as exc:
            msg = str(exc)
            if any(m in msg for m in ("readonly", "read-only", "query_only", "not authorized",
                                      "authorization denied")):
                raise _refused(msg) from None
            raise QueryError(msg) from None
        except sqlite3.DatabaseError as exc:
            if "not authorized" in str(exc) or "authorization denied" in str(exc):
                raise _refused(str(exc)) from None
            raise QueryError(str(exc)) from None
    finally:
        conn.rollback()
        conn.close()


def _pg_conninfo(url: sa.URL) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if url.host:
        info["host"] = url.host
    if url.port:
        info["port"] = url.port
    if url.username:
        info["user"] = url.username
    if url.password:
        info["password"] = url.password
    if url.database:
        info["dbname"] = url.database
    for k, v in url.query.items():
        info[k] = v if isinstance(v, str) else v[-1]
    return info


def _run_postgresql(url: sa.URL, sql: str, max_rows: int | None, timeout_s: float | None) -> QueryResult:
    psycopg = require("psycopg", extra="pg", feature="a PostgreSQL archive")
    from psycopg import errors as pg_errors

    info = _pg_conninfo(url)
    opts = info.pop("options", "")
    opts = (opts + " -c default_transaction_read_only=on").strip()
    if timeout_s:
        opts += f" -c statement_timeout={int(timeout_s * 1000)}"
    with psycopg.connect(**info, options=opts, autocommit=False) as conn:
        conn.read_only = True  # BEGIN READ ONLY
        try:
            with conn.cursor() as cur:
                # prepare=True: the extended protocol runs exactly one statement
                cur.execute(sql, prepare=True)
                return _fetch(cur, max_rows)
        except (pg_errors.ReadOnlySqlTransaction, pg_errors.InsufficientPrivilege) as exc:
            raise _refused(str(exc).strip()) from None
        except psycopg.Error as exc:
            raise QueryError(str(exc).strip()) from None
        finally:
            conn.rollback()


# -- output --------------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        n = to_number(v)
        return n if isinstance(n, int) else format(n, "f")
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (bytes, memoryview)):
        return bytes(v).hex()
    return v


def _cell_text(v: Any) -> str:
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(result.columns)
        for row in result.rows:
            w.writerow([_cell_text(v) for v in row])
        return buf.getvalue()
    if fmt == "json":
        objs = [{c: _json(v) for c, v in zip(result.columns, row)} for row in result.rows]
        return json.dumps(objs, ensure_ascii=False, indent=1) + "\n"
    return _table(result.columns, [[_cell_text(v) for v in row] for row in result.rows])


def _json(v: Any) -> Any:
    if isinstance(v, Decimal):
        n = to_number(v)
        return n if isinstance(n, int) else float(n)
    return _plain(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not columns:
        return ""
    rows = [[c.replace("\n", " ") for c in r] for r in rows]
    widths = [_width(c) for c in columns]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], min(_width(c), 80))

    def line(cells: Sequence[str]) -> str:
        out = []
        for c, w in zip(cells, widths):
            if _width(c) > 80:
                c = c[:77] + "..."
            out.append(c + " " * max(0, w - _width(c)))
        return "  ".join(out).rstrip()

    lines = [line(columns), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows]
    return "\n".join(lines) + "\n"
