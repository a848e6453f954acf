"""The loopback server: encodings, validators and 304s, the 412 wall, robots.txt, redirects,
oversize streaming, the request log, list idioms and modify/delete for re-crawl tests."""
from __future__ import annotations

import html as htmllib
import http.client
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.config import PortalConfig
from crawler.sampleweb import SampleNetwork
from crawler.sampleweb.server import norm_path

pytestmark = pytest.mark.network


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(url: str, headers: dict | None = None, data: bytes | None = None):
    req = urllib.request.Request(url, headers={"User-Agent": "sampleweb-test", **(headers or {})}, data=data)
    try:
        with OPENER.open(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def net():
    with SampleNetwork(port=0) as n:
        yield n


def doc(net, **kw) -> dict:
    return next(d for d in net.truth["reports"] if all(d[k] == v for k, v in kw.items()))


def test_portals_are_valid_configs_on_one_port(net):
    hosts = set()
    for p in net.portals:
        cfg = PortalConfig(**p)
        u = urlsplit(cfg.start_urls[0])
        assert u.port == net.port
        hosts.add(u.hostname)
        assert cfg.allowed_domains == [u.hostname]
    assert len(hosts) == len(net.portals) >= 4
    assert "127.0.0.99" not in hosts


def test_encodings(net):
    d = doc(net, site="luoning", format="html", group="seed000")
    s, h, b = get(net.url("luoning", d["path"]))
    assert s == 200 and "charset" not in h["Content-Type"]
    assert b'charset=gb2312' in b
    with pytest.raises(UnicodeDecodeError):
        b.decode("utf-8")
    assert "洛宁县人民政府办公室" in b.decode("gb18030")
    d = doc(net, site="luolong", format="html", group="seed004")
    s, h, b = get(net.url("luolong", d["path"]))
    assert s == 200 and "charset" not in h["Content-Type"] and b"charset" not in b
    assert "洛龙区" in b.decode("utf-8")
    s, h, b = get(net.url("city", "/"))
    assert "charset=UTF-8" in h["Content-Type"]


def test_validators_and_304(net):
    d = doc(net, site="city", format="pdf", group="seed001")
    url = net.url("city", d["path"])
    s, h, b = get(url)
    assert s == 200 and h["ETag"] and h["Last-Modified"] and b.startswith(b"%PDF")
    assert get(url, {"If-None-Match": h["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": h["Last-Modified"]})[0] == 304
    assert get(url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert get(url, {"If-None-Match": '"other"'})[0] == 200
    s, h, _ = get(net.url("city", "/xxgk/ndbg/index.html"))
    assert get(net.url("city", "/xxgk/ndbg/index.html"), {"If-None-Match": h["ETag"]})[0] == 304


def test_anti_bot_wall_412(net):
    f = next(f for f in net.truth["expected_failures"] if f["status"] == 412)
    s, h, b = get(net.url(f["site"], f["path"]))
    assert s == 412 and b"<script>" in b and "document[" in b.decode() and "Set-Cookie" in h
    # a cookie jar alone does not pass (the clearance cookie is computed by the script)
    s2, _, _ = get(net.url(f["site"], f["path"]), {"Cookie": h["Set-Cookie"].split(";")[0]})
    assert s2 == 412


def test_robots_and_404(net):
    s, _, b = get(net.url("city", "/robots.txt"))
    assert s == 200 and b"Disallow: /private/" in b
    f = next(f for f in net.truth["expected_failures"] if "robots" in f["reason"])
    assert f["path"].startswith("/private/")
    for f in (x for x in net.truth["expected_failures"] if x["status"] == 404):
        assert get(net.url(f["site"], f["path"]))[0] == 404
    assert get(net.url("zsj", "/no/such/page.html"))[0] == 404


def test_redirects_lead_to_reports(net):
    seen = set()
    for d in net.truth["reports"]:
        for v in d["via"]:
            s, h, b = get(net.url(d["site"], v["path"]))
            if v["kind"] in ("301", "302"):
                assert s == int(v["kind"]) and h["Location"] == d["path"]
            else:
                assert s == 200
                m = re.search(rb'http-equiv="refresh" content="0;url=([^"]+)"', b)
                assert m and m.group(1).decode() == d["path"]
            seen.add(v["kind"])
            assert get(net.url(d["site"], d["path"]))[0] == 200
    assert seen == {"301", "302", "meta-refresh"}


def test_oversize_is_streamed_lazily(net):
    f = next(f for f in net.truth["expected_failures"] if f["reason"] == "oversize")
    c = http.client.HTTPConnection("127.0.0.11", net.port, timeout=10)
    c.request("GET", f["path"])
    r = c.getresponse()
    assert r.status == 200 and int(r.getheader("Content-Length")) == f["content_length"] > f["limit"]
    assert r.read(1 << 20)[:5] == b"%PDF-"
    c.close()   # drop mid-body, as a size-limited client does
    assert get(net.url("city", "/"))[0] == 200


def test_request_log_and_offsite_host(net):
    get(f"http://127.0.0.99:{net.port}/ndbg/summary2023.html")
    hits = net.offsite_hits()
    assert hits and hits[-1]["path"] == "/ndbg/summary2023.html" and hits[-1]["status"] == 200
    log = net.requests
    assert all({"host", "path", "status", "headers"} <= set(r) for r in log)
    assert any(r["headers"].get("user-agent") == "sampleweb-test" for r in log)


def _links(html: str, base: str) -> list[str]:
    return [urljoin(base, htmllib.unescape(h)) for h in re.findall(r'href="([^"]+)"', html)]


def discover(net, site: dict) -> set[str]:
    """A minimal idiom-aware discovery over the listings: proves every report is reachable."""
    found: set[str] = set()
    base = net.base_url(site["key"])
    enc = "gb18030" if site["charset"] == "gbk" else "utf-8"
    pages = [lp for lp in net.truth["listing_pages"] if lp["site"] == site["key"]]
    hrefs: list[str] = []
    for lp in pages:
        s, h, b = get(base + lp["path"])
        assert s == 200, lp
        text = b.decode(enc)
        if lp["kind"] == "json-api":
            hrefs += [urljoin(base, x["url"]) for x in json.loads(text)["data"]]
        else:
            hrefs += _links(text, base + lp["path"])
    for u in hrefs:
        sp = urlsplit(u)
        if sp.hostname != site["host"]:
            continue
        path = sp.path + ("?" + sp.query if sp.query else "")
        for _ in range(3):
            s, h, b = get(base + path)
            if s in (301, 302):
                path = h["Location"]
                continue
            m = re.search(rb'http-equiv="refresh" content="0;url=([^"]+)"', b) if s == 200 else None
            if m:
                path = m.group(1).decode()
                continue
            break
        if s == 200:
            found.add(norm_path(path))
            if "text/html" in (h.get("Content-Type") or "") and "年度报告" in b.decode(enc, "replace"):
                for a in _links(b.decode(enc, "replace"), base + path):
                    if a.endswith(".pdf") and urlsplit(a).hostname == site["host"]:
                        found.add(norm_path(urlsplit(a).path))
    return found


def test_every_report_reachable_through_its_listing_idiom(net):
    for site in net.truth["sites"]:
        want = {norm_path(d["path"]) for d in net.truth["reports"] if d["site"] == site["key"]}
        assert want and want <= discover(net, site), site["key"]


def test_list_idioms(net):
    s, _, b = get(net.url("city", "/xxgk/ndbg/index.html"))
    m = re.search(rb'createPageHTML\((\d+), 0, "index", "html"\)', b)
    assert m and int(m.group(1)) >= 2
    assert get(net.url("city", f"/xxgk/ndbg/index_{int(m.group(1)) - 1}.html"))[0] == 200
    assert get(net.url("city", f"/xxgk/ndbg/index_{int(m.group(1))}.html"))[0] == 404
    s, h, b = get(net.url("luoning", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=5&perpage=5"))
    x = b.decode("gbk")
    assert "<totalrecord>" in x and "<totalpage>2</totalpage>" in x and x.count("<record><![CDATA[<li><a href=") == 5
    s2, _, b2 = get(net.url("luoning", "/module/web/jpage/dataproxy.jsp"),
                    data=b"startrecord=1&endrecord=5&perpage=5&columnid=1024&unitid=4561")
    assert s2 == 200 and b2 == b
    j = json.loads(get(net.url("luolong", "/api/list?channel=ndbg&page=1"))[2])
    assert j["pages"] >= 2 and {"title", "url", "date"} <= set(j["data"][0])


def test_calendar_is_infinite(net):
    s, _, b = get(net.url("city", "/calendar?month=202412"))
    assert s == 200 and b"/calendar?month=202501" in b
    s, _, b = get(net.url("city", "/calendar?month=209912"))
    assert b"/calendar?month=210001" in b


def test_modify_and_delete():
    with SampleNetwork(port=0) as net:
        html_doc = doc(net, site="city", format="html", group="ly-gov-2021")
        bin_doc = doc(net, site="zsj", format="xls")
        gone = doc(net, site="luolong", group="ll-zjj-2022")
        u1, u2, u3 = (net.url(d["site"], d["path"]) for d in (html_doc, bin_doc, gone))
        s, h1, b1 = get(u1)
        _, h2, b2 = get(u2)
        ch = net.modify(html_doc["path"])
        net.modify(u2)
        s, h1b, b1b = get(u1, {"If-None-Match": h1["ETag"]})
        assert s == 200 and h1b["ETag"] != h1["ETag"] and b1b != b1
        assert ch["cells"] and "本报告于2024年5月更正" in b1b.decode()
        assert get(u1)[2] == b1b                     # stable until the next change
        s, h2b, b2b = get(u2, {"If-None-Match": h2["ETag"]})
        assert s == 200 and b2b.startswith(b2) and len(b2b) > len(b2)
        assert get(u1, {"If-None-Match": h1b["ETag"]})[0] == 304
        net.delete(gone["path"])
        assert get(u3)[0] == 404
        api = b"".join(get(net.url("luolong", f"/api/list?channel=ndbg&page={p}"))[2] for p in (1, 2))
        assert gone["path"].encode() not in api
        assert u3 not in net.report_urls()
        # an untouched document keeps its validators
        other = doc(net, site="city", format="html", group="ly-gov-2023")
        _, h, _ = get(net.url("city", other["path"]))
        assert get(net.url("city", other["path"]), {"If-None-Match": h["ETag"]})[0] == 304


def test_scaled_network():
    with SampleNetwork(port=0, scale=20, pages_per_site=260) as net:
        urls = net.scaled.url_list(net.port)
        assert len(urls) >= 5000 and len({urlsplit(u).hostname for u in urls}) >= 20
        for p in net.portals:
            PortalConfig(**p)
        for u in urls[::250]:
            assert get(u)[0] == 200
        s, _, b = get(net.portals[3]["start_urls"][0] + "list/index.html")
        assert s == 200 and "下一页" in b.decode()
        assert len(net.truth["reports"]) >= 400
