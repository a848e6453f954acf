"""`nianbao schedule start` as a real daemon process: runs a missed crawl once at start, and a
SIGTERM stops it cleanly — the running crawl is interrupted and checkpointed (JOBDIR kept)."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from crawler import scheduler as sch
from crawler.cli import main
from crawler.config import load_config

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]


def _runs(db: str) -> list[dict]:
    eng = sa.create_engine(db)
    try:
        with eng.connect() as c:
            if not sa.inspect(c).has_table("crawl_run"):
                return []
            return [dict(r) for r in c.execute(sa.text("SELECT id, status FROM crawl_run ORDER BY id")).mappings()]
    finally:
        eng.dispose()


def test_daemon_runs_missed_crawl_and_stops_cleanly_on_sigterm(tmp_path):
    from crawler.sampleweb import SampleNetwork

    with SampleNetwork(port=0) as net:
        portal = next(p for p in net.portals if p["start_urls"][0].startswith("http://127.0.0.11:"))
        db = f"sqlite:///{tmp_path / 'archive.sqlite'}"
        cfg_path = tmp_path / "config.yaml"
        cfg_path.write_text(yaml.safe_dump({
            "archive": {"database": db, "blobs": str(tmp_path / "blobs")},
            # slow enough (≈0.4 s per request) that the crawl is still running at SIGTERM
            "crawl": {"download_delay": 0.4, "autothrottle": False, "concurrent_per_domain": 1, "retries": 0,
                      "job_dir": str(tmp_path / "jobs"), "progress": False},
            "portals": [portal]}, allow_unicode=True), encoding="utf-8")
        cfg = load_config(cfg_path)
        # the job exists and its run was missed 2 hours ago (inside the 7-day default grace)
        s = sch.open_scheduler(cfg, config_path=str(cfg_path))
        s.modify_job(f"crawl:{portal['name']}", next_run_time=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
        s.shutdown(wait=False)

        env = dict(os.environ)
        env.pop("NIANBAO_DATABASE_URL", None)
        daemon = subprocess.Popen([sys.executable, "-m", "crawler.cli", "--config", str(cfg_path), "-v",
                                   "schedule", "start"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not _runs(db):
                assert daemon.poll() is None, daemon.stdout.read()
                time.sleep(0.3)
            runs = _runs(db)
            assert len(runs) == 1 and runs[0]["status"] == "running", runs
            while time.monotonic() < deadline and len(net.requests) < 5:  # let it fetch a few pages
                time.sleep(0.2)
            assert len(net.requests) >= 5
            # meanwhile a manual crawl of the same portal is refused, naming the holder
            res = CliRunner().invoke(main, ["--config", str(cfg_path), "crawl", "--portal", portal["name"]])
            assert res.exit_code != 0 and "already being crawled by scheduled crawl" in res.output, res.output
            daemon.send_signal(signal.SIGTERM)
            out, _ = daemon.communicate(timeout=120)
        finally:
            if daemon.poll() is None:
                daemon.kill()
    assert daemon.returncode == 0, out
    assert "scheduler stopped" in out
    runs = _runs(db)
    assert [r["status"] for r in runs] == ["interrupted"], (runs, out[-3000:])
    # checkpointed: the crawl's JOBDIR survives for the next run to resume
    assert (tmp_path / "jobs" / portal["name"] / "requests.seen").exists()
    # the missed run ran once and the job moved on to next year's date; list shows the result
    res = CliRunner().invoke(main, ["--config", str(cfg_path), "schedule", "list"])
    assert res.exit_code == 0 and f"interrupted (run {runs[0]['id']})" in res.output, res.output
    assert "-04-15T03:00" in res.output
