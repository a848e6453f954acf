"""End-to-end discovery on the loopback sample network: `python -m crawler.runner` in a subprocess.

Recall and precision of report documents against net.truth["reports"]; every expected failure
recorded with its reason; nothing requested outside the allowed domains; a second crawl is
revisits only.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import yaml

pytestmark = [pytest.mark.network, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
REASONS = {404: "not_found", 412: "antibot_wall"}


@pytest.fixture(scope="module")
def net():
    from crawler.sampleweb import SampleNetwork

    with SampleNetwork(port=0) as n:
        yield n


def _config(tmp: Path, net, db_url: str) -> Path:
    cfg = {
        "archive": {"database": db_url, "blobs": str(tmp / "blobs")},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrent_per_domain": 8, "retries": 1,
                  "job_dir": str(tmp / "jobs"), "progress": False},
        "portals": net.portals,
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _crawl(cfg: Path, *extra: str) -> dict:
    env = dict(os.environ)
    env.pop("NIANBAO_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "crawler.runner", "--config", str(cfg), "--json", "--no-process",
                          "--set", "NIANBAO_RETRY_BACKOFF_BASE=0.05", *extra],
                         cwd=REPO, capture_output=True, text=True, timeout=240, env=env)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _key(url: str) -> tuple[str, str]:
    from crawler.sampleweb.server import norm_path

    u = urlsplit(url)
    return u.hostname, norm_path(u.path + ("?" + u.query if u.query else ""))


@pytest.fixture(scope="module")
def crawled(net, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    db = f"sqlite:///{tmp / 'archive.sqlite'}"
    cfg = _config(tmp, net, db)
    first_requests = len(net.requests)
    first = _crawl(cfg)
    n_requests = len(net.requests) - first_requests
    eng = sa.create_engine(db)
    with eng.connect() as c:
        caps = [dict(r) for r in c.execute(sa.text(
            "SELECT url, final_url, status, kind, error, is_report, run_id FROM captures")).mappings()]
    eng.dispose()
    return {"tmp": tmp, "db": db, "cfg": cfg, "first": first, "captures": caps, "n_requests": n_requests}


def test_recall_and_precision_of_reports(net, crawled):
    truth = {(d["host"], _key("http://h" + d["path"])[1]) for d in net.truth["reports"]}
    found = set()
    for c in crawled["captures"]:
        if c["is_report"]:
            found.add(_key(c["final_url"] or c["url"]))
            found.add(_key(c["url"]))
    flagged = {_key(c["final_url"] or c["url"]) for c in crawled["captures"] if c["is_report"]}
    missed = truth - found
    wrong = flagged - truth
    recall = 1 - len(missed) / len(truth)
    precision = 1 - len(wrong) / max(len(flagged), 1)
    print(f"reports: truth {len(truth)}, flagged {len(flagged)}, recall {recall:.3f}, precision {precision:.3f}")
    assert not missed, f"missed reports: {sorted(missed)}"
    assert not wrong, f"not reports but flagged: {sorted(wrong)}"
    assert crawled["first"]["status"] == "finished"


def test_traps_are_not_reports(net, crawled):
    flagged = {_key(c["final_url"] or c["url"]) for c in crawled["captures"] if c["is_report"]}
    for t in net.truth["traps"]:
        if t["path"].startswith("/"):
            host = next(s["host"] for s in net.truth["sites"] if s["key"] == t["site"])
            assert (host, _key("http://h" + t["path"])[1]) not in flagged, t


def test_every_expected_failure_recorded_with_reason(net, crawled):
    by_key = {}
    for c in crawled["captures"]:
        by_key.setdefault(_key(c["url"]), []).append(c)
    for f in net.truth["expected_failures"]:
        host = next(s["host"] for s in net.truth["sites"] if s["key"] == f["site"])
        caps = by_key.get((host, _key("http://h" + f["path"])[1]))
        assert caps, f"failure not recorded: {f}"
        c = caps[0]
        assert c["kind"] == "error" and not c["is_report"], c
        if f["status"]:
            assert c["status"] == f["status"]
            assert c["error"] == REASONS[f["status"]], c
        else:
            assert c["error"] == f["reason"].split()[0], c     # 'oversize' / 'robots'


def test_no_request_outside_allowed_domains(net, crawled):
    hosts = {s["host"] for s in net.truth["sites"]}
    assert not net.offsite_hits()
    assert all(r["host"] in hosts for r in net.requests), {r["host"] for r in net.requests} - hosts
    # robots.txt-disallowed paths never reached the server
    assert not [r for r in net.requests if r["path"].startswith("/private/")]


def test_second_crawl_adds_no_duplicates(net, crawled):
    second = _crawl(crawled["cfg"])
    t = second["totals"]
    assert second["status"] == "finished"
    assert t["new_versions"] == 0 and t["new_blobs"] == 0, t
    assert t["revisits"] > 0 and t["revisits"] == t["captures"] - t["errors"], t
    assert t["reports"] == crawled["first"]["totals"]["reports"]
