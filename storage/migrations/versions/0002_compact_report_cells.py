"""compact report cells: keys in a cell_key table, cells keyed by (report_id, key_id)

Also: only the current parse of a blob keeps cells and checks, so the views need no join.

A report has ~200 cells, so the archive holds tens of millions of them. Repeating the
section/row/column key text in every row (and again in two indexes) made a cell cost
~160 bytes on SQLite; with a small key table and a clustered (report_id, key_id) primary key
(WITHOUT ROWID on SQLite) it costs ~30. The `report_cells` view keeps its columns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only current reports keep cells and checks (save_report removes those of superseded parser
# versions), so the views need no join with `report` — summing one figure over all reports
# is then a range scan of the covering index. (Frozen copies; the current definitions are
# storage/views.py.)
REPORT_CELLS_V2 = """
SELECT c.report_id, k.section, k.row_key, k.column_key, c.value, c.printed, c.inferred
FROM report_cell c
JOIN cell_key k ON k.id = c.key_id"""

REPORT_CHECKS_V2 = """
SELECT k.report_id, k.check_id, k.scope, k.passed, k.expected, k.actual, k.cells
FROM report_check k"""

REPORT_CHECKS_V1 = """
SELECT k.report_id, k.check_id, k.scope, k.passed, k.expected, k.actual, k.cells
FROM report_check k
JOIN report r ON r.id = k.report_id
WHERE r.is_current = TRUE"""

REPORT_CELLS_V1 = """
SELECT c.report_id, c.section, c.row_key, c.column_key, c.value, c.printed, c.inferred
FROM report_cell c
JOIN report r ON r.id = c.report_id
WHERE r.is_current = TRUE"""


def upgrade() -> None:
    op.execute("DROP VIEW report_cells")
    op.execute("DROP VIEW report_checks")
    op.execute("DELETE FROM report_cell WHERE report_id IN (SELECT id FROM report WHERE is_current = FALSE)")
    op.execute("DELETE FROM report_check WHERE report_id IN (SELECT id FROM report WHERE is_current = FALSE)")
    op.create_table(
        "cell_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=8), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("column_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("section", "row_key", "column_key", name="uq_cell_key"),
    )
    op.create_index("ix_cell_key_row_column", "cell_key", ["row_key", "column_key"], unique=False)
    op.execute("INSERT INTO cell_key (section, row_key, column_key) "
               "SELECT DISTINCT section, row_key, column_key FROM report_cell ORDER BY 1, 2, 3")
    op.create_table(
        "report_cell_v2",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("printed", sa.Text(), nullable=True),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["key_id"], ["cell_key.id"]),
        sa.PrimaryKeyConstraint("report_id", "key_id", name="pk_report_cell"),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO report_cell_v2 (report_id, key_id, value, printed, inferred) "
               "SELECT c.report_id, k.id, c.value, c.printed, c.inferred FROM report_cell c "
               "JOIN cell_key k ON k.section = c.section AND k.row_key = c.row_key AND k.column_key = c.column_key")
    op.drop_index("ix_report_cell_key_value", table_name="report_cell")
    op.drop_table("report_cell")
    op.rename_table("report_cell_v2", "report_cell")
    # covering index for "one figure over all reports" (sum/avg by row_key/column_key)
    op.create_index("ix_report_cell_key_value", "report_cell", ["key_id", "value", "report_id"], unique=False)
    op.execute(f"CREATE VIEW report_cells AS {REPORT_CELLS_V2}")
    op.execute(f"CREATE VIEW report_checks AS {REPORT_CHECKS_V2}")


def downgrade() -> None:
    op.execute("DROP VIEW report_cells")
    op.execute("DROP VIEW report_checks")
    op.execute(f"CREATE VIEW report_checks AS {REPORT_CHECKS_V1}")
    op.create_table(
        "report_cell_v1",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=8), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("column_key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("printed", sa.Text(), nullable=True),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO report_cell_v1 (report_id, section, row_key, column_key, value, printed, inferred) "
               "SELECT c.report_id, k.section, k.row_key, k.column_key, c.value, c.printed, c.inferred "
               "FROM report_cell c JOIN cell_key k ON k.id = c.key_id")
    op.drop_index("ix_report_cell_key_value", table_name="report_cell")
    op.drop_table("report_cell")
    op.rename_table("report_cell_v1", "report_cell")
    op.create_unique_constraint("uq_report_cell", "report_cell", ["report_id", "section", "row_key", "column_key"]) \
        if op.get_bind().dialect.name != "sqlite" else op.create_index(
            "uq_report_cell", "report_cell", ["report_id", "section", "row_key", "column_key"], unique=True)
    op.create_index("ix_report_cell_key_value", "report_cell", ["row_key", "column_key", "value", "report_id"])
    op.drop_index("ix_cell_key_row_column", table_name="cell_key")
    op.drop_table("cell_key")
    op.execute(f"CREATE VIEW report_cells AS {REPORT_CELLS_V1}")
