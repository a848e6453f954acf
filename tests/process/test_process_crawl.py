"""Reports land in the report tables through the crawl itself (ProcessPipeline after
ArchivePipeline), not only through `nianbao process`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from storage import Archive

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]


def test_crawl_with_processing_fills_report_rows(tmp_path):
    from crawler.sampleweb import SampleNetwork

    with SampleNetwork(port=0) as net:
        portals = [p for p in net.portals if p["name"] == "sample-luolong"]
        cfg = {"archive": {"database": f"sqlite:///{tmp_path / 'a.sqlite'}", "blobs": str(tmp_path / "blobs")},
               "crawl": {"download_delay": 0, "autothrottle": False, "concurrent_per_domain": 8, "retries": 1,
                         "job_dir": str(tmp_path / "jobs"), "progress": False},
               "portals": portals}
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        env = dict(os.environ)
        env.pop("NIANBAO_DATABASE_URL", None)
        out = subprocess.run([sys.executable, "-m", "crawler.runner", "--config", str(path), "--json"],
                             cwd=REPO, capture_output=True, text=True, timeout=240, env=env)
        assert out.returncode == 0, out.stderr[-3000:]
        truth = [d for d in net.truth["reports"] if d["portal"] == "sample-luolong"]

    a = Archive(cfg["archive"]["database"], tmp_path / "blobs")
    rows = a.query("SELECT sha256, agency, agency_source, report_year, region_code FROM reports")
    assert {r["sha256"] for r in rows} == {d["sha256"] for d in truth}   # reports, and only reports
    for d in truth:
        r = next(r for r in rows if r["sha256"] == d["sha256"])
        assert (r["agency"], r["report_year"], r["region_code"]) == (d["agency"], d["report_year"], "410311")
    assert a.query("SELECT count(*) AS n FROM report_cells")[0]["n"] > 100 * len([d for d in truth if d["template"] != "legacy"])
    pages = a.query("SELECT count(DISTINCT sha256) AS n FROM captures WHERE sha256 IS NOT NULL")[0]["n"]
    assert a.query("SELECT count(*) AS n FROM extraction")[0]["n"] == pages       # every new body processed
    # nothing left for `nianbao process` to do
    from pipelines.process import process_archive

    st = process_archive(a, record_run=False)
    assert st.blobs == 0
    a.close()
