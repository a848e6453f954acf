"""The sample portal network: a deterministic, realistic set of Chinese government portals
served on loopback, with ground truth for discovery, extraction, parsing and re-crawl tests.

    from crawler.sampleweb import SampleNetwork, rendered_seeds
    with SampleNetwork(port=0) as net:
        net.portals          # PortalConfig-valid dicts, one per site
        net.truth            # truth.json (see README section in the module docs)
        net.requests         # every request served: host, path, method, status, headers
        net.base_url("city") # http://127.0.0.11:PORT
        net.modify(path); net.delete(path)
"""
from __future__ import annotations

import copy
import json
import logging
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import network as N
from .server import SITE_DIR, BASE_TIME, LoopbackNetwork, Model, ServerCore, norm_path

logger = logging.getLogger(__name__)

__all__ = ["SampleNetwork", "load_truth", "rendered_seeds", "SITE_DIR"]


@lru_cache(maxsize=1)
def _truth_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_truth(site_dir: Path | None = None) -> dict:
    """The committed truth.json (a fresh copy each call)."""
    return json.loads(_truth_text(str(Path(site_dir or SITE_DIR) / "truth.json")))


def rendered_seeds(site_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every seed rendered in every format: [{seed, format, path, charset, declared_charset,
    has_narrative, has_tables, truth}] where truth holds agency, report_year, template,
    section2-4, failed_checks and narrative ({'1': [...], '5': [...], '6': [...]})."""
    root = Path(site_dir or SITE_DIR)
    t = load_truth(root)
    out = []
    for r in t["rendered"]:
        c = t["contents"][r["seed"]]
        out.append({**r, "path": root / r["file"], "truth": c})
    return out


class SampleNetwork(LoopbackNetwork):
    """Serve the sample network on 127.0.0.11-15 (+127.0.0.99 as another domain), same port.

    ``scale``/``pages_per_site`` switch to the generated benchmark network (see scale.py).
    """

    label = "sample network"

    def __init__(self, port: int = 0, *, site_dir: Path | None = None, scale: int | None = None,
                 pages_per_site: int = 250):
        self.site_dir = Path(site_dir or SITE_DIR)
        self.scaled = None
        if scale:
            from .scale import ScaledModel
            self.scaled = ScaledModel(scale, pages_per_site)
            self.truth = self.scaled.truth()
            model: Any = self.scaled
            hosts = self.scaled.hosts
        else:
            self.truth = load_truth(self.site_dir)
            model = Model(self.truth, self.site_dir)
            hosts = [s.host for s in N.SITES] + [N.OFFSITE_HOST]
        self._model = model
        self._core = ServerCore(model, hosts, port)
        self.port = self._core.port
        self._started = False

    # -- views
    def base_url(self, site: str) -> str:
        if self.scaled is not None:
            return self.scaled.base_url(site, self.port)
        s = N.SITE_BY_KEY.get(site) or next(x for x in N.SITES if x.portal == site or x.host == site)
        return f"http://{s.host}:{self.port}"

    def url(self, site: str, path: str) -> str:
        return self.base_url(site) + path

    @property
    def portals(self) -> list[dict]:
        if self.scaled is not None:
            return self.scaled.portals(self.port)
        out = []
        for s in N.SITES:
            p = {"name": s.portal, "start_urls": [f"http://{s.host}:{self.port}/"], "allowed_domains": [s.host],
                 "agency": s.agency, "region_code": s.region_code, "cms": s.cms}
            if s.cms == "jsonapi":
                p["list_api"] = f"http://{s.host}:{self.port}/api/list?channel=ndbg&page={{page}}"
            out.append(p)
        return out

    def report_urls(self) -> list[str]:
        """Absolute final URLs of every report document currently served."""
        return [f"http://{d['host']}:{self.port}{d['path']}" for d in self.truth["reports"]
                if (d["host"], norm_path(d["path"])) not in self._model.deleted]

    def url_list(self) -> list[str]:
        """Flat list of page URLs (the bare-Scrapy baseline of the crawl benchmark fetches these).

        Scaled network: every page. Sample network: every listing page and report document."""
        if self.scaled is not None:
            return self.scaled.url_list(self.port)
        out = []
        for lp in self.truth["listing_pages"]:
            out.append(self.base_url(lp["site"]) + lp["path"])
        return out + self.report_urls()

    def offsite_hits(self) -> list[dict]:
        return [r for r in self.requests if r["host"] == N.OFFSITE_HOST]

    # -- re-crawl support
    def _doc(self, path: str) -> dict:
        if path.startswith("http"):
            from urllib.parse import urlsplit
            u = urlsplit(path)
            host, path = u.hostname, u.path + ("?" + u.query if u.query else "")
            cands = [d for d in self.truth["reports"] if d["host"] == host and norm_path(d["path"]) == norm_path(path)]
        else:
            cands = [d for d in self.truth["reports"] if norm_path(d["path"]) == norm_path(path)]
        if len(cands) != 1:
            raise KeyError(f"no single report document at {path!r}")
        return cands[0]

    def modify(self, path: str) -> dict:
        """Change one report's content (a corrected figure for HTML, a revision appended for
        binaries); its ETag and Last-Modified change. Returns what changed."""
        from .build import report_page
        from .pages import encode

        d = self._doc(path)
        m = self._model
        key = (d["host"], norm_path(d["path"]))
        with m.lock:
            m.generation += 1
            lm = BASE_TIME + timedelta(days=30 + m.generation)
        change: dict[str, Any] = {"path": d["path"], "host": d["host"]}
        if d["format"] == "html":
            rep = copy.deepcopy(self.truth["contents"][d["group"]])
            if rep["template"] != "legacy":
                for row in ("new_received", "granted", "total_handled"):
                    rep["section3"][row][0] += 1
                    rep["section3"][row][6] += 1
                change["cells"] = [{"section": "3", "row_key": r, "column_key": c, "delta": 1}
                                   for r in ("new_received", "granted", "total_handled")
                                   for c in ("natural_person", "total")]
            with m.lock:
                n = m.generation
            rep["narrative"]["6"] = list(rep["narrative"].get("6", [])) + [f"（本报告于2024年5月更正，修订第{n}版。）"]
            site = N.SITE_BY_KEY[d["site"]]
            data = encode(site, report_page(site, rep, d["published"]))
        else:
            data = m._file(d["file"]) + f"\n%% revised 2024-05 #{m.generation}\n".encode()
            change["appended"] = True
        with m.lock:
            m.overlay[key] = (data, lm)
        return change

    def delete(self, path: str) -> None:
        """Remove a report: 404 from now on and gone from its listing."""
        d = self._doc(path)
        m = self._model
        with m.lock:
            m.deleted.add((d["host"], norm_path(d["path"])))
            m.generation += 1
