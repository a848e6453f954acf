"""`nianbao crawl` on the tuning seed of the wild network, as a user would run it.

What must hold today: the crawl finishes, never requests the off-site host or a
robots-disallowed path, never leaves the portals' hosts. What discovery (issue 11 items 1-4)
must reach: recall and precision ≥ 0.97 on every site and every trap template within budget —
those two tests are strict xfails, so the day they pass they fail until the marker is removed.
bench/wildweb_bench.py prints the same figures for the untuned seeds.
"""
from __future__ import annotations

import pytest

from crawler.wildweb import TUNING_SEED, WildNetwork
from crawler.wildweb.measure import TRAP_BUDGET, crawl, score

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(1200)]

TARGET = 0.97


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with WildNetwork(seed=TUNING_SEED, port=0) as net:
        res = crawl(net, tmp_path_factory.mktemp("wildcrawl"), timeout=1100)
        sc = score(net.truth, res["captures"], res["requests"])
        print(f"seed {TUNING_SEED}: recall {sc['recall']:.3f} precision {sc['precision'] or 0:.3f} "
              f"trap max {sc['trap_max']} off-site {sc['offsite_hits']}")
        yield net, res, sc


def test_crawl_finishes_and_stays_on_its_portals(crawled):
    net, res, sc = crawled
    assert res["summary"]["status"] == "finished"
    assert res["captures"], "the crawl recorded nothing"
    hosts = {s["host"] for s in net.truth["sites"]}
    assert {r["host"] for r in res["requests"]} <= hosts
    assert sc["offsite_hits"] == 0 and not net.offsite_hits()
    assert sc["robots_hits"] == 0
    portals = {p["name"] for p in net.portals}
    assert {c["portal"] for c in res["captures"]} <= portals


@pytest.mark.xfail(strict=True, reason="issue 11 items 1-3: discovery does not yet read links outside href, "
                                       "list APIs found in page scripts, or sitemaps; remove this marker when it does")
def test_recall_and_precision_on_every_site(crawled):
    _, _, sc = crawled
    low = [(s["site"], s["recall"], s["precision"], s["missed"][:3], s["false"][:3]) for s in sc["sites"]
           if (s["recall"] or 0) < TARGET or (s["precision"] or 0) < TARGET]
    assert not low, low


@pytest.mark.xfail(strict=True, reason="issue 11 item 4: no per-template trap budget yet; remove this marker when there is")
def test_every_trap_template_within_budget(crawled):
    _, _, sc = crawled
    over = [t for t in sc["traps"] if t["requests"] > TRAP_BUDGET]
    assert not over, over
