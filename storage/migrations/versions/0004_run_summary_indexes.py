"""crawl_runs view: index-only run summaries

The view counts captures by run and kind (and new blobs) and documents gone per run; with
(run_id, kind, new_blob) and (gone_run_id) indexes both are answered from indexes instead of
scanning every capture and document.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_capture_run", table_name="capture")
    op.create_index("ix_capture_run", "capture", ["run_id", "kind", "new_blob"])
    op.create_index("ix_document_gone_run", "document", ["gone_run_id"])


def downgrade() -> None:
    op.drop_index("ix_document_gone_run", table_name="document")
    op.drop_index("ix_capture_run", table_name="capture")
    op.create_index("ix_capture_run", "capture", ["run_id", "kind"])
