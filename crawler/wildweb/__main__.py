"""python -m crawler.wildweb serve --seed S [--port P] [--portals-json F] | truth --seed S | describe --seed S"""
from __future__ import annotations

import argparse
import json
import logging
import sys

logger = logging.getLogger(__name__)


def describe(truth: dict) -> str:
    """One line per site: what the generator drew."""
    rows = []
    for s in truth["sites"]:
        pal = ",".join(f"{i}:{f}" for i, f, _ in s["palette"]) or s["container"]
        p = s["pagination"]
        rows.append(f"{s['key']} {s['host']:<12} {s['portal']:<22} {s['family']:<7} {s['charset']:<7} "
                    f"hdr={s['header_charset'] or '-':<6} meta={s['meta_charset'] or '-':<7} {s['column_mode']:<10} "
                    f"shell={s['shell'] or '-':<12} {p['scheme']}/{p['pager']:<16} rows={pal} hub={s['hub_link']['idiom']} "
                    f"col={s['column_link']['idiom']} sitemap={s['sitemap']}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.wildweb", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve", help="serve the network of a seed on 127.0.0.21… and 127.0.0.98")
    sv.add_argument("--seed", type=int, default=0)
    sv.add_argument("--port", type=int, default=0, help="common port (0: pick a free one)")
    sv.add_argument("--portals-json", default=None, help="write the portal entries to this file")
    for name in ("truth", "describe"):
        p = sub.add_parser(name, help=f"print the {name} of a seed's network")
        p.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from . import WildNetwork, network_truth, plan_network

    if args.cmd == "truth":
        print(json.dumps(network_truth(plan_network(args.seed)), ensure_ascii=False, indent=1))
        return 0
    if args.cmd == "describe":
        print(describe(network_truth(plan_network(args.seed))))
        return 0
    net = WildNetwork(seed=args.seed, port=args.port).start()
    if args.portals_json:
        with open(args.portals_json, "w", encoding="utf-8") as f:
            json.dump(net.portals, f, ensure_ascii=False, indent=1)
    print(f"wild network seed {args.seed} on port {net.port}", flush=True)
    for p in net.portals:
        print(f"  {p['name']:<24} {p['start_urls'][0]}", flush=True)
    from crawler.sampleweb.server import wait_for_signal

    wait_for_signal()
    net.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
