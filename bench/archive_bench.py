"""Archive benchmark: capture throughput and analytical queries over the public views.

1. Records N captures (default 20k: one pass of new URLs, then a revisit pass where 10% of
   the bodies changed and the rest are identical revisits or 304s) into SQLite and into
   PostgreSQL, one capture per transaction and in batches, and prints captures/s. The
   baseline, measured in the same run, is a raw DB-API executemany of the same capture rows
   into a bare table: the floor cost of just storing the rows.
2. Builds a synthetic archive of R reports (default 100k) with all their cells (~200 each)
   and times a year x admin_level aggregate over `reports` and a row_key/column_key sum over
   `report_cells`; the baseline is the same aggregate over a plain copy without indexes.

Usage: python bench/archive_bench.py [--captures 20000] [--reports 100000] [--no-pg] [--keep DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Archive  # noqa: E402
from storage.models import utcnow  # noqa: E402

logger = logging.getLogger(__name__)

PG_URL = os.environ.get("NIANBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDS = ("政府信息公开 工作 年度报告 本年新收 申请 予以公开 部分公开 不予公开 行政复议 行政诉讼 "
         "规章 规范性文件 行政许可 行政处罚 行政强制 收费 结转 办理 总计 自然人 法人").split()


# -- data ------------------------------------------------------------------------------------
def body_for(i: int, version: int) -> bytes:
    rnd = random.Random(i * 7919 + version)
    n = rnd.randint(200, 900)
    text = " ".join(rnd.choice(WORDS) for _ in range(n))
    return f"<html><head><title>page {i} v{version}</title></head><body>{text}</body></html>".encode()


def capture_plan(n: int, seed: int = 1) -> list[dict]:
    """n captures: first half new URLs, second half revisits (10% changed, 45% same, 45% 304).

    The new URLs and their revisits are interleaved in blocks so that any prefix of the plan
    has the same mix.
    """
    rnd = random.Random(seed)
    urls = n // 2
    block = 500
    plan: list[dict] = []
    html = "text/html; charset=utf-8"
    for start in range(0, urls, block):
        ids = range(start, min(start + block, urls))
        for i in ids:
            plan.append({"url": f"http://portal{i % 40}.bench.test/doc/{i}.html", "status": 200,
                         "body": body_for(i, 0), "headers": {"Content-Type": html, "ETag": f'"{i}-0"'}})
        for u in ids:
            url = f"http://portal{u % 40}.bench.test/doc/{u}.html"
            r = rnd.random()
            if r < 0.10:
                plan.append({"url": url, "status": 200, "body": body_for(u, 1),
                             "headers": {"Content-Type": html, "ETag": f'"{u}-1"'}})
            elif r < 0.55:
                plan.append({"url": url, "status": 200, "body": body_for(u, 0),
                             "headers": {"Content-Type": html, "ETag": f'"{u}-0"'}})
            else:
                plan.append({"url": url, "status": 304, "body": None, "headers": {"ETag": f'"{u}-0"'}})
    plan.extend(plan[: n - len(plan)])  # odd n: pad with repeats
    return plan


# -- databases -------------------------------------------------------------------------------
class PgSchema:
    """A throw-away schema on the PostgreSQL server."""

    def __init__(self) -> None:
        self.name = "bench_" + uuid.uuid4().hex[:10]
        self.engine = sa.create_engine(PG_URL)
        with self.engine.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        sep = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        with self.engine.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.engine.dispose()


def pg_available() -> bool:
    try:
        eng = sa.create_engine(PG_URL)
        with eng.connect() as c:
            c.execute(sa.text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


# -- 1. captures -----------------------------------------------------------------------------
def bench_captures(url: str, blob_dir: Path, plan: list[dict], batch: int) -> float:
    a = Archive(url, blob_dir)
    run = a.start_run(["bench"])
    t0, c0 = time.perf_counter(), time.process_time()
    if batch <= 1:
        for c in plan:
            a.record_capture(run_id=run, **c)
    else:
        for i in range(0, len(plan), batch):
            a.record_captures([{"run_id": run, **c} for c in plan[i:i + batch]])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    a.finish_run(run)
    kinds = {r["kind"]: r["n"] for r in a.query("SELECT kind, count(*) AS n FROM captures GROUP BY kind")}
    a.close()
    expected = len(plan)
    assert sum(kinds.values()) == expected, kinds
    print(f"    kinds: {dict(sorted(kinds.items()))}; wall {dt:.1f} s, this process's CPU {cpu:.1f} s "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return len(plan) / dt


def baseline_executemany(url: str, plan: list[dict]) -> float:
    """Raw DB-API executemany of the same capture rows (url, status, sha256, headers) into a bare table."""
    rows = [(c["url"], c["status"], hashlib.sha256(c["body"]).hexdigest() if c["body"] else None,
             str(c["headers"]), utcnow().isoformat()) for c in plan]
    u = sa.make_url(url)
    t0 = time.perf_counter()
    if u.get_backend_name() == "sqlite":
        con = sqlite3.connect(u.database)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE raw_capture (id INTEGER PRIMARY KEY, url TEXT, status INT, sha256 TEXT, "
                    "headers TEXT, fetched_at TEXT)")
        con.executemany("INSERT INTO raw_capture (url, status, sha256, headers, fetched_at) VALUES (?,?,?,?,?)", rows)
        con.commit()
        con.close()
    else:
        eng = sa.create_engine(url)
        with eng.begin() as c:
            c.exec_driver_sql("CREATE TABLE raw_capture (id serial PRIMARY KEY, url text, status int, sha256 text, "
                              "headers text, fetched_at text)")
            c.exec_driver_sql("INSERT INTO raw_capture (url, status, sha256, headers, fetched_at) "
                              "VALUES (%s,%s,%s,%s,%s)", rows)
        eng.dispose()
    return len(plan) / (time.perf_counter() - t0)


# -- 2. synthetic reports --------------------------------------------------------------------
SEC3_ROWS = ["new_received", "carried_over_prev", "granted", "partially_granted", "denied_state_secret",
             "denied_prohibited_by_law", "denied_three_safeties_one_stability", "denied_third_party_rights",
             "denied_internal_affairs", "denied_process_info", "denied_enforcement_files",
             "denied_administrative_query", "unavailable_not_held", "unavailable_needs_creation",
             "unavailable_unclear_after_correction", "not_processed_petition", "not_processed_duplicate",
             "not_processed_publication", "not_processed_excessive", "not_processed_confirmation",
             "other_no_correction", "other_no_fee", "other_other", "total_handled", "carried_forward"]
SEC3_COLS = ["natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
             "legal_service_org", "other_org", "total"]
SEC4_ROWS = ["review", "litigation_direct", "litigation_after_review"]
SEC4_COLS = ["upheld", "corrected", "other", "pending", "total"]
SEC2 = [("rules", "issued"), ("rules", "repealed"), ("rules", "in_force"), ("normative_docs", "issued"),
        ("normative_docs", "repealed"), ("normative_docs", "in_force"), ("licensing", "decisions"),
        ("penalty", "decisions"), ("coercion", "decisions"), ("fees", "amount_10k_yuan")]
CELL_KEYS = ([("2", r, c) for r, c in SEC2] + [("3", r, c) for r in SEC3_ROWS for c in SEC3_COLS]
             + [("4", r, c) for r in SEC4_ROWS for c in SEC4_COLS])  # 10 + 175 + 15 = 200


def build_reports(url: str, blob_dir: Path, n_reports: int) -> float:
    """Fill the archive with n synthetic reports and their cells by bulk load; returns seconds.

    Loads through the archive's own schema (migrations), the way a bulk import would: the
    covering index is dropped during the load and rebuilt after it.
    """
    a = Archive(url, blob_dir)
    a.close()
    eng = sa.create_engine(url)
    sqlite = eng.dialect.name == "sqlite"
    if sqlite:
        sa.event.listen(eng, "connect", lambda c, _r: (c.execute("PRAGMA synchronous=OFF"),
                                                        c.execute("PRAGMA journal_mode=WAL")))
    rnd = random.Random(7)
    now = utcnow()
    levels = ["province", "prefecture", "county", None]
    t0 = time.perf_counter()
    chunk = 2000
    with eng.begin() as c:
        c.execute(sa.text("INSERT INTO cell_key (id, section, row_key, column_key) VALUES (:i, :s, :r, :c)"),
                  [{"i": i + 1, "s": s, "r": r, "c": col} for i, (s, r, col) in enumerate(CELL_KEYS)])
        c.exec_driver_sql("DROP INDEX ix_report_cell_key_value")
        if not sqlite:  # bulk load: skip the per-row foreign-key triggers (the data is consistent)
            c.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for start in range(0, n_reports, chunk):
            ids = range(start + 1, min(start + chunk, n_reports) + 1)
            shas = {i: hashlib.sha256(f"report {i}".encode()).hexdigest() for i in ids}
            c.execute(sa.text("INSERT INTO blob (sha256, size, stored_size, created_at) VALUES (:s, 1000, 500, :t)"),
                      [{"s": shas[i], "t": now} for i in ids])
            c.execute(sa.text(
                "INSERT INTO report (id, sha256, parser_version, agency, agency_source, region_code, admin_level, "
                "report_year, template, checks_failed, checks_total, is_current, created_at) VALUES "
                "(:id, :s, 'bench', :ag, 'title', :rc, :lvl, :y, :tpl, :cf, 12, TRUE, :t)"),
                [{"id": i, "s": shas[i], "ag": f"机构{i % 5000}", "rc": f"{410000 + i % 9999:06d}",
                  "lvl": levels[i % 4], "y": 2008 + i % 17, "tpl": "2021" if 2008 + i % 17 >= 2021 else "2019",
                  "cf": rnd.randint(0, 2), "t": now} for i in ids])
        # all cells of every report, generated inside the database (deterministic figures 0..50)
        for start in range(1, n_reports + 1, 10_000):
            c.execute(sa.text(
                "INSERT INTO report_cell (report_id, key_id, value, printed, inferred) "
                "SELECT r.id, k.id, (r.id * 31 + k.id * 17) % 51, CAST((r.id * 31 + k.id * 17) % 51 AS TEXT), FALSE "
                "FROM report r CROSS JOIN cell_key k WHERE r.id BETWEEN :a AND :b ORDER BY r.id, k.id"),
                {"a": start, "b": start + 9_999})
        c.exec_driver_sql("CREATE INDEX ix_report_cell_key_value ON report_cell (key_id, value, report_id)")
        if not sqlite:
            c.exec_driver_sql("SELECT setval(pg_get_serial_sequence('report', 'id'), (SELECT max(id) FROM report))")
            c.exec_driver_sql("SELECT setval(pg_get_serial_sequence('cell_key', 'id'), (SELECT max(id) FROM cell_key))")
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE" if sqlite else "VACUUM ANALYZE")
    eng.dispose()
    return time.perf_counter() - t0


QUERIES = {
    "year x admin_level over reports":
        "SELECT report_year, admin_level, count(*) AS n, sum(checks_failed) AS failed "
        "FROM reports GROUP BY report_year, admin_level ORDER BY report_year, admin_level",
    "row_key/column_key sum over report_cells":
        "SELECT sum(value) AS s, count(*) AS n FROM report_cells "
        "WHERE row_key = 'new_received' AND column_key = 'total'",
}
BASELINE = {  # the same aggregates over the bare tables, forced to scan (what indexes save)
    "year x admin_level over reports":
        "SELECT report_year, admin_level, count(*) AS n, sum(checks_failed) AS failed "
        "FROM report WHERE +is_current = 1 GROUP BY report_year, admin_level",
    "row_key/column_key sum over report_cells":
        "SELECT sum(value) AS s, count(*) AS n FROM report_cell WHERE key_id + 0 = "
        "(SELECT id FROM cell_key WHERE row_key = 'new_received' AND column_key = 'total')",
}


def time_query(url: str, sql: str, repeat: int = 3) -> tuple[float, list]:
    eng = sa.create_engine(url)
    best = float("inf")
    rows: list = []
    with eng.connect() as c:
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = c.execute(sa.text(sql)).all()
            best = min(best, time.perf_counter() - t0)
    eng.dispose()
    return best, rows


def baseline_sql(url: str, name: str) -> str:
    sql = BASELINE[name]
    if url.startswith("postgresql"):
        sql = sql.replace("+is_current = 1", "is_current")
    return sql


# -- main ------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--captures", type=int, default=20_000)
    ap.add_argument("--reports", type=int, default=100_000, help="synthetic reports in the SQLite archive")
    ap.add_argument("--pg-reports", type=int, default=20_000,
                    help="synthetic reports in the PostgreSQL archive (0: skip; loading is the slow part)")
    ap.add_argument("--batch", type=int, default=500, help="captures per transaction in batch mode")
    ap.add_argument("--single", type=int, default=2000,
                    help="captures recorded one per transaction (a prefix of the plan; each commit waits for fsync)")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    ap.add_argument("--keep", type=Path, default=None, help="keep the SQLite archives in this directory")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    work = Path(args.keep or tempfile.mkdtemp(prefix="nianbao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    use_pg = not args.no_pg and pg_available()
    if not args.no_pg and not use_pg:
        print(f"PostgreSQL at {PG_URL} does not answer: SQLite only")
    plan = capture_plan(args.captures)
    print(f"== captures: {len(plan)} ({len(plan) // 2} new URLs, then revisits: 10% changed, 45% identical, 45% 304)")
    backends = ["sqlite"] + (["postgresql"] if use_pg else [])
    results: dict[str, dict[str, float]] = {}
    try:
        for backend in backends:
            res: dict[str, float] = {}
            single = plan[:args.single]
            for mode, batch, items in (("one per transaction", 1, single),
                                       (f"batches of {args.batch}", args.batch, plan)):
                if backend == "sqlite":
                    d = work / f"cap-{mode[:3]}"
                    shutil.rmtree(d, ignore_errors=True)
                    d.mkdir()
                    url, pg = f"sqlite:///{d / 'archive.sqlite'}", None
                else:
                    d = work / f"cap-pg-{mode[:3]}"
                    shutil.rmtree(d, ignore_errors=True)
                    pg = PgSchema()
                    url = pg.url
                try:
                    print(f"  {backend}, {mode}, {len(items)} captures:")
                    res[mode] = bench_captures(url, d / "blobs", items, batch)
                    print(f"    {res[mode]:,.0f} captures/s")
                finally:
                    if pg:
                        pg.drop()
            if backend == "sqlite":
                d = work / "cap-baseline"
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir()
                res["baseline"] = baseline_executemany(f"sqlite:///{d / 'raw.sqlite'}", plan)
            else:
                pg = PgSchema()
                try:
                    res["baseline"] = baseline_executemany(pg.url, plan)
                finally:
                    pg.drop()
            print(f"  {backend}, baseline (raw executemany of the capture rows, no logic, no blobs): "
                  f"{res['baseline']:,.0f} rows/s")
            results[backend] = res

        for backend in backends:
            n_rep = args.reports if backend == "sqlite" else args.pg_reports
            if n_rep <= 0:
                continue
            print(f"== synthetic archive on {backend}: {n_rep:,} reports x {len(CELL_KEYS)} cells "
                  f"= {n_rep * len(CELL_KEYS):,} cells")
            if backend == "sqlite":
                d = work / "reports"
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir()
                url, pg = f"sqlite:///{d / 'archive.sqlite'}", None
            else:
                d = work / "reports-pg"
                pg = PgSchema()
                url = pg.url
            try:
                built = build_reports(url, d / "blobs", n_rep)
                size = ""
                if backend == "sqlite":
                    size = f", {(d / 'archive.sqlite').stat().st_size / 1e6:,.0f} MB"
                print(f"  built in {built:.1f} s{size}")
                for name, sql in QUERIES.items():
                    t, rows = time_query(url, sql)
                    tb, _ = time_query(url, baseline_sql(url, name), repeat=1)
                    verdict = "OK" if t < 1.0 else "SLOW"
                    print(f"    {name}: {t * 1000:,.0f} ms ({len(rows)} rows) [{verdict}, target < 1 s]; "
                          f"baseline full scan of the table: {tb * 1000:,.0f} ms")
            finally:
                if pg:
                    pg.drop()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print("== summary (captures/s)")
    for backend, res in results.items():
        line = ", ".join(f"{k}: {v:,.0f}" for k, v in res.items())
        print(f"  {backend}: {line}")
    ok = results["sqlite"][f"batches of {args.batch}"] >= 2000 or results["sqlite"]["one per transaction"] >= 2000
    print(f"  SQLite target >= 2,000 captures/s: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
