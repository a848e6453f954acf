"""Migrations: automatic, idempotent, matching the models, creating the seven public views."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import Archive
from storage.db import current_revision, head_revision, make_engine, upgrade
from storage.export import PUBLIC_VIEWS
from storage.models import Base


def _views(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_view_names())


def test_new_archive_is_migrated_and_reopening_is_a_noop(db_url, tmp_path):
    a = Archive(db_url, tmp_path / "b")
    assert current_revision(a.engine) == head_revision()
    assert _views(a.engine) >= set(PUBLIC_VIEWS)
    a.record_capture(run_id=None, url="http://x.test/", status=200, body=b"kept")
    a.close()
    b = Archive(db_url, tmp_path / "b")  # second open: no error, data kept
    assert upgrade(b.engine) == head_revision()
    assert b.query("SELECT count(*) AS n FROM captures")[0]["n"] == 1
    b.close()


def test_models_match_the_migrations(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [d for d in compare_metadata(ctx, Base.metadata)
                if not (isinstance(d, tuple) and d[0] in ("remove_table",) and d[1].name.startswith("apscheduler"))]
    engine.dispose()
    assert diff == []


def test_0002_keeps_cells_written_under_0001(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    sha = "ab" * 32
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO blob (sha256, size, stored_size, created_at) VALUES (:s, 1, 1, :t)"),
                  {"s": sha, "t": "2024-01-01 00:00:00"})
        c.execute(sa.text("INSERT INTO report (id, sha256, parser_version, checks_failed, checks_total, is_current, "
                          "created_at) VALUES (1, :s, 'p', 0, 0, TRUE, :t)"), {"s": sha, "t": "2024-01-01 00:00:00"})
        c.execute(sa.text("INSERT INTO report_cell (report_id, section, row_key, column_key, value, printed, inferred) "
                          "VALUES (1, '3', 'granted', 'total', 5, '5', FALSE), "
                          "(1, '2', 'fees', 'amount_10k_yuan', 1.5, '1.50', TRUE)"))
    upgrade(engine)
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT section, row_key, column_key, value, printed, inferred FROM report_cells "
                                 "ORDER BY section")).all()
    engine.dispose()
    assert [(r[0], r[1], r[2], float(r[3]), r[4], bool(r[5])) for r in rows] == [
        ("2", "fees", "amount_10k_yuan", 1.5, "1.50", True), ("3", "granted", "total", 5.0, "5", False)]
