"""Scheduler with a real job store (SQLite file and PostgreSQL): restart, misfire, locks."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED
from click.testing import CliRunner

from crawler import scheduler as sch
from crawler.cli import main
from crawler.config import load_config

REPO = Path(__file__).resolve().parents[2]
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable


def _write_config(tmp_path: Path, db_url: str, portals=("alpha",), **schedule) -> Path:
    cfg = {
        "archive": {"database": db_url, "blobs": str(tmp_path / "blobs")},
        "crawl": {"retries": 0, "job_dir": str(tmp_path / "jobs"), "obey_robots": False, "progress": False},
        "schedule": {"timezone": "Asia/Shanghai", "cron": {"month": 4, "day": 15, "hour": 3, "minute": 0},
                     "misfire_grace_seconds": 3 * 24 * 3600, **schedule},
        # port 9 (discard) is closed on loopback: a crawl of it fails fast, offline
        "portals": [{"name": n, "start_urls": ["http://127.0.0.1:9/"], "allowed_domains": ["127.0.0.1"]}
                    for n in portals],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _in_subprocess(code: str, *args: str, timeout: float = 60) -> str:
    res = subprocess.run([PY, "-c", textwrap.dedent(code), *args], cwd=REPO, capture_output=True,
                         text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_job_store_is_the_archive_db_and_survives_restart(db_url, tmp_path):
    cfg_path = _write_config(tmp_path, db_url, portals=("alpha", "beta"))
    # process 1: sync jobs into the store, print their next run times, exit
    out = _in_subprocess("""
        import sys
        from crawler.config import load_config
        from crawler import scheduler as sch
        cfg = load_config(sys.argv[1])
        s = sch.open_scheduler(cfg, config_path=sys.argv[1])
        for j in sorted(s.get_jobs(), key=lambda j: j.id):
            print(j.id, j.next_run_time.isoformat(), j.func_ref)
        s.shutdown(wait=False)
    """, str(cfg_path))
    lines = out.split()
    assert lines[0::3] == ["crawl:alpha", "crawl:beta"]
    assert set(lines[2::3]) == {"crawler.scheduler:run_scheduled_crawl"}
    first_next = dt.datetime.fromisoformat(lines[1])
    assert (first_next.month, first_next.day, first_next.hour) == (4, 15, 3)
    assert first_next.utcoffset() == dt.timedelta(hours=8)

    # this process: the jobs are read back from the store, unchanged, without syncing
    cfg = load_config(cfg_path)
    s = sch.open_scheduler(cfg, config_path=str(cfg_path), sync=False)
    try:
        jobs = {j.id: j for j in s.get_jobs()}
        assert set(jobs) == {"crawl:alpha", "crawl:beta"}
        assert jobs["crawl:alpha"].next_run_time == first_next
        assert jobs["crawl:alpha"].coalesce is True
        assert jobs["crawl:alpha"].misfire_grace_time == 3 * 24 * 3600
        assert jobs["crawl:alpha"].args == (str(cfg_path), "alpha", None)
        # a re-sync with an unchanged config keeps the stored jobs as they are
        assert sch.sync_jobs(s, cfg, config_path=str(cfg_path)) == {"crawl:alpha": "kept", "crawl:beta": "kept"}
    finally:
        s.shutdown(wait=False)

    # a portal dropped from the config loses its job; a per-portal schedule overrides the global
    data = yaml.safe_load(cfg_path.read_text())
    data["portals"] = data["portals"][:1]
    data["portals"][0]["schedule"] = {"cron": {"month": 5, "day": 1, "hour": 2, "minute": 30}}
    cfg_path.write_text(yaml.safe_dump(data))
    cfg = load_config(cfg_path)
    s = sch.open_scheduler(cfg, config_path=str(cfg_path), sync=False)
    try:
        actions = sch.sync_jobs(s, cfg, config_path=str(cfg_path))
        assert actions == {"crawl:alpha": "updated", "crawl:beta": "removed"}
        (job,) = s.get_jobs()
        assert (job.next_run_time.month, job.next_run_time.day, job.next_run_time.hour,
                job.next_run_time.minute) == (5, 1, 2, 30)
    finally:
        s.shutdown(wait=False)


def _run_with_events(cfg, cfg_path, seconds: float):
    events: list = []
    s = sch.open_scheduler(cfg, config_path=str(cfg_path), sync=True)
    s.add_listener(events.append, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    s.resume()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not any(e.code in (EVENT_JOB_EXECUTED, EVENT_JOB_MISSED) for e in events):
        time.sleep(0.1)
    time.sleep(0.5)  # would a second (uncoalesced) run follow?
    jobs = {j.id: j for j in s.get_jobs()}
    s.shutdown(wait=True)
    return events, jobs


def test_missed_run_executes_once_at_start(db_url, tmp_path):
    cfg_path = _write_config(tmp_path, db_url)
    cfg = load_config(cfg_path)
    # the daemon was down over the due date, 20 hours ago (inside the 3-day grace)
    now = dt.datetime.now(dt.timezone.utc)
    s = sch.open_scheduler(cfg, config_path=str(cfg_path))
    s.modify_job("crawl:alpha", next_run_time=now - dt.timedelta(hours=20))
    s.shutdown(wait=False)
    # `schedule list` meanwhile must not consume the missed run
    res = CliRunner().invoke(main, ["--config", str(cfg_path), "schedule", "list"])
    assert res.exit_code == 0 and "alpha" in res.output and "never" in res.output, res.output

    events, jobs = _run_with_events(cfg, cfg_path, seconds=150)
    submitted = [e for e in events if e.code == EVENT_JOB_SUBMITTED]
    executed = [e for e in events if e.code == EVENT_JOB_EXECUTED]
    assert len(submitted) == 1 and len(executed) == 1, events
    assert not [e for e in events if e.code == EVENT_JOB_MISSED]
    # it ran (the crawl subprocess exited: fails against the closed port or succeeds empty)
    assert isinstance(executed[0].retval, int)
    # and is rescheduled for the next 15 April, not again now
    nxt = jobs["crawl:alpha"].next_run_time
    assert nxt > now and (nxt.month, nxt.day) == (4, 15)


def test_run_missed_beyond_grace_is_skipped(db_url, tmp_path):
    cfg_path = _write_config(tmp_path, db_url, misfire_grace_seconds=60)
    cfg = load_config(cfg_path)
    s = sch.open_scheduler(cfg, config_path=str(cfg_path))
    s.modify_job("crawl:alpha", next_run_time=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    s.shutdown(wait=False)
    events, _ = _run_with_events(cfg, cfg_path, seconds=15)
    codes = [e.code for e in events]
    assert codes.count(EVENT_JOB_MISSED) == 1 and EVENT_JOB_EXECUTED not in codes, codes


HOLD = """
    import sys, time
    from crawler import scheduler as sch
    with sch.portal_lock(sys.argv[1], sys.argv[2], kind="scheduled crawl"):
        print("held", flush=True)
        sys.stdin.readline()
