"""python -m crawler.sampleweb serve [--port P] [--scale N --pages-per-site M] | build"""
from __future__ import annotations

import argparse
import json
import logging
import sys

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.sampleweb", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve", help="serve the sample network on 127.0.0.11-15 and 127.0.0.99")
    sv.add_argument("--port", type=int, default=0, help="common port (0: pick a free one)")
    sv.add_argument("--scale", type=int, default=None, help="serve the scaled benchmark network with N sites")
    sv.add_argument("--pages-per-site", type=int, default=250)
    sv.add_argument("--portals-json", default=None, help="write the portal configs to this file")
    bd = sub.add_parser("build", help="regenerate crawler/sampleweb/site/ (needs the seed texts of the "
                        "real-document corpus, $NIANBAO_CORPUS/seeds; LibreOffice for changed DOCX)")
    bd.add_argument("--seeds", default=None, help="folder of the seed texts (default $NIANBAO_CORPUS/seeds)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.cmd == "build":
        from .build import build
        truth = build(seeds_dir=args.seeds)
        print(f"built {len(truth['reports'])} report documents, {len(truth['rendered'])} seed renderings")
        return 0
    from . import SampleNetwork
    net = SampleNetwork(port=args.port, scale=args.scale, pages_per_site=args.pages_per_site).start()
    portals = net.portals
    if args.portals_json:
        with open(args.portals_json, "w", encoding="utf-8") as f:
            json.dump(portals, f, ensure_ascii=False, indent=1)
    print(f"sample network on port {net.port}", flush=True)
    for p in portals:
        print(f"  {p['name']:<18} {p['start_urls'][0]}", flush=True)
    from .server import wait_for_signal
    wait_for_signal()
    net.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
