"""ConditionalGetMiddleware against a real archive: validators out, 304 in → stored body back."""
from __future__ import annotations

import sys
from pathlib import Path

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response

from crawler.middlewares.conditional import META_NOT_MODIFIED, ConditionalGetMiddleware
from storage import Archive

sys.path.insert(0, str(Path(__file__).parent))
from helpers import BASE, INDEX, REPORT_V1, headers  # noqa: E402


class _Spider(Spider):
    name = "t"
    handle_httpstatus_list = [404]


def _mw(archive):
    return ConditionalGetMiddleware(archive), _Spider()


def test_conditional_request_and_304_restores_body(sqlite_url, tmp_path):
    a = Archive(sqlite_url, tmp_path / "blobs")
    run = a.start_run(["demo"])
    a.record_capture(run_id=run, url=BASE, status=200, body=INDEX, headers=headers(INDEX, "i1"), portal="demo")
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01 binary"
    a.record_capture(run_id=run, url=BASE + "r.pdf", status=200, body=pdf,
                     headers={"Content-Type": "application/pdf", "Last-Modified": "Tue, 15 Apr 2025 03:00:00 GMT"},
                     portal="demo")
    mw, spider = _mw(a)

    # unknown URL: untouched
    req = Request(BASE + "new.html")
    assert mw.process_request(req, spider) is None
    assert b"If-None-Match" not in req.headers and "handle_httpstatus_list" not in req.meta

    # known URL: both validators, and 304 allowed through alongside the spider's own codes
    req = Request(BASE)
    mw.process_request(req, spider)
    assert req.headers[b"If-None-Match"] == b'"i1"'
    assert req.headers[b"If-Modified-Since"] == b"Tue, 15 Apr 2025 03:00:00 GMT"
    assert req.meta["handle_httpstatus_list"] == [404, 304]

    resp = mw.process_response(req, Response(BASE, status=304, headers={"ETag": '"i1"'}, request=req), spider)
    assert resp.status == 304 and "not_modified" in resp.flags
    assert isinstance(resp, HtmlResponse) and resp.body == INDEX
    assert resp.css("a::attr(href)").getall() == ["/r1.html", "/r2.html"]
    assert req.meta[META_NOT_MODIFIED]["restored"] is True

    # the 304 recorded through the archive API is a not_modified capture with no new blob
    r = a.record_capture(run_id=run, url=BASE, status=304, body=resp.body, headers={"ETag": '"i1"'}, portal="demo")
    assert r.kind == "not_modified" and not r.new_blob

    # only Last-Modified known (PDF): If-Modified-Since only; restored as a binary response
    req = Request(BASE + "r.pdf")
    mw.process_request(req, spider)
    assert b"If-None-Match" not in req.headers and b"If-Modified-Since" in req.headers
    resp = mw.process_response(req, Response(BASE + "r.pdf", status=304, request=req), spider)
    assert type(resp) is Response and resp.body == pdf

    # a 200 passes through untouched; opt-out per request
    req = Request(BASE)
    mw.process_request(req, spider)
    ok = HtmlResponse(BASE, status=200, body=INDEX, request=req)
    assert mw.process_response(req, ok, spider) is ok
    req = Request(BASE, meta={"nianbao_conditional": False})
    mw.process_request(req, spider)
    assert b"If-None-Match" not in req.headers
    a.close()


class _PortalSpider(Spider):
    """What the middleware reads from the real PortalSpider: the portals of the run."""

    name = "p"
    handle_httpstatus_list = [404]
    portal_states = {"demo": None}


def _count_queries(archive) -> list[str]:
    import sqlalchemy as sa

    seen: list[str] = []
    sa.event.listen(archive.engine, "before_cursor_execute", lambda *a, **k: seen.append(a[2]))
    return seen


def _fill(a: Archive) -> bytes:
    run = a.start_run(["demo", "other"])
    a.record_capture(run_id=run, url=BASE, status=200, body=INDEX, headers=headers(INDEX, "i1"), portal="demo")
    a.record_capture(run_id=run, url=BASE + "r1.html", status=200, body=REPORT_V1, headers=headers(REPORT_V1, "r1"),
                     portal="demo")
    a.record_capture(run_id=run, url="http://127.0.0.3/", status=200, body=REPORT_V1,
                     headers=headers(REPORT_V1, "x"), portal="other")
    return REPORT_V1


def test_validators_preloaded_once_per_run(sqlite_url, tmp_path):
    """A re-crawl's conditional GETs and 304s cost no query per request once the index is read."""
    a = Archive(sqlite_url, tmp_path / "blobs")
    body = _fill(a)
    mw, spider = ConditionalGetMiddleware(a), _PortalSpider()
    queries = _count_queries(a)

    first = Request(BASE)
    mw.process_request(first, spider)
    assert mw.index is not None and set(mw.index) == {BASE, BASE + "r1.html"}  # only this run's portal
    n = len(queries)
    assert n >= 1
    req = Request(BASE + "r1.html")
    mw.process_request(req, spider)
    assert req.headers[b"If-None-Match"] == b'"r1"' and req.meta["handle_httpstatus_list"] == [404, 304]
    resp = mw.process_response(req, Response(req.url, status=304, request=req), spider)
    assert isinstance(resp, HtmlResponse) and resp.body == body
    unknown = Request(BASE + "new.html")
    mw.process_request(unknown, spider)
    assert b"If-None-Match" not in unknown.headers
    assert len(queries) == n, queries[n:]  # lookups from memory; reading the body is a file read
    assert first.headers[b"If-None-Match"] == b'"i1"'
    a.close()


def test_validators_per_url_past_the_preload_limit(sqlite_url, tmp_path):
    a = Archive(sqlite_url, tmp_path / "blobs")
    _fill(a)
    mw, spider = ConditionalGetMiddleware(a, preload_max=1), _PortalSpider()
    req = Request(BASE + "r1.html")
    mw.process_request(req, spider)
    assert mw.index is None                      # two documents > 1: not held in memory
    assert req.headers[b"If-None-Match"] == b'"r1"'
    resp = mw.process_response(req, Response(req.url, status=304, request=req), spider)
    assert resp.body == REPORT_V1
    a.close()
