"""Re-crawl efficiency: first crawl vs an unchanged re-crawl (time and bytes transferred).

On the loopback sample network (or the scaled one with ``--scale N``), in one run:

1. first crawl into a fresh archive (``python -m crawler.runner``, processing on unless
   ``--no-process``: what ``nianbao crawl`` does);
2. the archive is copied;
3. unchanged re-crawl with conditional GET (the measured figure);
4. baseline: the same unchanged re-crawl of the copy with conditional GET off (every body
   downloaded again, identical revisits only).

Prints run time (the runner's elapsed_s, and wall time with interpreter start-up), bytes
received, requests, 304s, new blobs/versions for each, and the ratios against the first crawl
(target: re-crawl time ≤ 0.3× the first crawl's).

Usage: python bench/recrawl_bench.py [--no-process] [--scale N --pages M]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parent.parent


def _crawl(cfg: Path, process: bool) -> tuple[dict, float]:
    env = dict(os.environ)
    env.pop("NIANBAO_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "crawler.runner", "--config", str(cfg), "--json",
           "--set", "NIANBAO_RETRY_BACKOFF_BASE=0.05"]
    if not process:
        cmd.append("--no-process")
    t = time.monotonic()
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.monotonic() - t
    if out.returncode not in (0, 1):
        sys.exit(f"crawl failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def _write_config(d: Path, portals: list[dict], conditional: bool) -> Path:
    cfg = {
        "archive": {"database": f"sqlite:///{d / 'archive.sqlite'}", "blobs": str(d / "blobs")},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrent_per_domain": 8, "retries": 1,
                  "job_dir": str(d / "jobs"), "progress": False, "conditional_get": conditional},
        "portals": portals,
    }
    path = d / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _row(name: str, res: dict, wall: float, n304: int) -> dict:
    t = res["totals"]
    return {"crawl": name, "elapsed_s": res["elapsed_s"], "wall_s": round(wall, 2), "requests": t["requests"],
            "bytes": t["bytes"], "http_304": n304, "new_blobs": t["new_blobs"], "new_versions": t["new_versions"],
            "not_modified": t["not_modified"], "identical": t["identical_revisits"], "status": res["status"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-process", action="store_true", help="archive only (no extraction/parsing)")
    ap.add_argument("--scale", type=int, default=None, help="use the scaled network with N sites")
    ap.add_argument("--pages", type=int, default=250, help="pages per site of the scaled network")
    ap.add_argument("--keep", action="store_true", help="keep the temporary archives")
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from crawler.sampleweb import SampleNetwork

    process = not a.no_process
    tmp = Path(tempfile.mkdtemp(prefix="recrawl_bench_"))
    rows = []
    net = SampleNetwork(port=0, scale=a.scale, pages_per_site=a.pages) if a.scale else SampleNetwork(port=0)
    with net:
        main_dir, base_dir = tmp / "conditional", tmp / "baseline"
        main_dir.mkdir()
        cfg = _write_config(main_dir, net.portals, conditional=True)

        def statuses(since: int) -> int:
            return sum(1 for r in net.requests[since:] if r["status"] == 304)

        n0 = len(net.requests)
        first, w1 = _crawl(cfg, process)
        rows.append(_row("first crawl", first, w1, statuses(n0)))

        shutil.copytree(main_dir, base_dir)
        base_cfg = _write_config(base_dir, net.portals, conditional=False)

        n0 = len(net.requests)
        again, w2 = _crawl(cfg, process)
        rows.append(_row("re-crawl, conditional GET", again, w2, statuses(n0)))

        n0 = len(net.requests)
        base, w3 = _crawl(base_cfg, process)
        rows.append(_row("baseline re-crawl, no conditional GET", base, w3, statuses(n0)))

    cols = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in cols]
    print(f"network: {'scaled ' + str(a.scale) + ' sites' if a.scale else 'sample network (5 sites)'}; "
          f"processing {'on' if process else 'off'}")
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths)))
    f, c, b = rows
    print(f"re-crawl / first crawl: time {c['elapsed_s'] / f['elapsed_s']:.2f}x (wall {c['wall_s'] / f['wall_s']:.2f}x), "
          f"bytes {c['bytes'] / max(f['bytes'], 1):.3f}x  [target time <= 0.30x]")
    print(f"baseline re-crawl / first crawl: time {b['elapsed_s'] / f['elapsed_s']:.2f}x "
          f"(wall {b['wall_s'] / f['wall_s']:.2f}x), bytes {b['bytes'] / max(f['bytes'], 1):.3f}x")
    if a.keep:
        print(f"archives kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
