"""Discovery on portals nobody tuned it for: recall and precision on the wild network.

For each seed (default: the tuning seed 0 and the untuned seeds 1-5) the wild network is
served on loopback in this process and crawled with the project's crawler exactly as a user
would run it — ``nianbao crawl`` in a subprocess, into a temporary SQLite archive, with the
portal entries a user would write (home page, allowed_domains, agency, region_code,
cms: auto; no list_api). Politeness delays are off unless ``--polite``; processing is off (a
report's recognition is the spider's, made at capture time).

Printed per seed and per site: recall and precision of report documents (found = a capture
flagged is_report whose URL, after redirects, is a truth report document; wrapper pages that
only offer the file are neither counted nor penalised), requests spent per trap template
(target ≤15), off-site hits and robots-disallowed hits (both must be 0). Beside them, the
baseline of the same networks: the share of reports that plain ``<a>``/``<area>`` hrefs,
HTTP redirects and meta refresh alone reach (what a crawler knowing no further idiom could
find at best), and the crawler's recall on that share. Then recall by idiom, pagination,
container and format over the untuned seeds (``idiom_given_listing``: the row idiom's recall
counted only where the crawler fetched the listing page that carries the row).

Usage: python bench/wildweb_bench.py [--seeds 0,1,2,3,4,5] [--polite] [--json FILE] [--check]
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.sampleweb.server import norm_path  # noqa: E402
from crawler.wildweb import TUNING_SEED, UNTUNED_SEEDS, WildNetwork  # noqa: E402
from crawler.wildweb.measure import TRAP_BUDGET, crawl, score  # noqa: E402

logger = logging.getLogger(__name__)

#: links a plain link-following crawler takes (Scrapy's LinkExtractor reads a/area href;
#: its middlewares follow redirects and meta refresh)
PLAIN = {"href", "area", "redirect", "meta_refresh", "301", "302", "meta-refresh"}
TARGET = 0.97


def plain_reachable(truth: dict) -> set[tuple[str, str]]:
    return {(d["host"], norm_path(d["path"])) for d in truth["reports"] if set(d["chain"]) <= PLAIN}


def fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def run_seed(seed: int, polite: bool) -> dict:
    with WildNetwork(seed=seed, port=0) as net, tempfile.TemporaryDirectory(prefix="wildbench-") as tmp:
        t0 = time.perf_counter()
        res = crawl(net, Path(tmp), polite=polite)
        elapsed = time.perf_counter() - t0
        sc = score(net.truth, res["captures"], res["requests"])
        plain = plain_reachable(net.truth)
        found = {(c_host, p) for c_host, p in _found_keys(net.truth, res["captures"])}
        sc.update(elapsed=elapsed, status=res["summary"].get("status"), plain=len(plain),
                  plain_found=len(plain & found), truth=net.truth)
        return sc


def _found_keys(truth: dict, captures: list[dict]) -> set[tuple[str, str]]:
    from crawler.wildweb.measure import key

    reports = {(d["host"], norm_path(d["path"])) for d in truth["reports"]}
    return {key(c.get("final_url") or c["url"]) for c in captures if c.get("is_report")} & reports


def print_seed(sc: dict) -> None:
    tag = "tuning" if sc["seed"] == TUNING_SEED else "untuned"
    over = [t for t in sc["traps"] if t["requests"] > TRAP_BUDGET]
    print(f"\nseed {sc['seed']} ({tag}): {len(sc['sites'])} sites, {sc['reports']} report documents; "
          f"crawl {sc['status']} in {sc['elapsed']:.1f} s, {sc['requests']} requests")
    print(f"  recall {fmt(sc['recall'])}  precision {fmt(sc['precision'])}  (found {sc['found']}, flagged {sc['flagged']}, "
          f"not reports {sc['wrong']})")
    print(f"  baseline: plain href/area/redirect/meta-refresh reach {sc['plain']}/{sc['reports']} "
          f"({sc['plain'] / max(sc['reports'], 1):.3f}); crawler found {sc['plain_found']}/{sc['plain']} of those")
    print(f"  traps: {len(sc['traps'])} templates, max {sc['trap_max']} requests, {len(over)} over {TRAP_BUDGET}; "
          f"off-site hits {sc['offsite_hits']}; robots-disallowed hits {sc['robots_hits']}")
    print(f"  {'site':<4} {'portal':<22} {'family':<7} {'container':<14} {'pagination':<26} {'rep':>3} {'found':>5} "
          f"{'wrong':>5} {'recall':>6} {'prec':>6}  traps (requests)")
    for s in sc["sites"]:
        tr = " ".join(f"{t['kind']}={t['requests']}" for t in sc["traps"] if t["site"] == s["site"])
        print(f"  {s['site']:<4} {s['portal']:<22} {s['family']:<7} {s['container']:<14} {s['pagination']:<26} "
              f"{s['reports']:>3} {s['found']:>5} {s['wrong']:>5} {fmt(s['recall']):>6} {fmt(s['precision']):>6}  {tr}")


def print_breakdown(results: list[dict]) -> None:
    seeds = [r["seed"] for r in results]
    print(f"\nrecall by kind over seeds {seeds} (found/total):")
    for name in ("idiom", "idiom_given_listing", "pagination", "container", "format", "placement"):
        agg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in results:
            for k, v in r["by"][name].items():
                agg[k][0] += v["found"]
                agg[k][1] += v["total"]
        cells = "  ".join(f"{k} {f}/{t}" for k, (f, t) in sorted(agg.items(), key=lambda x: -x[1][1]))
        print(f"  {name:<19} {cells}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default=",".join(str(s) for s in (TUNING_SEED, *UNTUNED_SEEDS)))
    ap.add_argument("--polite", action="store_true", help="keep the shipped politeness settings (slow)")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    ap.add_argument("--check", action="store_true", help="exit 1 unless every untuned seed meets the acceptance")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    results = []
    for seed in seeds:
        sc = run_seed(seed, args.polite)
        print_seed(sc)
        results.append(sc)
    untuned = [r for r in results if r["seed"] != TUNING_SEED]
    print_breakdown(untuned or results)
    ok = True
    print("\nsummary (acceptance: recall and precision ≥ 0.97 per untuned seed, every trap ≤ 15 requests, 0 off-site hits):")
    for r in results:
        met = (r["recall"] or 0) >= TARGET and (r["precision"] or 0) >= TARGET and r["trap_max"] <= TRAP_BUDGET \
            and r["offsite_hits"] == 0 and r["robots_hits"] == 0
        if r["seed"] != TUNING_SEED:
            ok &= met
        print(f"  seed {r['seed']:>2}{'*' if r['seed'] == TUNING_SEED else ' '} recall {fmt(r['recall'])} "
              f"precision {fmt(r['precision'])} baseline {r['plain'] / max(r['reports'], 1):.3f} "
              f"trap max {r['trap_max']:>4} off-site {r['offsite_hits']} robots {r['robots_hits']}  {'met' if met else 'not met'}")
    if untuned:
        tot = sum(r["reports"] for r in untuned)
        fnd = sum(r["found"] for r in untuned)
        wrg = sum(r["wrong"] for r in untuned)
        print(f"  untuned total: recall {fmt(fnd / tot if tot else None)} precision {fmt(fnd / (fnd + wrg) if fnd + wrg else None)}"
              f" ({fnd}/{tot} found, {wrg} not reports flagged)   * = tuning seed")
    if args.json:
        Path(args.json).write_text(json.dumps([{k: v for k, v in r.items() if k != "truth"} for r in results],
                                              ensure_ascii=False, indent=1))
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
