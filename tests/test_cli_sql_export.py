"""`nianbao sql`, `nianbao export`, `nianbao db` and config errors, through the CLI, on both backends."""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from crawler.cli import main
from storage import Archive
from storage.db import head_revision
from storage.export import PUBLIC_VIEWS


def _config(tmp_path: Path, db_url: str) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"archive": {"database": db_url, "blobs": str(tmp_path / "blobs")}}))
    return cfg


def _run(cfg: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


@pytest.fixture
def filled(db_url: str, tmp_path: Path) -> tuple[Path, str]:
    """A config pointing at an archive with a run, captures, a version change and a report."""
    a = Archive(db_url, tmp_path / "blobs")
    run = a.start_run(["demo"])
    a.record_capture(run_id=run, url="http://a.test/r", status=200, body=b"v1" * 200, portal="demo")
    r = a.record_capture(run_id=run, url="http://a.test/r", status=200, body=b"v2" * 200, portal="demo")
    a.record_capture(run_id=run, url="http://a.test/r", status=304, portal="demo")
    a.record_capture(run_id=run, url="http://a.test/404", status=404, portal="demo")
    a.save_report(r.sha256, "p1", {"agency": "某县人民政府办公室", "report_year": 2023, "template": "2021",
                                   "admin_level": "county", "cells": [
                                       {"section": "3", "row_key": "granted", "column_key": "total",
                                        "value": 7, "printed": "7"}],
                                   "checks": [{"check_id": "H1", "scope": "total", "passed": True,
                                               "expected": 7, "actual": 7, "cells": []}]})
    a.finish_run(run, "finished", {"pages": 4})
    a.close()
    return _config(tmp_path, db_url), db_url


def _counts(db_url: str, tmp_path: Path) -> dict[str, int]:
    a = Archive(db_url, tmp_path / "blobs")
    try:
        return {t: a.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]
                for t in ("blob", "document", "capture", "report", "report_cell", "crawl_run")}
    finally:
        a.close()


