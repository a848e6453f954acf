"""The derived side of the Archive: rows computed from stored blobs, never fetched.

Extractions (text and tables per blob and extractor version), reports (per blob and parser
version) with their cells, checks and sources, and the canonical links between duplicate
reports. Everything here can be rebuilt from the blobs by ``nianbao process``.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from storage.base import ArchiveBase
from storage.blob_rows import require_blob
from storage.blobs import check_key
from storage.coerce import as_int, as_number, json_safe, to_date, utcnow
from storage.tables import T_CELL, T_CHECK, T_DOC, T_EXT, T_KEY, T_REP, T_SRC, T_VER, insert_ignore

logger = logging.getLogger(__name__)


def _published_at(value: Any) -> dt.date | None:
    """The report's publication date; a parsed value that is not an ISO date is stored as NULL."""
    try:
        return to_date(value)
    except ValueError:
        logger.warning("published_at %r is not an ISO date; stored as NULL", value)
        return None


class DerivedStore(ArchiveBase):
    """save/get extractions and reports, canonical links."""

    def save_extraction(self, sha256: str, extractor_version: str, data: Mapping[str, Any]) -> int:
        """Store an extraction (``Extraction.to_dict()``); one row per (sha256, extractor_version).

        Saving the same key again replaces the row's content and returns the same id.
        """
        sha = check_key(sha256)
        d = json_safe(dict(data)) or {}
        values = {
            "format": d.pop("format", None), "extractor": d.pop("extractor", None),
            "text": d.pop("text", None), "tables": d.pop("tables", None), "error": d.pop("error", None),
            "data": d, "created_at": utcnow(),
        }
        d.pop("extractor_version", None)
        if values["text"] is not None:
            values["text"] = values["text"].replace("\x00", "")  # PostgreSQL text cannot hold NUL
        with self._tx() as conn:
            require_blob(conn, sha)
            key = (T_EXT.c.sha256 == sha) & (T_EXT.c.extractor_version == extractor_version)
            ext_id = conn.execute(sa.select(T_EXT.c.id).where(key)).scalar()
            if ext_id is None:
                insert_ignore(conn, T_EXT, {"sha256": sha, "extractor_version": extractor_version, **values},
                              ["sha256", "extractor_version"])
                ext_id = conn.execute(sa.select(T_EXT.c.id).where(key)).scalar_one()
            else:
                conn.execute(T_EXT.update().where(T_EXT.c.id == ext_id).values(**values))
            return ext_id

    def get_extraction(self, sha256: str, extractor_version: str | None = None) -> dict[str, Any] | None:
        """The extraction of a blob (by the given version, else the newest one) as a dict."""
        q = sa.select(T_EXT).where(T_EXT.c.sha256 == check_key(sha256)).order_by(T_EXT.c.id.desc()).limit(1)
        if extractor_version is not None:
            q = q.where(T_EXT.c.extractor_version == extractor_version)
        with self._ro() as conn:
            row = conn.execute(q).mappings().first()
        if row is None:
            return None
        out = dict(row.get("data") or {})
        out.update({k: row[k] for k in ("id", "sha256", "extractor_version", "format", "extractor", "text",
                                        "tables", "error", "created_at")})
        return out

    def save_report(self, sha256: str, parser_version: str, report: Mapping[str, Any]) -> int:
        """Store a parsed report (``ParsedReport.to_dict()``); one row per (sha256, parser_version).

        Saving the same key again replaces its metadata, cells and checks (the canonical link is
        kept). The most recently saved parser version of a blob is the current one: the public
        views show it, and the cells and checks of the blob's other versions are removed.
        """
        sha = check_key(sha256)
        cells = list(report.get("cells") or [])
        checks = list(report.get("checks") or [])
        failed = sum(1 for c in checks if c.get("passed") is False)
        meta = {
            "agency": report.get("agency"), "agency_source": report.get("agency_source"),
            "region_code": (str(report["region_code"]) if report.get("region_code") else None),
            "admin_level": report.get("admin_level"), "report_year": as_int(report.get("report_year")),
            "template": (str(report["template"]) if report.get("template") is not None else None),
            "title": report.get("title"), "published_at": _published_at(report.get("published_at")),
            "text_hash": report.get("text_hash"), "checks_failed": failed, "checks_total": len(checks),
            "warnings": json_safe(list(report.get("warnings") or [])), "is_current": True,
        }
        try:
            return self._save_report(sha, parser_version, meta, cells, checks)
        except BaseException:
            self._cell_keys.clear()  # ids created in the rolled-back transaction are gone
            raise

    def _save_report(self, sha: str, parser_version: str, meta: dict[str, Any], cells: list[Mapping[str, Any]],
                     checks: list[Mapping[str, Any]]) -> int:
        with self._tx() as conn:
            require_blob(conn, sha)
            key = (T_REP.c.sha256 == sha) & (T_REP.c.parser_version == parser_version)
            rid = conn.execute(sa.select(T_REP.c.id).where(key)).scalar()
            if rid is None:
                insert_ignore(conn, T_REP, {"sha256": sha, "parser_version": parser_version,
                                            "created_at": utcnow(), **meta}, ["sha256", "parser_version"])
                rid = conn.execute(sa.select(T_REP.c.id).where(key)).scalar_one()
            conn.execute(T_REP.update().where(T_REP.c.id == rid).values(**meta))
            # superseded parses keep their report row (history) but not their cells and checks
            old = list(conn.execute(sa.select(T_REP.c.id).where(T_REP.c.sha256 == sha, T_REP.c.id != rid,
                                                                 T_REP.c.is_current.is_(True))).scalars())
            if old:
                conn.execute(T_REP.update().where(T_REP.c.id.in_(old)).values(is_current=False))
                conn.execute(T_CELL.delete().where(T_CELL.c.report_id.in_(old)))
                conn.execute(T_CHECK.delete().where(T_CHECK.c.report_id.in_(old)))
            conn.execute(T_CELL.delete().where(T_CELL.c.report_id == rid))
            conn.execute(T_CHECK.delete().where(T_CHECK.c.report_id == rid))
            cell_rows = self._cell_rows(conn, rid, cells)
            if cell_rows:
                conn.execute(T_CELL.insert(), cell_rows)
            if checks:
                conn.execute(T_CHECK.insert(), [{
                    "report_id": rid, "check_id": str(c.get("check_id")), "scope": c.get("scope"),
                    "passed": c.get("passed"), "expected": as_number(c.get("expected")),
                    "actual": as_number(c.get("actual")), "cells": json_safe(c.get("cells")),
                } for c in checks])
            self._refresh_sources(conn, rid, sha)
            return rid

    def _key_ids(self, conn: sa.Connection, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
        """cell_key ids of (section, row_key, column_key), creating the missing ones."""
        cache = self._cell_keys
        missing = sorted(k for k in keys if k not in cache)
        if missing:
            insert_ignore(conn, T_KEY, [{"section": s, "row_key": r, "column_key": c} for s, r, c in missing],
                          ["section", "row_key", "column_key"])
            for row in conn.execute(sa.select(T_KEY.c.id, T_KEY.c.section, T_KEY.c.row_key, T_KEY.c.column_key)):
                cache[(row.section, row.row_key, row.column_key)] = row.id
        return {k: cache[k] for k in keys}

    def _cell_rows(self, conn: sa.Connection, rid: int, cells: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for c in cells:
            k = (str(c.get("section")), str(c.get("row_key")), str(c.get("column_key")))
            if k in rows:
                logger.warning("report %s: duplicate cell %s; keeping the first", rid, k)
                continue
            printed = c.get("printed")
            rows[k] = {"report_id": rid, "value": as_number(c.get("value")),
                       "printed": None if printed is None else str(printed),
                       "inferred": bool(c.get("inferred", False))}
        ids = self._key_ids(conn, set(rows))
        return [{**row, "key_id": ids[k]} for k, row in rows.items()]

    def _refresh_sources(self, conn: sa.Connection, rid: int, sha: str) -> None:
        """report_source: every document that served this body; the first one is the report's source."""
        rows = conn.execute(
            sa.select(T_VER.c.document_id, T_DOC.c.url, T_VER.c.first_capture_id, T_VER.c.first_captured_at)
            .select_from(T_VER.join(T_DOC, T_DOC.c.id == T_VER.c.document_id))
            .where(T_VER.c.sha256 == sha).order_by(T_VER.c.first_captured_at, T_VER.c.id)
        ).all()
        if not rows:
            return
        insert_ignore(conn, T_SRC, [{"report_id": rid, "document_id": r.document_id, "url": r.url,
                                     "capture_id": r.first_capture_id, "captured_at": r.first_captured_at}
                                    for r in rows], ["report_id", "document_id"])
        first = rows[0]
        conn.execute(T_REP.update().where(T_REP.c.id == rid).values(
            source_url=first.url, source_document_id=first.document_id, captured_at=first.first_captured_at))

    def set_canonical(self, report_id: int, canonical_report_id: int | None) -> None:
        """Mark ``report_id`` as a duplicate of ``canonical_report_id`` (None: it is canonical)."""
        if canonical_report_id == report_id:
            canonical_report_id = None
        with self._tx() as conn:
            res = conn.execute(T_REP.update().where(T_REP.c.id == report_id)
                               .values(canonical_report_id=canonical_report_id))
            if res.rowcount == 0:
                raise KeyError(f"no report {report_id}")

    def report_ids_for_sha256(self, sha256: str, *, current_only: bool = True) -> list[int]:
        q = sa.select(T_REP.c.id).where(T_REP.c.sha256 == check_key(sha256)).order_by(T_REP.c.id)
        if current_only:
            q = q.where(T_REP.c.is_current.is_(True))
        with self._ro() as conn:
            return list(conn.execute(q).scalars())

    def get_report(self, report_id: int) -> dict[str, Any] | None:
        """A report row with its ``cells`` and ``checks`` (the shape save_report takes, plus ids)."""
        with self._ro() as conn:
            row = conn.execute(sa.select(T_REP).where(T_REP.c.id == report_id)).mappings().first()
            if row is None:
                return None
            out = dict(row)
            out["cells"] = [dict(r) for r in conn.execute(
                sa.select(T_KEY.c.section, T_KEY.c.row_key, T_KEY.c.column_key, T_CELL.c.value,
                          T_CELL.c.printed, T_CELL.c.inferred)
                .select_from(T_CELL.join(T_KEY, T_KEY.c.id == T_CELL.c.key_id))
                .where(T_CELL.c.report_id == report_id).order_by(T_CELL.c.key_id)).mappings()]
            out["checks"] = [dict(r) for r in conn.execute(
                sa.select(T_CHECK.c.check_id, T_CHECK.c.scope, T_CHECK.c.passed, T_CHECK.c.expected,
                          T_CHECK.c.actual, T_CHECK.c.cells)
                .where(T_CHECK.c.report_id == report_id).order_by(T_CHECK.c.id)).mappings()]
            out["sources"] = [dict(r) for r in conn.execute(
                sa.select(T_SRC.c.document_id, T_SRC.c.url, T_SRC.c.capture_id, T_SRC.c.captured_at)
                .where(T_SRC.c.report_id == report_id).order_by(T_SRC.c.id)).mappings()]
            return out
