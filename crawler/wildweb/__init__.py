"""The wild network: a second, randomized sample portal network that discovery is not tuned on.

From an integer seed it plans 6-8 portals, each with a portal-software look, an encoding,
link idioms, pagination, column layout, sitemap and traps drawn independently, serves them
on loopback with the first network's server, and knows the truth of every URL::

    from crawler.wildweb import WildNetwork
    with WildNetwork(seed=3, port=0) as net:
        net.portals          # what a user would write: home page, allowed_domains, agency, region_code, cms: auto
        net.truth            # reports, decoys, wrappers, traps, off-site links, pages (see README.md)
        net.requests         # every request served: host, path, method, status, headers, time
        net.offsite_hits()   # requests that reached the off-site host (must stay empty)

Seed 0 is the tuning seed; bench/wildweb_bench.py reports on seeds 1-5 as well.
"""
from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from crawler.sampleweb.server import LoopbackNetwork, ServerCore

from .model import WildModel
from .plan import OFFSITE_HOST, NetworkPlan, plan_network
from .truth import network_truth

logger = logging.getLogger(__name__)

__all__ = ["WildNetwork", "plan_network", "network_truth", "OFFSITE_HOST", "TUNING_SEED", "UNTUNED_SEEDS"]

TUNING_SEED = 0
UNTUNED_SEEDS = (1, 2, 3, 4, 5)


class WildNetwork(LoopbackNetwork):
    """Serve the network of ``seed`` on 127.0.0.21… (and the off-site host 127.0.0.98), one port."""

    label = "wild network"

    def __init__(self, seed: int = TUNING_SEED, port: int = 0):
        self.seed = seed
        self.plan: NetworkPlan = plan_network(seed)
        self._model = WildModel(self.plan)
        self._core = ServerCore(self._model, self._model.hosts, port)
        self.port = self._core.port
        self._model.build()
        self._started = False

    @cached_property
    def truth(self) -> dict[str, Any]:
        return network_truth(self.plan)

    @property
    def portals(self) -> list[dict[str, Any]]:
        return [{"name": s.portal, "start_urls": [f"http://{s.host}:{self.port}/"], "allowed_domains": [s.host],
                 "agency": s.agency, "region_code": s.region.code, "cms": "auto"} for s in self.plan.sites]

    def offsite_hits(self) -> list[dict]:
        return [r for r in self.requests if r["host"] == OFFSITE_HOST]

    def base_url(self, site: str) -> str:
        s = next(x for x in self.plan.sites if site in (x.key, x.portal, x.host))
        return f"http://{s.host}:{self.port}"

    def url(self, site: str, path: str) -> str:
        return self.base_url(site) + path

    def report_urls(self) -> list[str]:
        return [f"http://{d['host']}:{self.port}{d['path']}" for d in self.truth["reports"]]
