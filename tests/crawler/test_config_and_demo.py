"""config.yaml's shipped portals and profile, and `nianbao demo` end to end (subprocess)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.config import load_config

REPO = Path(__file__).resolve().parents[2]


def test_default_portals_are_the_sample_network_and_luoyang_profile_is_real():
    from crawler.commands.demo import DEFAULT_PORT
    from crawler.sampleweb import SampleNetwork

    cfg = load_config(REPO / "config.yaml")
    with SampleNetwork(port=0) as net:                   # not started: only its portal list
        listed = json.dumps(net.portals).replace(f":{net.port}/", f":{DEFAULT_PORT}/")
    ours = {p.name: p.model_dump(exclude_none=True) for p in cfg.portals}
    theirs = {p["name"]: p for p in json.loads(listed)}
    assert set(ours) == set(theirs)
    for name, p in theirs.items():
        assert ours[name]["start_urls"] == p["start_urls"]
        assert ours[name]["allowed_domains"] == p["allowed_domains"]
        assert ours[name].get("list_api") == p.get("list_api")
    real = cfg.active_portals("luoyang")
    assert any("ly.gov.cn" in p.allowed_domains for p in real)
    for p in real:
        assert all(u.startswith("https://") and ".gov.cn" in u for u in p.start_urls)
        assert p.region_code and p.region_code.startswith("4103")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.11", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.timeout(300)
def test_demo_crawls_the_sample_network_and_prints_a_query(tmp_path):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    cfg["archive"] = {"database": "sqlite:///archive/demo.sqlite", "blobs": "archive/blobs"}
    cfg["crawl"] = {"download_delay": 0, "autothrottle": False, "retries": 0, "job_dir": "archive/jobs"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_DATABASE_URL", "NIANBAO_CONFIG")}
    out = subprocess.run([str(Path(sys.executable).with_name("nianbao")), "demo", "--no-process",
                          "--port", str(_free_port())], cwd=tmp_path, capture_output=True, text=True,
                         timeout=280, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "sample-city" in out.stdout and "errors by reason" in out.stdout
    assert "report_year" in out.stdout                      # the SQL query's header
    assert (tmp_path / "archive" / "demo.sqlite").exists()


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.timeout(300)
def test_demo_moves_to_a_free_port_when_its_port_is_busy(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.11", 0))                       # the port the config's portals use
        busy.listen()
        port = busy.getsockname()[1]
        cfg = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8").replace(":18765", f":{port}"))
        cfg["archive"] = {"database": "sqlite:///archive/demo.sqlite", "blobs": "archive/blobs"}
        cfg["crawl"] = {"download_delay": 0, "autothrottle": False, "retries": 0, "job_dir": "archive/jobs"}
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_DATABASE_URL", "NIANBAO_CONFIG")}
        out = subprocess.run([str(Path(sys.executable).with_name("nianbao")), "demo", "--no-process"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=280, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"port {port} is busy" in out.stdout and "free port" in out.stdout, out.stdout[:2000]
    moved = int(out.stdout.split("on free port ", 1)[1].split()[0])
    assert moved != port and f"127.0.0.11-15:{moved}" in out.stdout
    assert "sample-city" in out.stdout and "errors by reason" in out.stdout
