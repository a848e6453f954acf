"""initial schema and public views

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 20:17:00.741712
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _current_version_fk_inline() -> list[sa.ForeignKeyConstraint]:
    """document.current_version_id -> document_version: inline on SQLite, added later elsewhere."""
    if op.get_bind().dialect.name == "sqlite":
        return [sa.ForeignKeyConstraint(['current_version_id'], ['document_version.id'],
                                        name='fk_document_current_version')]
    return []


# The public views: the data contract. Plain SQL that runs on SQLite and PostgreSQL alike.
# Column names are stable; a later migration may add columns, never rename or drop them.
# A frozen copy of what this revision created: the current definitions are storage/views.py.
VIEWS: dict[str, str] = {
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
SELECT c.report_id, c.section, c.row_key, c.column_key, c.value, c.printed, c.inferred
FROM report_cell c
JOIN report r ON r.id = c.report_id
WHERE r.is_current = TRUE""",
    "report_checks": """
SELECT k.report_id, k.check_id, k.scope, k.passed, k.expected, k.actual, k.cells
FROM report_check k
JOIN report r ON r.id = k.report_id
WHERE r.is_current = TRUE""",
}


def upgrade() -> None:
    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('stored_size', sa.BigInteger(), nullable=False),
    sa.Column('compression', sa.String(length=16), nullable=True),
    sa.Column('content_type', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('crawl_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('portals', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('portal', sa.String(length=255), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gone_run_id', sa.Integer(), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    *_current_version_fk_inline(),
    sa.ForeignKeyConstraint(['gone_run_id'], ['crawl_run.id'], ),
    sa.ForeignKeyConstraint(['moved_to_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    op.create_index(op.f('ix_document_portal'), 'document', ['portal'], unique=False)
    op.create_index('ix_document_moved_to', 'document', ['moved_to_id'], unique=False)

    op.create_table('extraction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('extractor_version', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=True),
    sa.Column('extractor', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('tables', sa.JSON(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256', 'extractor_version', name='uq_extraction')
    )
    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('first_captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capture_count', sa.Integer(), nullable=False),
    sa.Column('first_capture_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'sha256', name='uq_document_version')
    )
    op.create_index(op.f('ix_document_version_sha256'), 'document_version', ['sha256'], unique=False)
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot ALTER TABLE ADD CONSTRAINT
        op.create_foreign_key('fk_document_current_version', 'document', 'document_version',
                              ['current_version_id'], ['id'])

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('parser_version', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.Text(), nullable=True),
    sa.Column('agency_source', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('admin_level', sa.String(length=16), nullable=True),
    sa.Column('report_year', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=16), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published_at', sa.Date(), nullable=True),
    sa.Column('text_hash', sa.String(length=64), nullable=True),
    sa.Column('canonical_report_id', sa.Integer(), nullable=True),
    sa.Column('checks_failed', sa.Integer(), nullable=False),
    sa.Column('checks_total', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('source_document_id', sa.Integer(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['canonical_report_id'], ['report.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], ),
    sa.ForeignKeyConstraint(['source_document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256', 'parser_version', name='uq_report')
    )
    op.create_index('ix_report_agency_year', 'report', ['agency', 'report_year'], unique=False)
    op.create_index('ix_report_sha256_current', 'report', ['sha256', 'is_current'], unique=False)
    op.create_index(op.f('ix_report_canonical_report_id'), 'report', ['canonical_report_id'], unique=False)
    op.create_index(op.f('ix_report_region_code'), 'report', ['region_code'], unique=False)
    op.create_index(op.f('ix_report_text_hash'), 'report', ['text_hash'], unique=False)
    op.create_index('ix_report_year_level', 'report', ['is_current', 'report_year', 'admin_level'], unique=False)

    op.create_table('capture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('portal', sa.String(length=255), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('new_blob', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('content_length', sa.BigInteger(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('referer', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('is_report', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_run.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['document_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_capture_document', 'capture', ['document_id', 'id'], unique=False)
    op.create_index('ix_capture_run', 'capture', ['run_id', 'kind'], unique=False)
    op.create_index(op.f('ix_capture_sha256'), 'capture', ['sha256'], unique=False)

    op.create_table('report_cell',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=8), nullable=False),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('column_key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('printed', sa.Text(), nullable=True),
    sa.Column('inferred', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'section', 'row_key', 'column_key', name='uq_report_cell')
    )
    op.create_index('ix_report_cell_key_value', 'report_cell', ['row_key', 'column_key', 'value', 'report_id'], unique=False)

    op.create_table('report_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('expected', sa.Numeric(), nullable=True),
    sa.Column('actual', sa.Numeric(), nullable=True),
    sa.Column('cells', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_report_check_report', 'report_check', ['report_id', 'check_id'], unique=False)

    op.create_table('report_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('capture_id', sa.Integer(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['capture_id'], ['capture.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'document_id', name='uq_report_source')
    )
    op.create_index(op.f('ix_report_source_document_id'), 'report_source', ['document_id'], unique=False)


    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index(op.f('ix_report_source_document_id'), table_name='report_source')

    op.drop_table('report_source')
    op.drop_index('ix_report_check_report', table_name='report_check')

    op.drop_table('report_check')
    op.drop_index('ix_report_cell_key_value', table_name='report_cell')

    op.drop_table('report_cell')
    op.drop_index(op.f('ix_capture_sha256'), table_name='capture')
    op.drop_index('ix_capture_run', table_name='capture')
    op.drop_index('ix_capture_document', table_name='capture')

    op.drop_table('capture')
    op.drop_index('ix_report_year_level', table_name='report')
    op.drop_index(op.f('ix_report_text_hash'), table_name='report')
    op.drop_index(op.f('ix_report_region_code'), table_name='report')
    op.drop_index(op.f('ix_report_canonical_report_id'), table_name='report')
    op.drop_index('ix_report_agency_year', table_name='report')

    op.drop_table('report')
    op.drop_index(op.f('ix_document_version_sha256'), table_name='document_version')

    op.drop_table('document_version')
    op.drop_table('extraction')
    op.drop_index(op.f('ix_document_portal'), table_name='document')

    op.drop_table('document')
    op.drop_table('crawl_run')
    op.drop_table('blob')
