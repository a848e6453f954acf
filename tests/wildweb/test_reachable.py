"""Every URL the truth names is served and reachable the way the truth says it is.

A small idiom-aware reference walker (tests/wildweb/walker.py, not the spider) walks every
site of each seed; its labelled edges must contain, for each report document, the link of the
stated idiom from the stated listing page (through the stated redirect/meta-refresh hops),
and for each navigation/listing page the link that the truth says reaches it.
"""
from __future__ import annotations

import hashlib

import pytest

from crawler.sampleweb.server import norm_path
from crawler.wildweb import TUNING_SEED, UNTUNED_SEEDS, WildNetwork

from .walker import decode, walk_site

pytestmark = [pytest.mark.network, pytest.mark.timeout(300)]


@pytest.fixture(scope="module", params=(TUNING_SEED, *UNTUNED_SEEDS))
def walked(request):
    with WildNetwork(seed=request.param, port=0) as net:
        walks = {s["key"]: walk_site(net.base_url(s["key"]), net.truth, s["key"]) for s in net.truth["sites"]}
        yield net, walks


def _n(p: str | None) -> str | None:
    return norm_path(p) if p else p


def test_every_report_reached_by_its_idiom(walked):
    net, walks = walked
    missing = []
    for d in net.truth["reports"]:
        w = walks[d["site"]]
        path = _n(d["path"])
        if d["placement"] == "sitemap":
            ok = w.reached(path, "sitemap")
        elif d["placement"] == "wrapper":
            ok = (w.reached(_n(d["listing_page"]), d["row_idiom"], _n(d["row_listing_page"]))
                  and w.reached(path, d["idiom"], _n(d["listing_page"])))
        elif d["via"]:
            hops = [_n(v["path"]) for v in d["via"]]
            ok = w.reached(hops[0], d["idiom"], _n(d["listing_page"]))
            kind = {"301": "redirect", "302": "redirect", "meta-refresh": "meta_refresh"}[d["via"][-1]["kind"]]
            ok = ok and w.reached(path, kind, hops[-1])
        else:
            ok = w.reached(path, d["idiom"], _n(d["listing_page"]))
        if not ok:
            missing.append((d["id"], d["idiom"], d["path"], d["listing_page"]))
    assert not missing, missing


def test_every_report_is_served_as_the_truth_says(walked):
    net, walks = walked
    charsets = {s["key"]: s["charset"] for s in net.truth["sites"]}
    for d in net.truth["reports"]:
        f = walks[d["site"]].fetched.get(_n(d["path"]))
        assert f is not None and f.status == 200, d["id"]
        if d["format"] == "html":
            assert f.headers["content-type"].startswith("text/html")
            text = f.body.decode(charsets[d["site"]])
            assert d["title"] in text and "政府信息公开" in text
            assert str(d["report_year"]) in text or d["title_style"] == "cn_year"
        else:
            assert hashlib.sha256(f.body).hexdigest() == d["sha256"], d["id"]
            assert "etag" in f.headers and "last-modified" in f.headers


def test_every_page_reached_by_its_idiom(walked):
    net, walks = walked
    missing = []
    for p in net.truth["pages"]:
        r = p["reached"]
        if r["idiom"] == "start":
            continue
        w = walks[p["site"]]
        if not w.reached(_n(p["path"]), r["idiom"], _n(r["from"])):
            missing.append((p["site"], p["path"], r))
        if p["method"] == "POST":
            assert w.posts.get(_n(p["path"])) == p["data"], p
    assert not missing, missing


def test_decoys_are_served_and_are_not_reports(walked):
    net, walks = walked
    reports = {(d["site"], _n(d["path"])) for d in net.truth["reports"]}
    charsets = {s["key"]: s["charset"] for s in net.truth["sites"]}
    for x in net.truth["decoys"]:
        w = walks[x["site"]]
        assert (x["site"], _n(x["path"])) not in reports
        src = _n(x["listing_page"]) if x["listing_page"] else None
        assert w.reached(_n(x["path"]), x["idiom"], src), x
        f = w.fetched[_n(x["path"])]
        assert f.status == 200 and x["title"] in f.body.decode(charsets[x["site"]])


def test_offsite_links_are_there_and_never_fetched(walked):
    net, walks = walked
    for o in net.truth["offsite_links"]:
        w = walks[o["site"]]
        target = f"http://{net.truth['offsite_host']}:{net.port}{o['path']}"
        idiom = {"json_api": "json_api", "sitemap": "sitemap"}.get(o["idiom"], o["idiom"])
        if o["via"]:   # an on-site hop that sends the browser off-site
            assert any(s.startswith(o["via"]) and u == target and i == o["idiom"] for s, u, i in w.offsite), o
        else:
            assert any(u == target and i == idiom for _, u, i in w.offsite), o
    assert not net.offsite_hits()


def test_robots_disallowed_and_dead_links(walked):
    net, walks = walked
    for x in net.truth["disallowed"]:
        w = walks[x["site"]]
        assert w.reached(_n(x["path"])), x               # linked …
        assert _n(x["path"]) not in w.fetched             # … but a polite client never fetches it
    for x in net.truth["expected_failures"]:
        f = walks[x["site"]].fetched.get(_n(x["path"]))
        assert f is not None and f.status == x["status"], x
    assert not [r for r in net.requests if r["path"].startswith("/private/")]


def test_encodings_as_declared(walked):
    net, walks = walked
    for s in net.truth["sites"]:
        f = walks[s["key"]].fetched["/"]
        ctype = f.headers["content-type"]
        assert ("charset=" in ctype) == bool(s["header_charset"]), (s["key"], ctype)
        head = f.body[:600].lower()
        assert (b"charset=" in head) == bool(s["meta_charset"]), s["key"]
        if s["charset"] != "utf-8":
            with pytest.raises(UnicodeDecodeError):
                f.body.decode("utf-8")
        assert s["name"] in decode(f) and s["name"] in f.body.decode(s["charset"])
