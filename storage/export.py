"""Export the public views as CSV, JSONL or Parquet files plus a manifest.

Values are normalised so an export looks the same from SQLite and PostgreSQL: booleans are
true/false, timestamps ISO 8601 in UTC, JSON columns real JSON (objects in JSONL, text in CSV
and Parquet), figures numbers. ``manifest.json`` lists every file with its row count and
sha256, the schema version (Alembic head) and when the export was made.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from storage.coerce import to_date, to_number, to_utc, utcnow
from storage.db import current_revision
from storage.views import PUBLIC_VIEWS
from storage.warc import write_warc

if TYPE_CHECKING:
    from storage.archive import Archive

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet", "warc")

BOOL_COLUMNS = {"new_blob", "is_report", "is_current", "is_canonical", "passed", "inferred"}
TIME_COLUMNS = {"started_at", "finished_at", "first_seen_at", "last_seen_at", "gone_at",
                "first_captured_at", "last_captured_at", "fetched_at", "captured_at"}
DATE_COLUMNS = {"published_at"}
JSON_COLUMNS = {"portals", "stats", "headers", "cells"}
NUMBER_COLUMNS = {"value", "expected", "actual"}
INT_COLUMNS = {"status", "size", "content_length", "report_year", "checks_failed", "checks_total",
               "source_count", "version_number", "version_count", "capture_count", "captures",
               "new_versions", "identical_revisits", "not_modified", "errors", "new_blobs", "gone",
               "report_id", "run_id", "document_id", "version_id", "capture_id", "gone_run_id",
               "moved_to_document_id", "moved_from_document_id", "current_version_id",
               "canonical_report_id", "first_capture_id"}
BATCH = 20_000


def _is_int_column(name: str) -> bool:
    return name in INT_COLUMNS


def normalize(column: str, v: Any) -> Any:
    """One value of a view in its dialect-neutral Python form."""
    if v is None:
        return None
    if column in BOOL_COLUMNS:
        return bool(v)
    if column in TIME_COLUMNS:
        return to_utc(v)
    if column in DATE_COLUMNS:
        return to_date(v)
    if column in JSON_COLUMNS:
        return json.loads(v) if isinstance(v, str) else v
    if column in NUMBER_COLUMNS or isinstance(v, (Decimal, float)):
        return to_number(v)
    return v


def _json_scalar(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return v


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def iter_view(conn: sa.Connection, view: str) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
    """Column names and batches of normalised rows of a public view, in key order."""
    if view not in PUBLIC_VIEWS:
        raise ValueError(f"unknown view {view!r}; public views: {', '.join(PUBLIC_VIEWS)}")
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        sa.text(f"SELECT * FROM {view} ORDER BY 1"))
    columns = list(result.keys())

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        for part in result.partitions(BATCH):
            yield [tuple(normalize(c, v) for c, v in zip(columns, row)) for row in part]

    return columns, batches()


# columns whose name means something else in one view
TEXT_IN_VIEW = {("crawl_runs", "status")}


def _arrow_type(view: str, column: str):
    import pyarrow as pa

    if (view, column) in TEXT_IN_VIEW:
        return pa.string()
    if column in BOOL_COLUMNS:
        return pa.bool_()
    if column in TIME_COLUMNS:
        return pa.timestamp("us", tz="UTC")
    if column in DATE_COLUMNS:
        return pa.date32()
    if column in NUMBER_COLUMNS:
        return pa.float64()  # exact for every count; amounts are printed to 2–4 decimals
    if _is_int_column(column):
        return pa.int64()
    return pa.string()


def _write_view(conn: sa.Connection, view: str, path: Path, fmt: str) -> int:
    columns, batches = iter_view(conn, view)
    n = 0
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(columns)
            for batch in batches:
                w.writerows([_text(v) for v in row] for row in batch)
                n += len(batch)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for batch in batches:
                for row in batch:
                    fh.write(json.dumps({c: _json_scalar(v) for c, v in zip(columns, row)},
                                        ensure_ascii=False, default=_json_scalar) + "\n")
                n += len(batch)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(c, _arrow_type(view, c)) for c in columns])
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            wrote = False
            for batch in batches:
                arrays = []
                for i, c in enumerate(columns):
                    col = [row[i] for row in batch]
                    t = schema.field(c).type
                    if pa.types.is_string(t):
                        col = [None if v is None else (_text(v)) for v in col]
                    elif pa.types.is_floating(t):
                        col = [None if v is None else float(v) for v in col]
                    arrays.append(pa.array(col, type=t))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                n += len(batch)
                wrote = True
            if not wrote:
                writer.write_table(schema.empty_table())
    else:  # pragma: no cover - guarded by export()
        raise ValueError(fmt)
    return n


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export(archive: Archive, out_dir: str | Path, fmt: str = "csv", *, views: list[str] | None = None,
           run_id: int | None = None) -> dict[str, Any]:
    """Write the views (default: all public views) to ``out_dir``; returns the manifest."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    if fmt == "warc":
        path = Path(write_warc(archive, out, run_id=run_id))
        files.append({"file": path.name, "view": None, "rows": None, "bytes": path.stat().st_size,
                      "sha256": _sha256_file(path)})
    else:
        ext = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}[fmt]
        with archive.engine.connect() as conn:
            for view in views or PUBLIC_VIEWS:
                path = out / f"{view}.{ext}"
                tmp = path.with_name(path.name + ".part")
                rows = _write_view(conn, view, tmp, fmt)
                tmp.replace(path)
                files.append({"file": path.name, "view": view, "rows": rows, "bytes": path.stat().st_size,
                              "sha256": _sha256_file(path)})
                logger.info("exported %s: %d rows", view, rows)
    manifest = {
        "format": fmt,
        "schema_version": current_revision(archive.engine),
        "created_at": utcnow().isoformat(),
        "database": archive.dialect,
        "run_id": run_id,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
