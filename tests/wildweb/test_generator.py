"""The wild network's generator: deterministic per seed, different across seeds, and drawing
from the whole family of idioms, encodings, paginations and traps over a range of seeds."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from crawler.config import PortalConfig
from crawler.sampleweb.server import SITE_DIR, norm_path
from crawler.wildweb import TUNING_SEED, UNTUNED_SEEDS, network_truth, plan_network
from crawler.wildweb import idioms as I
from crawler.wildweb import paging as P
from crawler.wildweb import sitemaps as S
from crawler.wildweb import traps as TR
from crawler.wildweb import titles as T
from crawler.wildweb.families import ENCODINGS, FAMILIES
from crawler.wildweb.truth import idiom_assignment

REPO = Path(__file__).resolve().parents[2]
SEEDS = (TUNING_SEED, *UNTUNED_SEEDS)
SURVEY = range(40)          # seeds over which every idiom of the family must turn up


def truth(seed: int) -> dict:
    return network_truth(plan_network(seed))


@pytest.fixture(scope="module")
def survey() -> dict[int, dict]:
    return {s: truth(s) for s in SURVEY}


_DIGEST = """
import hashlib, json, sys
from crawler.wildweb import network_truth, plan_network
from crawler.wildweb.model import WildModel
seed = int(sys.argv[1])
plan = plan_network(seed)
m = WildModel(plan); m.port = 41234; m.build()
h = hashlib.sha256(json.dumps(network_truth(plan), ensure_ascii=False, sort_keys=True).encode())
for host, r in sorted(m.renderers.items()):
    for path, resp in sorted(r.routes.items()):
        h.update(f"{host}{path}{resp.status}{sorted((resp.headers or {}).items())}".encode()); h.update(resp.body)
