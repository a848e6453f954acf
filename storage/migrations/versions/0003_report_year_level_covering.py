"""reports by year x admin_level: covering index including checks_failed

The year x admin_level aggregate over `reports` (count and failed checks) read every report
row through the index; with checks_failed in the index it is answered from the index alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_report_year_level", table_name="report")
    op.create_index("ix_report_year_level", "report", ["is_current", "report_year", "admin_level", "checks_failed"])


def downgrade() -> None:
    op.drop_index("ix_report_year_level", table_name="report")
    op.create_index("ix_report_year_level", "report", ["is_current", "report_year", "admin_level"])