"""


def test_overlapping_crawl_is_refused_with_holder(db_url, tmp_path):
    cfg_path = _write_config(tmp_path, db_url)
    holder = subprocess.Popen([PY, "-c", textwrap.dedent(HOLD), db_url, "alpha"], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(sch.PortalLocked) as info:
            with sch.portal_lock(db_url, "alpha", kind="manual crawl"):
                pass
        msg = str(info.value)
        assert "'alpha'" in msg and "already being crawled" in msg
        assert "scheduled crawl" in msg and str(holder.pid) in msg or "nianbao scheduled crawl" in msg

        # another portal is free meanwhile
        with sch.portal_lock(db_url, "beta"):
            pass

        # the CLI refuses with exit 75 and the same message; no crawl subprocess is started
        res = CliRunner().invoke(main, ["--config", str(cfg_path), "schedule", "run-now", "--portal", "alpha"])
        assert res.exit_code == sch.EXIT_LOCKED, res.output
        assert "portal 'alpha' is already being crawled by" in res.output

        # the scheduled job function refuses the same way (returns EXIT_LOCKED)
        assert sch.run_scheduled_crawl(str(cfg_path), "alpha") == sch.EXIT_LOCKED
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    # released: the lock can be taken now, and a child of a holder passes through
    with sch.portal_lock(db_url, "alpha"):
        env = sch.held_locks_env(db_url, ["alpha"])
        out = subprocess.run([PY, "-c", textwrap.dedent("""
            import sys
            from crawler import scheduler as sch
            with sch.portal_lock(sys.argv[1], "alpha"):
                print("child ok")
        """), db_url], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == "child ok", out.stderr


def test_lock_is_exclusive_between_threads_of_one_process(sqlite_url):
    """flock conflicts between two open()s even inside one process (the daemon's pool threads)."""
    got = threading.Event()
    release = threading.Event()

    def hold():
        with sch.portal_lock(sqlite_url, "alpha", kind="scheduled crawl"):
            got.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    assert got.wait(10)
    try:
        with pytest.raises(sch.PortalLocked, match="scheduled crawl"):
            with sch.portal_lock(sqlite_url, "alpha"):
                pass
    finally:
        release.set()
        t.join()


def test_run_now_crawls_and_list_shows_the_result(sqlite_url, tmp_path):
    cfg_path = _write_config(tmp_path, sqlite_url, portals=("alpha", "beta"))
    runner = CliRunner()
    res = runner.invoke(main, ["--config", str(cfg_path), "schedule", "run-now", "--portal", "nope"])
    assert res.exit_code != 0 and "unknown portal" in res.output
    res = runner.invoke(main, ["--config", str(cfg_path), "schedule", "run-now", "--portal", "beta"])
    # the crawl ran (port 9 refuses: the run finishes with one connection error)
    assert res.exit_code == 0, res.output
    assert "beta: finished" in res.output
    runs = sch.last_runs(load_config(cfg_path).database_url())
    assert set(runs) == {"beta"} and runs["beta"]["status"] == "finished"
    res = runner.invoke(main, ["--config", str(cfg_path), "schedule", "list"])
    lines = {line.split()[0]: line for line in res.output.splitlines()[1:]}
    assert "finished (run" in lines["beta"] and "never" in lines["alpha"], res.output
