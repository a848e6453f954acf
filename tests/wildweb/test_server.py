"""The wild network's server: infinite traps, the logging off-site host, validators and 304,
robots.txt and sitemaps (plain, index, gzip), list APIs answered whatever the parameter order."""
from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree

from crawler.wildweb import TUNING_SEED, UNTUNED_SEEDS, WildNetwork, network_truth, plan_network
from crawler.wildweb import traps as TR

from .walker import fetch, key, strings

pytestmark = [pytest.mark.network, pytest.mark.timeout(300)]

STEPS = 40


def _seed_with(pred) -> int:
    for s in range(60):
        t = network_truth(plan_network(s))
        if any(pred(x) for x in t["sites"]):
            return s
    raise AssertionError("no seed in 0..59 has it")


@pytest.fixture(scope="module")
def net():
    with WildNetwork(seed=TUNING_SEED, port=0) as n:
        yield n


@pytest.fixture(scope="module")
def all_traps():
    """One network per trap kind (the first seed that has it)."""
    nets = {}
    for kind in TR.KINDS:
        for s in range(60):
            t = network_truth(plan_network(s))
            if any(x["kind"] == kind for x in t["traps"]):
                nets.setdefault(s, []).append(kind)
                break
    started = {s: WildNetwork(seed=s, port=0).start() for s in nets}
    yield [(started[s], k) for s, kinds in nets.items() for k in kinds]
    for n in started.values():
        n.stop()


def _links(body: bytes, base: str) -> list[str]:
    return [urljoin(base, h.decode().replace("&amp;", "&")) for h in re.findall(rb'href="([^"]+)"', body)]



def test_every_trap_kind_is_infinite(all_traps):
    """From its entry, each trap keeps answering new URLs of its own template, forever."""
    for net, kind in all_traps:
        t = next(x for x in net.truth["traps"] if x["kind"] == kind)
        base = net.base_url(t["site"])
        pat = re.compile(t["pattern"])
        frontier, seen, statuses = [base + t["entry"]], set(), set()
        while frontier and len(seen) < STEPS:
            url = frontier.pop(0)
            k = key(url)
            if k in seen:
                continue
            seen.add(k)
            f = fetch(url)
            statuses.add(f.status)
            nxt = [urljoin(url, f.headers["location"])] if f.status in (301, 302) else _links(f.body, url)
            frontier += [u for u in nxt if urlsplit(u).hostname == t["host"] and pat.match(key(u))]
        if kind == "redirect_loop":   # two URLs sending each other round: no end, no page
            assert statuses == {302} and len(seen) == 2, (kind, seen)
            assert not frontier or all(key(u) in seen for u in frontier)
        else:
            assert len(seen) >= STEPS, (kind, len(seen), seen)
            assert statuses <= {200, 302}, (kind, statuses)
        assert all(pat.match(k) for k in seen)


def test_offsite_host_logs_every_hit(net):
    before = len(net.offsite_hits())
    host = net.truth["offsite_host"]
    f = fetch(f"http://{host}:{net.port}/anything/at/all.html?x=1")
    assert f.status == 200
    hits = net.offsite_hits()[before:]
    assert [h["path"] for h in hits] == ["/anything/at/all.html?x=1"]


def test_offsite_redirect_helpers_point_off_site(net):
    host = net.truth["offsite_host"]
    target = f"http://{host}:{net.port}/x.html"
    s = net.truth["sites"][0]["key"]
    f = fetch(net.url(s, "/link.jsp?url=" + urllib.request.quote(target, safe="")))
    assert f.status == 302 and f.headers["location"] == target
    f = fetch(net.url(s, "/wailian.html?url=" + urllib.request.quote(target, safe="")))
    assert f.status == 200 and f'url={target}'.encode() in f.body


