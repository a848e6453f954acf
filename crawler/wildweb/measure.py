"""Crawl a wild network as a user would and score the result against its truth.

``crawl`` writes a config with the network's portal entries (exactly what a user would write:
home page, allowed_domains, agency, region_code, cms: auto) and runs ``nianbao crawl`` in a
subprocess into a fresh SQLite archive; ``score`` compares the captures flagged ``is_report``
with the truth's report documents (after redirects), counts requests per trap template, hits
on the off-site host and on robots-disallowed paths. Shared by bench/wildweb_bench.py and
tests/wildweb.
"""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.sampleweb.server import norm_path

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
TRAP_BUDGET = 15          # requests per trap template the acceptance allows
#: crawl settings of a fast run (a user's defaults add a politeness delay and AutoThrottle)
FAST = {"download_delay": 0, "autothrottle": False, "concurrent_per_domain": 8, "retries": 1,
        "job_dir": None, "progress": False}


def key(url: str) -> tuple[str | None, str]:
    u = urlsplit(url)
    return u.hostname, norm_path(u.path + ("?" + u.query if u.query else ""))


def crawl(net: Any, tmp: Path, *, polite: bool = False, timeout: float = 1800) -> dict[str, Any]:
    """Run ``nianbao crawl`` over the network's portals into ``tmp``; returns the summary and captures."""
    from storage import Archive

    tmp.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{tmp / 'archive.sqlite'}"
    cfg = {"archive": {"database": db, "blobs": str(tmp / "blobs")},
           "crawl": {"job_dir": None, "progress": False} if polite else dict(FAST),
           "portals": net.portals}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_DATABASE_URL", "NIANBAO_CONFIG")}
    before = len(net.requests)
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "--config", str(path), "crawl", "--no-process", "--json"],
                         cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)
    if out.returncode not in (0, 1) or not out.stdout.strip():
        raise RuntimeError(f"nianbao crawl failed ({out.returncode}): {out.stderr[-3000:]}")
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    with Archive(db, tmp / "blobs") as a:
        captures = a.captures()
    return {"summary": summary, "captures": captures, "requests": net.requests[before:]}


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score(truth: dict[str, Any], captures: list[dict[str, Any]], requests: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall/precision of report documents per site and overall, by idiom and pagination
    (``idiom_given_listing``: only reports whose listing page the crawler fetched, so a row idiom
    is not blamed for a column the crawler never reached); requests per trap template;
    off-site and robots-disallowed hits."""
    reports = {(d["host"], norm_path(d["path"])): d for d in truth["reports"]}
    neutral = {(w["host"], norm_path(w["path"])) for w in truth["wrappers"]}
    flagged: set[tuple] = set()
    fetched: set[tuple] = set()
    for c in captures:
        fetched.update(key(u) for u in (c["url"], c.get("final_url")) if u)
        if c.get("is_report"):
            flagged.add(key(c.get("final_url") or c["url"]))
    found = flagged & reports.keys()
    wrong = flagged - reports.keys() - neutral
    sites = []
    for s in truth["sites"]:
        t = {k for k in reports if k[0] == s["host"]}
        f = {k for k in found if k[0] == s["host"]}
        w = {k for k in wrong if k[0] == s["host"]}
        sites.append({"site": s["key"], "portal": s["portal"], "family": s["family"], "container": s["container"],
                      "pagination": f"{s['pagination']['scheme']}/{s['pagination']['pager']}", "reports": len(t),
                      "found": len(f), "wrong": len(w), "recall": _ratio(len(f), len(t)),
                      "precision": _ratio(len(f), len(f) + len(w)),
                      "missed": sorted(reports[k]["path"] for k in t - f), "false": sorted(p for _, p in w)})
    by = {name: defaultdict(lambda: [0, 0]) for name in ("idiom", "pagination", "container", "format", "placement",
                                                         "idiom_given_listing")}
    for k, d in reports.items():
        for name in by:
            if name == "idiom_given_listing":
                # the row's own idiom, where the crawler did fetch the page that carries the row
                if not d["listing_page"] or (d["host"], norm_path(d["listing_page"])) not in fetched:
                    continue
                v = d["idiom"]
            else:
                v = d.get(name) or "-"
            by[name][v][1] += 1
            by[name][v][0] += k in found
    traps = []
    for t in truth["traps"]:
        pat = re.compile(t["pattern"])
        n = sum(1 for r in requests if r["host"] == t["host"] and pat.match(r["path"]))
        traps.append({"site": t["site"], "kind": t["kind"], "template": t["template"], "requests": n,
                      "robots_disallowed": t["robots_disallowed"]})
    disallow = {s["host"]: s["robots_disallow"] for s in truth["sites"]}
    robots_hits = [r for r in requests if any(r["path"].startswith(d) for d in disallow.get(r["host"], ()))]
    return {
        "seed": truth["seed"], "reports": len(reports), "found": len(found), "flagged": len(flagged),
        "wrong": len(wrong), "recall": _ratio(len(found), len(reports)),
        "precision": _ratio(len(found), len(found) + len(wrong)), "sites": sites,
        "by": {name: {k: {"found": v[0], "total": v[1]} for k, v in sorted(d.items())} for name, d in by.items()},
        "traps": traps, "trap_max": max((t["requests"] for t in traps), default=0),
        "offsite_hits": sum(1 for r in requests if r["host"] == truth["offsite_host"]),
        "robots_hits": len(robots_hits), "requests": len(requests),
    }
