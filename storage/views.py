"""The public SQL views: the archive's data contract, defined here once as they are now.

Users, ``nianbao sql``, export and the README's view reference read these views, never the
tables (which change between migrations). Column names are stable: a change may add columns,
never rename or drop them. Every definition runs as written on SQLite and PostgreSQL; one
that must differ maps the dialect name to its SQL (``{"sqlite": …, "postgresql": …}``).

Migrations create the views, each with a frozen copy of the SQL it ran (0001 created them,
0002 rewrote report_cells and report_checks over the compact cell table). To change a view:
write a migration that drops and recreates it with its own copy of the new SQL, then make the
definition here the same. tests/storage/test_storage_views_current.py builds an archive by
migrations on both backends and fails while the two differ.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

logger = logging.getLogger(__name__)

VIEWS: dict[str, str | Mapping[str, str]] = {
    "reports": """
SELECT r.id AS report_id, r.agency, r.agency_source, r.region_code, r.admin_level,
       r.report_year, r.template, r.title, r.source_url, r.source_document_id AS document_id,
       r.sha256, r.captured_at, r.published_at,
       COALESCE(r.canonical_report_id, r.id) AS canonical_report_id,
       CASE WHEN r.canonical_report_id IS NULL THEN TRUE ELSE FALSE END AS is_canonical,
       r.checks_failed, r.checks_total, r.parser_version, r.text_hash,
       (SELECT count(*) FROM report_source s WHERE s.report_id = r.id) AS source_count
FROM report r
WHERE r.is_current = TRUE""",
    "report_cells": """
SELECT c.report_id, k.section, k.row_key, k.column_key, c.value, c.printed, c.inferred
FROM report_cell c
JOIN cell_key k ON k.id = c.key_id""",
    "report_checks": """
SELECT k.report_id, k.check_id, k.scope, k.passed, k.expected, k.actual, k.cells
FROM report_check k""",
    "documents": """
SELECT d.id AS document_id, d.url, d.portal, d.first_seen_at, d.last_seen_at,
       d.gone_at, d.gone_run_id,
       d.moved_to_id AS moved_to_document_id, m.url AS moved_to_url,
       (SELECT min(f.id) FROM document f WHERE f.moved_to_id = d.id) AS moved_from_document_id,
       d.current_version_id, v.sha256 AS current_sha256,
       d.etag, d.last_modified,
       (SELECT count(*) FROM document_version x WHERE x.document_id = d.id) AS version_count,
       (SELECT count(*) FROM capture c WHERE c.document_id = d.id) AS capture_count,
       CASE WHEN EXISTS (SELECT 1 FROM capture c WHERE c.document_id = d.id AND c.is_report = TRUE)
            THEN TRUE ELSE FALSE END AS is_report
FROM document d
LEFT JOIN document_version v ON v.id = d.current_version_id
LEFT JOIN document m ON m.id = d.moved_to_id""",
    "document_versions": """
SELECT v.id AS version_id, v.document_id, d.url,
       (SELECT count(*) FROM document_version w
         WHERE w.document_id = v.document_id AND w.id <= v.id) AS version_number,
       v.sha256, b.size, b.content_type,
       v.first_captured_at, v.last_captured_at, v.capture_count, v.first_capture_id,
       CASE WHEN d.current_version_id = v.id THEN TRUE ELSE FALSE END AS is_current
FROM document_version v
JOIN document d ON d.id = v.document_id
JOIN blob b ON b.sha256 = v.sha256""",
    "captures": """
SELECT c.id AS capture_id, c.run_id, c.document_id, c.version_id, c.url, c.final_url,
       c.portal, c.fetched_at, c.status, c.kind, c.sha256, c.new_blob,
       c.etag, c.last_modified, c.content_type, c.content_length,
       c.error, c.referer, c.title, c.is_report, c.headers
FROM capture c""",
    "crawl_runs": """
SELECT r.id AS run_id, r.kind, r.portals, r.status, r.started_at, r.finished_at,
       COALESCE(c.captures, 0) AS captures,
       COALESCE(c.new_versions, 0) AS new_versions,
       COALESCE(c.identical_revisits, 0) AS identical_revisits,
       COALESCE(c.not_modified, 0) AS not_modified,
       COALESCE(c.errors, 0) AS errors,
       COALESCE(c.new_blobs, 0) AS new_blobs,
       (SELECT count(*) FROM document g WHERE g.gone_run_id = r.id) AS gone,
       r.stats
FROM crawl_run r
LEFT JOIN (
    SELECT run_id,
           count(*) AS captures,
           sum(CASE WHEN kind = 'new_version' THEN 1 ELSE 0 END) AS new_versions,
           sum(CASE WHEN kind = 'identical_revisit' THEN 1 ELSE 0 END) AS identical_revisits,
           sum(CASE WHEN kind = 'not_modified' THEN 1 ELSE 0 END) AS not_modified,
           sum(CASE WHEN kind = 'error' THEN 1 ELSE 0 END) AS errors,
           sum(CASE WHEN new_blob = TRUE THEN 1 ELSE 0 END) AS new_blobs
    FROM capture GROUP BY run_id
) c ON c.run_id = r.id""",
}

PUBLIC_VIEWS: tuple[str, ...] = tuple(VIEWS)


def view_sql(name: str, dialect: str) -> str:
    """The SELECT behind view ``name`` on ``dialect`` ('sqlite' or 'postgresql')."""
    sql = VIEWS[name]
    return sql if isinstance(sql, str) else sql[dialect]