def test_new_sqlite_archive_lists_the_seven_views(tmp_path: Path):
    cfg = _config(tmp_path, f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert _run(cfg, "db", "upgrade").exit_code == 0   # sql itself never creates an archive
    res = _run(cfg, "sql", "select name from sqlite_master where type='view' order by name", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.split() == ["name", *sorted(PUBLIC_VIEWS)]


def test_new_postgresql_archive_lists_the_seven_views(pg_url: str, tmp_path: Path):
    cfg = _config(tmp_path, pg_url)
    assert _run(cfg, "db", "upgrade").exit_code == 0
    res = _run(cfg, "sql", "select table_name from information_schema.views where table_schema = current_schema() "
                           "order by 1", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.split() == ["table_name", *sorted(PUBLIC_VIEWS)]


@pytest.mark.parametrize("stmt", [
    "DELETE FROM capture",
    "UPDATE report_cell SET value = 0",
    "DROP VIEW reports",
    "INSERT INTO crawl_run (kind, portals, started_at, status) VALUES ('x', '[]', '2020-01-01', 'x')",
    "CREATE TABLE evil (x int)",
])
def test_sql_refuses_writes_and_changes_nothing(filled, tmp_path: Path, stmt: str):
    cfg, db_url = filled
    before = _counts(db_url, tmp_path)
    res = _run(cfg, "sql", stmt)
    assert res.exit_code != 0
    assert "read-only" in res.output
    assert _counts(db_url, tmp_path) == before
    assert _run(cfg, "sql", "SELECT count(*) AS n FROM reports", "--format", "csv").output.split() == ["n", "1"]


def test_sqlite_sql_creates_no_files(tmp_path: Path):
    cfg = _config(tmp_path, f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert _run(cfg, "db", "upgrade").exit_code == 0
    assert _run(cfg, "sql", "select 1").exit_code == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    for stmt in (f"ATTACH '{tmp_path / 'other.db'}' AS o", f"VACUUM INTO '{tmp_path / 'copy.db'}'",
                 "PRAGMA query_only=OFF", "PRAGMA journal_mode=DELETE"):
        res = _run(cfg, "sql", stmt)
        assert res.exit_code != 0 and "read-only" in res.output, stmt
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    res = _run(cfg, "sql", "PRAGMA table_info(report)", "--format", "csv")
    assert res.exit_code == 0 and "sha256" in res.output


def test_sql_refuses_escaping_the_transaction(filled, tmp_path: Path):
    cfg, db_url = filled
    before = _counts(db_url, tmp_path)
    res = _run(cfg, "sql", "COMMIT; DELETE FROM capture")
    assert res.exit_code != 0
    assert _counts(db_url, tmp_path) == before


def test_sql_formats_and_errors(filled):
    cfg, _ = filled
    res = _run(cfg, "sql", "SELECT kind, count(*) AS n FROM captures GROUP BY kind ORDER BY kind", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == [{"kind": "error", "n": 1}, {"kind": "new_version", "n": 2},
                                      {"kind": "not_modified", "n": 1}]
    res = _run(cfg, "sql", "SELECT report_year, agency, value FROM reports JOIN report_cells USING (report_id)")
    assert res.exit_code == 0 and "某县人民政府办公室" in res.output and "2023" in res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["report_year", "agency", "value"] and set(lines[1]) <= {"-", " "}
    res = CliRunner().invoke(main, ["--config", str(cfg), "sql", "-", "--format", "csv"],
                             input="SELECT count(*) AS n\nFROM captures\n")
    assert res.exit_code == 0 and res.output.split() == ["n", "4"]
    res = _run(cfg, "sql", "SELECT * FROM no_such_view")
    assert res.exit_code != 0 and "SQL error" in res.output


READ_ONLY_COMMANDS = [("sql", "SELECT count(*) FROM reports"), ("export", "--out", "OUT")]


def _readonly(cfg: Path, tmp_path: Path, cmd: tuple[str, ...]):
    return _run(cfg, *[str(tmp_path / "out") if a == "OUT" else a for a in cmd])


@pytest.mark.parametrize("cmd", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_readonly_commands_never_create_an_archive(tmp_path: Path, cmd):
    cfg = _config(tmp_path, f"sqlite:///{tmp_path / 'archive' / 'a.sqlite'}")
    before = sorted(p.name for p in tmp_path.iterdir())
    res = _readonly(cfg, tmp_path, cmd)
    assert res.exit_code != 0
    assert "no archive at" in res.output and "nianbao db upgrade" in res.output, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before   # no archive/, blobs/ or out/


def _schema_state(db_url: str) -> tuple[str | None, list[str]]:
    from storage.db import current_revision, make_engine

    eng = make_engine(db_url)
    try:
        import sqlalchemy as sa

        return current_revision(eng), sorted(sa.inspect(eng).get_table_names())
    finally:
        eng.dispose()


@pytest.mark.parametrize("cmd", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_readonly_commands_never_migrate(db_url: str, tmp_path: Path, cmd):
    from storage.db import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng, "0003")   # an archive written by an older nianbao
    eng.dispose()
    cfg = _config(tmp_path, db_url)
    before = _schema_state(db_url)
    res = _readonly(cfg, tmp_path, cmd)
    assert res.exit_code != 0
    assert f"at schema 0003, this nianbao reads {head_revision()}" in res.output, res.output
    assert "nianbao db upgrade" in res.output
    assert _schema_state(db_url) == before and before[0] == "0003"
    assert not (tmp_path / "out").exists()


def test_readonly_commands_on_an_empty_or_newer_database(pg_url: str, tmp_path: Path):
    cfg = _config(tmp_path, pg_url)
    res = _run(cfg, "sql", "SELECT 1")
    assert res.exit_code != 0 and "has no nianbao schema" in res.output and "nianbao db upgrade" in res.output
    assert _schema_state(pg_url) == (None, [])   # still empty
    assert _run(cfg, "db", "upgrade").exit_code == 0
    import sqlalchemy as sa

    eng = sa.create_engine(pg_url)
    with eng.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    eng.dispose()
    res = _run(cfg, "export", "--out", str(tmp_path / "out"))
    assert res.exit_code != 0 and "written by a newer nianbao" in res.output, res.output
    assert _schema_state(pg_url)[0] == "9999_from_the_future"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_writes_every_view_and_a_correct_manifest(filled, tmp_path: Path, fmt: str):
    cfg, db_url = filled
    out = tmp_path / "out"
    res = _run(cfg, "export", "--format", fmt, "--out", str(out))
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_version"] == head_revision() and manifest["format"] == fmt
    assert manifest["created_at"]
    files = {f["view"]: f for f in manifest["files"]}
    assert set(files) == set(PUBLIC_VIEWS)
    a = Archive(db_url, tmp_path / "blobs")
    for view, f in files.items():
        path = out / f["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
        assert f["rows"] == a.query(f"SELECT count(*) AS n FROM {view}")[0]["n"]
        if fmt == "csv":
            with path.open(encoding="utf-8") as fh:
                assert sum(1 for _ in csv.reader(fh)) == f["rows"] + 1
        elif fmt == "jsonl":
            assert len(path.read_text(encoding="utf-8").splitlines()) == f["rows"]
        else:
            import pyarrow.parquet as pq

            assert pq.read_table(path).num_rows == f["rows"]
    a.close()
    assert files["captures"]["rows"] == 4 and files["report_cells"]["rows"] == 1
    if fmt == "jsonl":
        runs = [json.loads(x) for x in (out / "crawl_runs.jsonl").read_text().splitlines()]
        assert runs[0]["portals"] == ["demo"] and runs[0]["stats"] == {"pages": 4} and runs[0]["captures"] == 4
        caps = [json.loads(x) for x in (out / "captures.jsonl").read_text().splitlines()]
        assert {c["new_blob"] for c in caps} == {True, False}  # booleans, on both backends
    if fmt == "parquet":
        import pyarrow.parquet as pq

        cells = pq.read_table(out / "report_cells.parquet").to_pylist()
        assert cells[0]["value"] == 7.0 and cells[0]["inferred"] is False


def test_db_commands(filled, tmp_path: Path):
    cfg, db_url = filled
    res = _run(cfg, "db", "current")
    assert res.exit_code == 0 and head_revision() in res.output and "up to date" in res.output
    res = _run(cfg, "db", "upgrade")
    assert res.exit_code == 0 and "already at" in res.output
    res = _run(cfg, "db", "check")
    assert res.exit_code == 0 and "0 corrupt" in res.output and "not referenced" not in res.output
    from storage.blobs import BlobStore

    BlobStore(tmp_path / "blobs").put(b"stray file from an interrupted batch")
    res = _run(cfg, "db", "check")
    assert res.exit_code == 0 and "1 blob files are not referenced" in res.output
    # tamper with one blob: `db check` names it and fails
    a = Archive(db_url, tmp_path / "blobs")
    sha = a.query("SELECT sha256 FROM blob ORDER BY sha256")[0]["sha256"]
    path, _ = a.blobs.locate(sha)
    a.close()
    path.write_bytes(b"tampered")
    res = _run(cfg, "db", "check")
    assert res.exit_code == 1 and f"CORRUPT {sha}" in res.output


@pytest.mark.parametrize("text,key", [
    ("archive:\n  databse: sqlite:///x.sqlite\n", "archive.databse"),
    ("crawl:\n  concurrent_requests: many\n", "crawl.concurrent_requests"),
    ("portals:\n  - name: p\n    start_urls: [http://a.test/]\n    allowed_domains: [a.test]\n    region_code: '41'\n",
     "portals.0.region_code"),
    ("unknown_section: 1\n", "unknown_section"),
])
def test_bad_config_key_is_named_and_exits_nonzero(tmp_path: Path, text: str, key: str):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text)
    res = CliRunner().invoke(main, ["--config", str(cfg), "sql", "select 1"])
    assert res.exit_code != 0
    assert key in res.output
    assert "Traceback" not in res.output


def test_malformed_yaml_config_is_a_clear_error(tmp_path: Path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("archive: [unclosed\n")
    res = CliRunner().invoke(main, ["--config", str(cfg), "db", "current"])
    assert res.exit_code != 0 and "not valid YAML" in res.output
