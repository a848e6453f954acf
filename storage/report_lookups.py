"""Lookups over the derived rows that processing and deduplication make.

Cross-year checks need last year's report of the same agency (and next year's, to refresh it);
``nianbao process`` needs the blobs whose reports are all by an older parser; duplicate
linking needs report identities, their figures, their extraction text and the members of
duplicate groups. The queries live here so pipelines never touch the database.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from storage.base import ArchiveBase
from storage.tables import T_EXT, T_REP

logger = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (…) list

# the public view, not the table: its columns are the contract, the table layout is storage's
_FIGURES = sa.text("SELECT report_id, section, row_key, column_key, value FROM report_cells "
                   "WHERE report_id IN :ids").bindparams(sa.bindparam("ids", expanding=True))


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


class ReportLookups(ArchiveBase):
    """Read-only questions about current reports and extractions, answered in a query or a few."""

    # -- cross-year checks ---------------------------------------------------------------
    def earliest_report_of(self, agency: str, year: int, *, exclude_sha: str) -> int | None:
        """The agency's current report of ``year`` (canonical first, then earliest captured),
        other than the body ``exclude_sha``."""
        with self._ro() as conn:
            row = conn.execute(
                sa.select(T_REP.c.id, T_REP.c.canonical_report_id)
                .where(T_REP.c.agency == agency, T_REP.c.report_year == year, T_REP.c.is_current.is_(True),
                       T_REP.c.sha256 != exclude_sha)
                .order_by(T_REP.c.canonical_report_id.is_not(None), T_REP.c.captured_at, T_REP.c.id)
            ).first()
        return row.id if row else None

    def reports_of(self, agency: str, year: int) -> list[int]:
        """Ids of the agency's current reports of ``year``, oldest row first."""
        with self._ro() as conn:
            return list(conn.execute(
                sa.select(T_REP.c.id).where(T_REP.c.agency == agency, T_REP.c.report_year == year,
                                            T_REP.c.is_current.is_(True)).order_by(T_REP.c.id)).scalars())

    def canonical_report_id(self, report_id: int) -> int | None:
        """The report's canonical_report_id column: None when it is canonical (or unknown)."""
        with self._ro() as conn:
            return conn.execute(sa.select(T_REP.c.canonical_report_id).where(T_REP.c.id == report_id)).scalar()

    # -- parser upgrades -----------------------------------------------------------------
    def shas_without_parse(self, parser_version: str) -> set[str]:
        """Blobs that have report rows, but none by ``parser_version``."""
        with self._ro() as conn:
            parsed = set(conn.execute(sa.select(T_REP.c.sha256).distinct()).scalars())
            current = set(conn.execute(
                sa.select(T_REP.c.sha256).where(T_REP.c.parser_version == parser_version)).scalars())
        return parsed - current

    # -- duplicates ----------------------------------------------------------------------
    def extraction_texts(self, sha256s: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """sha256 -> (extractor_version, text) of the newest successful extraction of each blob."""
        out: dict[str, tuple[str | None, str]] = {}
        with self._ro() as conn:
            for chunk in _chunks(sorted(set(sha256s))):
                rows = conn.execute(
                    sa.select(T_EXT.c.sha256, T_EXT.c.extractor_version, T_EXT.c.text)
                    .where(T_EXT.c.sha256.in_(chunk), T_EXT.c.error.is_(None))
                    .order_by(T_EXT.c.id)
                )
                for sha, ver, text in rows:
                    out[sha] = (ver, text or "")
        return out

    def report_identities(self, *, report_year: int | None = None, report_ids: Iterable[int] | None = None,
                          any_year: bool = False, agency: str | None | bool = False,
                          region_code: str | None = None) -> list[dict[str, Any]]:
        """What identifies each current report: id, sha256, agency, region_code, report_year,
        text_hash, captured_at, canonical_report_id.

        Limited to ``report_ids``, else to ``report_year`` (None: reports without a year) unless
        ``any_year``. ``agency=None`` selects reports without agency in ``region_code`` (None:
        without region either); ``agency=False`` does not filter on agency.
        """
        q = sa.select(T_REP.c.id, T_REP.c.sha256, T_REP.c.agency, T_REP.c.region_code, T_REP.c.report_year,
                      T_REP.c.text_hash, T_REP.c.captured_at, T_REP.c.canonical_report_id) \
            .where(T_REP.c.is_current.is_(True))
        if report_ids is not None:
            q = q.where(T_REP.c.id.in_(list(report_ids)))
        elif not any_year:
            q = q.where(T_REP.c.report_year == report_year) if report_year is not None \
                else q.where(T_REP.c.report_year.is_(None))
        if agency is None:
            q = q.where(T_REP.c.agency.is_(None))
            q = q.where(T_REP.c.region_code == region_code) if region_code else q.where(T_REP.c.region_code.is_(None))
        elif agency is not False:
            q = q.where(T_REP.c.agency == agency)
        with self._ro() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def report_figures(self, report_ids: Iterable[int]) -> dict[int, list[tuple[Any, Any, Any, Any]]]:
        """report id -> [(section, row_key, column_key, value)] from the ``report_cells`` view."""
        out: dict[int, list[tuple[Any, Any, Any, Any]]] = {}
        with self._ro() as conn:
            for chunk in _chunks(sorted(set(report_ids))):
                for c in conn.execute(_FIGURES, {"ids": chunk}):
                    out.setdefault(c.report_id, []).append((c.section, c.row_key, c.column_key, c.value))
        return out

    def report_ids_with_text_hash(self, text_hash: str) -> list[int]:
        """Current reports whose normalised text hashes to ``text_hash``."""
        with self._ro() as conn:
            return list(conn.execute(sa.select(T_REP.c.id).where(
                T_REP.c.text_hash == text_hash, T_REP.c.is_current.is_(True))).scalars())

    def duplicate_group_members(self, canonical_ids: Iterable[int]) -> list[int]:
        """Current reports that are one of ``canonical_ids`` or point at one of them."""
        canon = list(canonical_ids)
        with self._ro() as conn:
            return list(conn.execute(sa.select(T_REP.c.id).where(
                sa.or_(T_REP.c.canonical_report_id.in_(canon), T_REP.c.id.in_(canon)),
                T_REP.c.is_current.is_(True))).scalars())
