"""The scoring the bench and the crawl test share: found after redirects, wrappers neutral,
decoys and hop pages counted against precision, requests per trap template, off-site hits."""
from __future__ import annotations

from crawler.wildweb import network_truth, plan_network
from crawler.wildweb.measure import score

PORT = 40000


def _url(d: dict, path: str | None = None) -> str:
    return f"http://{d['host']}:{PORT}{path or d['path']}"


def test_perfect_crawl_scores_one():
    t = network_truth(plan_network(2))
    caps = []
    for d in t["reports"]:
        if d["via"]:     # reached through a hop: the capture's URL is the hop, its final URL the document
            caps.append({"url": _url(d, d["via"][0]["path"]), "final_url": _url(d), "is_report": True})
        else:
            caps.append({"url": _url(d), "final_url": None, "is_report": True})
    caps += [{"url": _url(w), "final_url": None, "is_report": True} for w in t["wrappers"]]      # neutral
    caps += [{"url": _url(x), "final_url": None, "is_report": False} for x in t["decoys"]]
    sc = score(t, caps, [])
    assert sc["recall"] == 1.0 and sc["precision"] == 1.0 and sc["wrong"] == 0
    assert all(s["recall"] == 1.0 and not s["missed"] for s in sc["sites"])
    assert sum(v["total"] for v in sc["by"]["idiom"].values()) == len(t["reports"])


def test_misses_false_reports_traps_and_offsite():
    t = network_truth(plan_network(2))
    reports = t["reports"]
    keep = reports[1:]                                     # one report missed
    caps = [{"url": _url(d), "final_url": None, "is_report": True} for d in keep]
    decoy = t["decoys"][0]
    caps.append({"url": _url(decoy), "final_url": None, "is_report": True})     # a decoy taken for a report
    trap = next(x for x in t["traps"] if x["kind"] == "search")
    requests = [{"host": trap["host"], "path": f"/search/index.jsp?q=x&page={n}"} for n in range(20)]
    requests.append({"host": t["offsite_host"], "path": "/x.html"})
    requests.append({"host": trap["host"], "path": "/private/ndbg/1.html"})
    sc = score(t, caps, requests)
    assert sc["found"] == len(reports) - 1 and sc["wrong"] == 1
    assert abs(sc["recall"] - (len(reports) - 1) / len(reports)) < 1e-9
    assert abs(sc["precision"] - (len(reports) - 1) / len(reports)) < 1e-9
    site = next(s for s in sc["sites"] if s["site"] == reports[0]["site"])
    assert reports[0]["path"] in site["missed"]
    counted = next(x for x in sc["traps"] if x["site"] == trap["site"] and x["kind"] == "search")
    assert counted["requests"] == 20 and sc["trap_max"] >= 20
    assert sc["offsite_hits"] == 1 and sc["robots_hits"] == 1