print(h.hexdigest())
"""


def _digest(seed: int, hashseed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-c", _DIGEST, str(seed)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_deterministic_per_seed_across_processes():
    """Truth and every served byte are the same for a seed whatever the process (hash seed)."""
    a, b = _digest(3, "1"), _digest(3, "2")
    assert a == b
    assert _digest(4, "1") != a


def test_truth_is_deterministic_in_process():
    assert json.dumps(truth(TUNING_SEED), sort_keys=True) == json.dumps(truth(TUNING_SEED), sort_keys=True)


def test_idiom_assignment_differs_across_seeds():
    sigs = {s: idiom_assignment(truth(s)) for s in SEEDS}
    for a, b in combinations(SEEDS, 2):
        assert sigs[a] != sigs[b], (a, b)
    # new combinations, not a shuffle of a few fixed sites
    sites = [row for s in SEEDS for row in sigs[s]]
    assert len(set(sites)) == len(sites)
    for s in SEEDS:
        assert 6 <= len(sigs[s]) <= 8
        assert len({row[0] for row in sigs[s]}) >= 3, "one seed should mix portal families"


def test_every_idiom_of_the_family_is_drawn(survey):
    seen: dict[str, Counter] = {k: Counter() for k in (
        "family", "encoding", "container", "script_form", "row", "scheme", "pager", "pager_idiom", "shell",
        "column_mode", "nav", "sitemap", "trap", "title", "attachment", "format", "via", "offsite", "url_form")}
    for t in survey.values():
        for s in t["sites"]:
            seen["family"][s["family"]] += 1
            seen["encoding"][(s["charset"], s["header_charset"], s["meta_charset"])] += 1
            seen["container"][s["container"]] += 1
            seen["script_form"][s["container_form"]] += 1
            for idiom, form, _ in s["palette"]:
                seen["row"][(idiom, form)] += 1
            p = s["pagination"]
            seen["scheme"][p["scheme"]] += 1
            seen["pager"][p["pager"]] += 1
            seen["pager_idiom"][p["pager_idiom"]] += 1
            seen["shell"][s["shell"]] += 1
            seen["column_mode"][s["column_mode"]] += 1
            seen["nav"][s["hub_link"]["idiom"]] += 1
            seen["nav"][s["column_link"]["idiom"]] += 1
            seen["sitemap"][s["sitemap"]] += 1
            seen["url_form"][s["url_form"]] += 1
        for d in t["reports"]:
            seen["title"][d["title_style"]] += 1
            seen["format"][d["format"]] += 1
            if d["placement"] in ("wrapper", "attached"):
                seen["attachment"][d["idiom"]] += 1
            for v in d["via"]:
                seen["via"][v["kind"]] += 1
        for x in t["traps"]:
            seen["trap"][x["kind"]] += 1
        for o in t["offsite_links"]:
            seen["offsite"][o["idiom"]] += 1
    assert set(seen["family"]) == set(FAMILIES)
    assert set(seen["encoding"]) == {(e.charset, e.header, e.meta) for _, e in ENCODINGS}
    assert set(seen["container"]) == {"html", "script_literal", "json_api", "hanweb_proxy"}
    assert set(I.FORMS["script_literal"]) <= set(seen["script_form"])
    rows = {(i, f) for i in ("href", "data_attr", "onclick", "js_href", "option", "area") for f in I.FORMS[i]}
    assert rows == set(seen["row"]), rows - set(seen["row"])
    assert set(seen["scheme"]) == set(P.SCHEMES)
    assert set(P.PAGERS) <= set(seen["pager"])
    assert {"href", "onclick", "js_href"} <= set(seen["pager_idiom"])
    assert set(seen["shell"]) == {None, "iframe", "frameset", "meta_refresh", "redirect"}
    assert set(seen["column_mode"]) == {"flat", "categories", "years"}
    assert {"href", "onclick", "js_href", "data_attr", "area", "option"} <= set(seen["nav"])
    assert set(seen["sitemap"]) == set(S.MODES)
    assert set(seen["trap"]) == set(TR.KINDS)
    assert {s for _, s in T.TITLE_STYLES} == set(seen["title"])
    assert set(I.FORMS["attachment"]) <= set(seen["attachment"])
    assert {"html", "pdf", "pdf_scan", "docx", "doc", "wps", "xls"} == set(seen["format"])
    assert {"301", "302", "meta-refresh"} == set(seen["via"])
    assert {"href", "data_attr", "onclick", "option", "iframe", "area", "redirect", "meta_refresh", "sitemap"} <= set(seen["offsite"])
    assert set(seen["url_form"]) == set(I.URL_FORMS)


@pytest.mark.parametrize("seed", SEEDS)
def test_truth_is_consistent(seed):
    t = truth(seed)
    hosts = {s["host"] for s in t["sites"]}
    assert t["offsite_host"] not in hosts
    reports = [(d["host"], norm_path(d["path"])) for d in t["reports"]]
    assert len(reports) == len(set(reports)), "one URL, one report document"
    others = {(x["host"], norm_path(x["path"])) for x in t["decoys"] + t["wrappers"] + t["disallowed"] + t["expected_failures"]}
    assert not others & set(reports)
    for d in t["reports"]:
        assert d["host"] in hosts and d["path"].startswith("/")
        assert d["format"] in ("html", "pdf", "pdf_scan", "docx", "doc", "wps", "xls")
        assert 2008 <= d["report_year"] <= 2024 and d["template"] in ("2021", "2019", "legacy")
        assert d["agency"] or d["printed_agency"], d
        assert d["idiom"] and d["chain"] and d["chain"][-1 if not d["via"] else -1 - len(d["via"])] == d["idiom"]
        if d["format"] != "html":
            data = (SITE_DIR / d["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == d["sha256"]
        else:
            assert d["content"] or d["group"]
        if d["placement"] != "sitemap":
            assert d["listing_page"], d
        else:
            assert d["sitemap"]
    for x in t["decoys"]:
        assert "工作年度报告" not in x["title"] or x["kind"] in ("notice", "notice_submit", "interpretation", "format_notice")
    assert t["traps"] and all(t["pattern"] for t in t["traps"])


@pytest.mark.parametrize("seed", SEEDS)
def test_portal_entries_are_what_a_user_writes(seed):
    from crawler.wildweb import WildNetwork

    net = WildNetwork(seed=seed, port=0)
    try:
        for p in net.portals:
            cfg = PortalConfig(**p)
            assert cfg.cms == "auto" and cfg.list_api is None
            assert cfg.start_urls == [f"http://{cfg.allowed_domains[0]}:{net.port}/"]
            assert cfg.agency and cfg.region_code
        assert len({p["name"] for p in net.portals}) == len(net.portals)
    finally:
        net.stop()


def test_no_held_out_body_anywhere(survey):
    for t in survey.values():
        text = json.dumps(t, ensure_ascii=False)
        for name in ("平潭", "洪泽", "pingtan", "hongze"):
            assert name not in text.lower()
