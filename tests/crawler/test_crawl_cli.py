"""`nianbao crawl --portal`, `scrapy crawl portal` and resuming an interrupted crawl (subprocesses)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

pytestmark = [pytest.mark.network, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]
NIANBAO = str(Path(sys.executable).with_name("nianbao"))


@pytest.fixture(scope="module")
def net():
    from crawler.sampleweb import SampleNetwork

    with SampleNetwork(port=0) as n:
        yield n


def _config(tmp: Path, net, **crawl) -> Path:
    cfg = {"archive": {"database": f"sqlite:///{tmp / 'a.sqlite'}", "blobs": str(tmp / "blobs")},
           "crawl": {"download_delay": 0, "autothrottle": False, "retries": 0, "job_dir": str(tmp / "jobs"),
                     "progress": False, **crawl},
           "portals": net.portals}
    p = tmp / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def _env() -> dict:
    env = dict(os.environ)
    env.pop("NIANBAO_DATABASE_URL", None)
    env.pop("NIANBAO_CONFIG", None)
    return env


def _captures(tmp: Path) -> list[dict]:
    eng = sa.create_engine(f"sqlite:///{tmp / 'a.sqlite'}")
    with eng.connect() as c:
        rows = [dict(r) for r in c.execute(sa.text(
            "SELECT url, COALESCE(final_url, url) AS final, portal, kind, is_report, run_id FROM captures")).mappings()]
    eng.dispose()
    return rows


def test_nianbao_crawl_one_portal(net, tmp_path):
    cfg = _config(tmp_path, net)
    zsj = next(p for p in net.portals if p["name"] == "sample-zsj")
    host = zsj["allowed_domains"][0]
    before = len(net.requests)
    out = subprocess.run([NIANBAO, "--config", str(cfg), "crawl", "--portal", "sample-zsj", "--no-process", "--json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240, env=_env())
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(res["portals"]) == ["sample-zsj"] and res["status"] == "finished"
    hosts = {r["host"] for r in net.requests[before:]}
    assert hosts == {host}, hosts                        # only that portal's site was asked
    caps = _captures(tmp_path)
    expected = {d["path"] for d in net.truth["reports"] if d["host"] == host}
    found = {c["url"].split(str(net.port), 1)[1] for c in caps if c["is_report"]}
    assert found == expected
    assert res["totals"]["reports"] == len(expected)
    # the summary table (not --json) names the portal and the totals
    out = subprocess.run([NIANBAO, "--config", str(cfg), "crawl", "--portal", "sample-zsj", "--no-process"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240, env=_env())
    assert out.returncode == 0 and "sample-zsj" in out.stdout and "revisits" in out.stdout


def test_unknown_portal_is_a_clear_error(net, tmp_path):
    cfg = _config(tmp_path, net)
    out = subprocess.run([NIANBAO, "--config", str(cfg), "crawl", "--portal", "nope"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_env())
    assert out.returncode != 0 and "unknown portal 'nope'" in out.stderr


def test_scrapy_crawl_portal_reads_config(net, tmp_path):
    cfg = _config(tmp_path, net)
    env = _env()
    env["NIANBAO_CONFIG"] = str(cfg)
    out = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "portal=sample-yiyang",
                          "-s", "LOG_LEVEL=WARNING"], cwd=REPO, capture_output=True, text=True, timeout=240, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    caps = _captures(tmp_path)
    assert caps and {c["portal"] for c in caps} == {"sample-yiyang"}
    yiyang = {d["path"] for d in net.truth["reports"] if d["site"] == "yiyang"}
    assert {c["url"].split(str(net.port), 1)[1] for c in caps if c["is_report"]} == yiyang
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with eng.connect() as c:
        status = c.execute(sa.text("SELECT status FROM crawl_runs")).scalars().all()
    eng.dispose()
    assert status == ["finished"]                        # the pipeline ran and closed its own run


@pytest.mark.slow
def test_interrupted_crawl_resumes_from_job_dir(net, tmp_path):
    # slow enough to interrupt: one request at a time with a delay
    cfg = _config(tmp_path, net, download_delay=0.15, concurrent_per_domain=1, concurrent_requests=1)
    args = [sys.executable, "-m", "crawler.runner", "--config", str(cfg), "--portal", "sample-city",
            "--no-process", "--json", "--set", "DOWNLOAD_DELAY_JITTER=0"]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:   # interrupt once a few pages are in
        time.sleep(0.3)
        if (tmp_path / "a.sqlite").exists():
            try:
                if len(_captures(tmp_path)) >= 5:
                    break
            except sa.exc.OperationalError:
                pass
    proc.send_signal(signal.SIGINT)                     # one Ctrl-C: Scrapy stops cleanly
    out, err = proc.communicate(timeout=120)
    first = json.loads(out.strip().splitlines()[-1])
    assert first["status"] == "interrupted", err[-2000:]
    n_first = first["totals"]["captures"]
    assert 0 < n_first < 45
    assert any((tmp_path / "jobs").iterdir())           # the queue was kept
    out = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=240, env=_env())
    second = json.loads(out.stdout.strip().splitlines()[-1])
    assert second["status"] == "finished" and second["resumed"], out.stderr[-2000:]
    caps = _captures(tmp_path)
    urls = [c["url"] for c in caps]
    assert len(urls) == len(set(urls))                  # nothing fetched twice across the two runs
    city = {d["path"] for d in net.truth["reports"] if d["site"] == "city"}
    assert {c["final"].split(str(net.port), 1)[1] for c in caps if c["is_report"]} == city
    assert not list((tmp_path / "jobs").iterdir())     # a finished crawl clears its job dir


def test_setting_overrides_are_json_or_text_and_must_name_a_key():
    from click.testing import CliRunner

    from crawler.cli import main
    from crawler.runner import parse_overrides

    assert parse_overrides(["DOWNLOAD_DELAY=0.5", "USER_AGENT=x/1", 'NIANBAO_X={"a": [1]}']) == {
        "DOWNLOAD_DELAY": 0.5, "USER_AGENT": "x/1", "NIANBAO_X": {"a": [1]}}
    for bad in ("DOWNLOAD_DELAY", "=1"):
        with pytest.raises(ValueError, match="KEY=VALUE"):
            parse_overrides([bad])
    res = CliRunner().invoke(main, ["crawl", "--set", "DOWNLOAD_DELAY"])
    assert res.exit_code == 2 and "KEY=VALUE" in res.output
