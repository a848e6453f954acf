"""End-to-end re-crawl on the loopback sample network (crawls run in subprocesses).

1st crawl → unchanged 2nd crawl (0 new blobs/versions, report bodies answered 304) →
one report modified and another deleted on the server → 3rd crawl records exactly one new
report version and one gone report; `history`, `diff` and the WARC export show it.
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
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(400)]

REPO = Path(__file__).resolve().parents[2]
MODIFY = "/xxgk/ndbg/202203/t20220328_3005.html"   # city (TRS), HTML, 2021 template, no attachment
DELETE = "/zwgk/ndbg/6005.html"                     # zsj, HTML


def _crawl(cfg: Path) -> dict:
    env = dict(os.environ)
    env.pop("NIANBAO_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "crawler.runner", "--config", str(cfg), "--json", "--no-process",
                          "--set", "NIANBAO_RETRY_BACKOFF_BASE=0.05"],
                         cwd=REPO, capture_output=True, text=True, timeout=240, env=env)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run_row(db: str, run_id: int) -> dict:
    eng = sa.create_engine(db)
    with eng.connect() as c:
        row = dict(c.execute(sa.text("SELECT * FROM crawl_runs WHERE run_id = :r"), {"r": run_id}).mappings().one())
    eng.dispose()
    return row


def test_recrawl_unchanged_then_modified_and_deleted(tmp_path):
    from crawler.sampleweb import SampleNetwork
    from crawler.sampleweb.server import norm_path
    from crawler.cli import main
    from storage import Archive
    from storage.warc import record_id, write_warc

    with SampleNetwork(port=0) as net:
        db = f"sqlite:///{tmp_path / 'archive.sqlite'}"
        cfg = tmp_path / "config.yaml"
        cfg.write_text(yaml.safe_dump({
            "archive": {"database": db, "blobs": str(tmp_path / "blobs")},
            "crawl": {"download_delay": 0, "autothrottle": False, "concurrent_per_domain": 8, "retries": 1,
                      "job_dir": str(tmp_path / "jobs"), "progress": False},
            "portals": net.portals}, allow_unicode=True), encoding="utf-8")
        reports = {(d["host"], norm_path(d["path"])) for d in net.truth["reports"]}

        def report_hits(since: int) -> list[dict]:
            return [r for r in net.requests[since:] if (r["host"], norm_path(r["path"])) in reports]

        first = _crawl(cfg)
        assert first["status"] == "finished" and first["totals"]["new_versions"] > 100

        # --- unchanged re-crawl: nothing new stored, report bodies not re-sent -------------
        n0 = len(net.requests)
        second = _crawl(cfg)
        row = _run_row(db, second["run_id"])
        assert row["new_blobs"] == 0 and row["new_versions"] == 0, row
        assert row["not_modified"] + row["identical_revisits"] > 100
        hits = report_hits(n0)
        not_resent = [r for r in hits if r["status"] == 304]
        assert len(hits) >= 30 and len(not_resent) / len(hits) >= 0.9, [(r["path"], r["status"]) for r in hits]
        assert second["totals"]["bytes"] < 0.1 * first["totals"]["bytes"]
        # the spider still walked the site from the stored bodies of 304'd listing pages
        assert second["totals"]["captures"] >= 0.95 * first["totals"]["captures"]

        # --- one report changed, another deleted ------------------------------------------
        change = net.modify(MODIFY)
        net.delete(DELETE)
        third = _crawl(cfg)

    a = Archive(db, tmp_path / "blobs")
    mod_url = f"http://127.0.0.11:{net.port}{MODIFY}"
    del_url = f"http://127.0.0.14:{net.port}{DELETE}"
    run3 = third["run_id"]
    new_versions = a.query("SELECT url, is_report FROM captures WHERE run_id = :r AND kind = 'new_version'", {"r": run3})
    new_report_versions = [r["url"] for r in new_versions if r["is_report"]]
    assert new_report_versions == [mod_url], new_versions
    gone = a.query("SELECT url FROM documents WHERE gone_run_id = :r", {"r": run3})
    assert [g["url"] for g in gone] == [del_url]
    assert a.document(del_url)["version_count"] == 1          # gone, never deleted
    assert a.read_blob(a.document(del_url)["current_sha256"])

    # derive the figures of both versions of the modified report (what `nianbao process` does)
    from pipelines.process import process_blob

    for v in a.versions(mod_url):
        process_blob(a, v["sha256"], url=mod_url)

    runner = CliRunner()
    res = runner.invoke(main, ["--config", str(cfg), "history", mod_url])
    assert res.exit_code == 0, res.output
    assert res.output.count("new_version") == 2 and "not_modified" in res.output
    res = runner.invoke(main, ["--config", str(cfg), "history", del_url])
    assert f"GONE at run {run3}" in res.output, res.output
    res = runner.invoke(main, ["--config", str(cfg), "diff", mod_url, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert any("更正" in line for line in d["text_diff"] if line.startswith("+"))
    assert d["cell_diff"], d["reports"]
    changed = [c for c in d["cell_diff"] if c["change"] == "changed"]
    assert len(changed) == len(change["cells"]) and all(c["new"] == c["old"] + 1 for c in changed), d["cell_diff"]
    res = runner.invoke(main, ["--config", str(cfg), "diff", mod_url])
    assert f"figures: {len(changed)} differ" in res.output

    # --- WARC of the last run: every capture present, revisits refer to originals -----------
    path = write_warc(a, tmp_path / "warc", run_id=run3)
    ids, refers, types = set(), [], {}
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            rid = rec.rec_headers.get_header("WARC-Record-ID")
            ids.add(rid)
            types[rid] = rec.rec_type
            if rec.rec_type == "revisit":
                refers.append(rec.rec_headers.get_header("WARC-Refers-To"))
    caps = a.captures(run_id=run3)
    assert all(record_id(c) in ids for c in caps)
    assert len(refers) == sum(c["kind"] in ("not_modified", "identical_revisit") for c in caps) > 100
    assert all(r in ids and types[r] == "response" for r in refers)
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:]
    a.close()
