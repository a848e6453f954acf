"""`nianbao process` on a config-named archive, and ProcessPipeline under a running reactor."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from storage import Archive

# every test here reads the seed texts (real documents)
pytestmark = pytest.mark.realdocs

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(textwrap.dedent("""
        archive:
          database: sqlite:///archive/a.sqlite
          blobs: archive/blobs
        portals:
          - name: yiyang
            start_urls: [http://127.0.0.15/]
            allowed_domains: [127.0.0.15]
            agency: 宜阳县人民政府办公室
            region_code: "410327"
    """), encoding="utf-8")
    return cfg


def test_cli_process_counts_and_idempotence(tmp_path, seeds_dir):
    cfg = _config(tmp_path)
    a = Archive(f"sqlite:///{tmp_path / 'archive/a.sqlite'}", tmp_path / "archive/blobs")
    run = a.start_run(["yiyang"])
    for f in sorted(seeds_dir.glob("*.txt")):
        a.record_capture(run_id=run, url=f"http://127.0.0.15/{f.name}", status=200, body=f.read_bytes(),
                         headers={"content-type": "text/plain; charset=utf-8"}, portal="yiyang")
    a.record_capture(run_id=run, url="http://127.0.0.15/bad.pdf", status=200, body=b"%PDF-1.4\ntruncated",
                     headers={"content-type": "application/pdf"}, portal="yiyang")
    a.close()

    r = CliRunner().invoke(main, ["--config", str(cfg), "process", "--all"])
    assert r.exit_code == 0, r.output
    assert "reports:            5" in r.output
    assert "errors:             1" in r.output and "corrupt or truncated PDF" in r.output
    assert "duplicates linked:  0" in r.output

    r2 = CliRunner().invoke(main, ["--config", str(cfg), "process", "--all", "--json"])
    assert r2.exit_code == 0, r2.output
    d = json.loads(r2.output[r2.output.index("{"):])
    assert (d["reports"], d["extractions_reused"], d["errors"]) == (5, 6, {"extraction: corrupt or truncated PDF": 1})

    a = Archive(f"sqlite:///{tmp_path / 'archive/a.sqlite'}", tmp_path / "archive/blobs")
    assert a.query("SELECT count(*) AS n FROM report")[0]["n"] == 5
    row = a.query("SELECT agency, agency_source, region_code FROM reports WHERE source_url LIKE '%/002_%'")[0]
    assert row == {"agency": "宜阳县人民政府办公室", "agency_source": "config", "region_code": "410327"}
    runs = a.query("SELECT kind, status FROM crawl_runs WHERE kind = 'process'")
    assert runs == [{"kind": "process", "status": "finished"}] * 2
    a.close()

    r3 = CliRunner().invoke(main, ["--config", str(cfg), "process", "--since", "2999-01-01"])
    assert r3.exit_code == 0 and "processed 0 blobs" in r3.output
    bad = CliRunner().invoke(main, ["--config", str(cfg), "process", "--all", "--since", "2024-01-01"])
    assert bad.exit_code != 0


PIPELINE_SCRIPT = r'''
import sys, threading
from twisted.internet import defer, task
from storage import Archive
import pipelines.process as P

db, blobs, seed = sys.argv[1:4]
archive = Archive(db, blobs)
run = archive.start_run(["p"])
body = open(seed, "rb").read()
res = archive.record_capture(run_id=run, url="http://127.0.0.12/r.txt", status=200, body=body,
                             headers={"content-type": "text/plain; charset=utf-8"}, portal="p")
threads = []
orig = P.process_blob
def spy(*a, **k):
    threads.append(threading.current_thread() is threading.main_thread())
    return orig(*a, **k)
P.process_blob = spy

from scrapy.settings import Settings

class Crawler:
    settings = Settings({"NIANBAO_PROCESS_CONCURRENCY": 1})
    spider = type("S", (), {"portal": {"name": "p", "agency": "洛宁县人民政府办公室", "region_code": "410328"}})()

pipe = P.ProcessPipeline.from_crawler(Crawler)
pipe.archive = archive
pipe.open_spider()
item = {"url": "http://127.0.0.12/r.txt", "sha256": res.sha256, "capture_kind": res.kind,
        "headers": {"Content-Type": "text/plain; charset=utf-8"}, "portal": "p", "title": None}
revisit = dict(item, capture_kind="identical_revisit")

async def main(reactor):
    out = await pipe.process_item(item)
    assert out is item
    await pipe.process_item(revisit)   # already extracted: passes through untouched
    pipe.close_spider()
    print('THREADS', threads, flush=True)

task.react(lambda r: defer.Deferred.fromCoroutine(main(r)))
'''


def test_pipeline_runs_in_a_worker_thread(tmp_path, seeds_dir):
    script = tmp_path / "pipe.py"
    script.write_text(PIPELINE_SCRIPT, encoding="utf-8")
    seed = next(seeds_dir.glob("002_*.txt"))
    db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    p = subprocess.run([sys.executable, str(script), db, str(tmp_path / "blobs"), str(seed)],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "THREADS [False]" in p.stdout, p.stdout + p.stderr  # once, and not on the reactor thread
    a = Archive(db, tmp_path / "blobs")
    rows = a.query("SELECT agency, agency_source, region_code, report_year FROM reports")
    assert rows == [{"agency": "洛宁县人民政府办公室", "agency_source": "config", "region_code": "410328",
                     "report_year": 2023}]
    a.close()