def test_validators_and_304(net):
    d = next(x for x in net.truth["reports"] if x["format"] != "html")
    url = net.url(d["site"], d["path"])
    f = fetch(url)
    assert f.status == 200
    etag, lm = f.headers["etag"], f.headers["last-modified"]
    for h in ({"If-None-Match": etag}, {"If-Modified-Since": lm}):
        req = urllib.request.Request(url.replace(" ", "%20"), headers=h)
        try:
            urllib.request.urlopen(req, timeout=10)
            raise AssertionError("expected 304")
        except urllib.error.HTTPError as exc:
            assert exc.code == 304
    page = next(x for x in net.truth["reports"] if x["format"] == "html")
    f2 = fetch(net.url(page["site"], page["path"]))
    assert f2.status == 200 and "etag" in f2.headers
    trap = next(x for x in net.truth["traps"] if x["kind"] not in ("redirect_loop", "redirect_chain"))
    f3 = fetch(net.url(trap["site"], trap["entry"]))
    assert f3.status == 200 and "etag" not in f3.headers, "trap pages are dynamic"


@pytest.mark.parametrize("mode", ["robots_urlset", "robots_index", "robots_gzip", "conventional"])
def test_sitemaps(mode):
    seed = _seed_with(lambda s: s["sitemap"] == mode)
    with WildNetwork(seed=seed, port=0) as n:
        s = next(x for x in n.truth["sites"] if x["sitemap"] == mode)
        robots = fetch(n.url(s["key"], "/robots.txt")).body.decode()
        declared = [ln.split(":", 1)[1].strip() for ln in robots.splitlines() if ln.lower().startswith("sitemap:")]
        assert bool(declared) == (mode != "conventional")
        start = declared[0] if declared else n.url(s["key"], "/sitemap.xml")
        locs, queue, fetched = [], [start], []
        while queue:
            fetched.append(queue[-1])
            f = fetch(queue.pop())
            assert f.status == 200
            body = gzip.decompress(f.body) if f.body[:2] == b"\x1f\x8b" else f.body
            root = etree.fromstring(body)
            ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
            if root.tag == ns + "sitemapindex":
                assert mode == "robots_index"
                queue += [x.text for x in root.iter(ns + "loc")]
            else:
                locs += [x.text for x in root.iter(ns + "loc")]
        paths = {key(u) for u in locs if urlsplit(u).hostname == s["host"]}
        for d in n.truth["reports"]:
            if d["site"] == s["key"] and d["sitemap"]:
                assert key(d["path"]) in paths, d["id"]
        assert any(urlsplit(u).hostname == n.truth["offsite_host"] for u in locs), "an off-site entry"
        if mode in ("robots_gzip", "robots_index"):
            assert any(u.endswith(".gz") for u in fetched), fetched


def test_json_api_answers_any_parameter_order():
    seed = _seed_with(lambda s: s["container"] == "json_api")
    with WildNetwork(seed=seed, port=0) as n:
        p = next(x for x in n.truth["listing_pages"] if x["reached"]["idiom"] == "json_api")
        u = urlsplit(p["path"])
        q = "&".join(reversed(u.query.split("&")))
        a, b = fetch(n.url(p["site"], p["path"])), fetch(n.url(p["site"], f"{u.path}?{q}"))
        assert a.status == b.status == 200 and a.body == b.body
        assert json.loads(a.body)["total"] > 0
        assert any(s.startswith(("/", "http")) for s in strings(json.loads(a.body)))
        page_param = next(k for k in ("pageNo", "page", "pageIndex", "current") if f"{k}=" in u.query)
        past = fetch(n.url(p["site"], re.sub(rf"{page_param}=\d+", f"{page_param}=999", p["path"])))
        assert past.status == 200
        assert not any(s.startswith(("/", "http")) for s in strings(json.loads(past.body))), "past the last page: empty"


def test_untuned_seeds_build_and_serve():
    for seed in UNTUNED_SEEDS:
        with WildNetwork(seed=seed, port=0) as n:
            for p in n.portals:
                f = fetch(p["start_urls"][0])
                assert f.status == 200 and b"</html>" in f.body
