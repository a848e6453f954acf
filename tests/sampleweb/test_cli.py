"""`python -m crawler.sampleweb serve` starts the network, prints the port, stops on SIGTERM."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.network


def test_serve_cli(tmp_path):
    pj = tmp_path / "portals.json"
    p = subprocess.Popen([sys.executable, "-m", "crawler.sampleweb", "serve", "--port", "0", "--portals-json", str(pj)],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = p.stdout.readline()
        m = re.search(r"on port (\d+)", line)
        assert m, line
        port = int(m.group(1))
        with urllib.request.urlopen(f"http://127.0.0.13:{port}/api/list?channel=ndbg&page=1", timeout=10) as r:
            assert json.loads(r.read())["total"] > 0
        portals = json.loads(pj.read_text(encoding="utf-8"))
        assert {x["start_urls"][0] for x in portals} >= {f"http://127.0.0.11:{port}/"}
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 0
