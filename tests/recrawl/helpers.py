"""Archives filled through the real Archive API (record_capture), for the re-crawl tests."""
from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

T0 = dt.datetime(2025, 4, 15, 3, 0, tzinfo=dt.timezone.utc)


def html(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>").encode("utf-8")


def headers(body: bytes | None, etag: str | None = None, ctype: str = "text/html; charset=utf-8",
            when: dt.datetime = T0) -> dict[str, str]:
    h = {"Content-Type": ctype, "Last-Modified": format_datetime(when, usegmt=True), "Server": "sample"}
    if etag:
        h["ETag"] = f'"{etag}"'
    if body is not None:
        h["Content-Length"] = str(len(body))
        h["Content-Encoding"] = "gzip"  # what the wire had; the archive keeps decoded bodies
    return h


REPORT_V1 = html("某某县2024年政府信息公开工作年度报告", "<p>一、总体情况</p><p>本年度主动公开信息1200条。</p>")
REPORT_V2 = html("某某县2024年政府信息公开工作年度报告", "<p>一、总体情况</p><p>本年度主动公开信息1250条。</p>")
OTHER = html("某某局2024年政府信息公开工作年度报告", "<p>收到申请 30 件。</p>")
INDEX = html("政府信息公开", "<a href='/r1.html'>年报</a><a href='/r2.html'>年报</a>")

BASE = "http://127.0.0.2/"


def fill_two_runs(archive) -> dict:
    """Run 1: three fresh pages; run 2: 304, identical revisit, new version, 404, network error."""
    r1 = archive.start_run(["demo"])
    c = {}
    c["index1"] = archive.record_capture(run_id=r1, url=BASE, status=200, body=INDEX, headers=headers(INDEX, "i1"),
                                         fetched_at=T0, portal="demo")
    c["r1_1"] = archive.record_capture(run_id=r1, url=BASE + "r1.html", status=200, body=REPORT_V1,
                                       headers=headers(REPORT_V1, "a1"), fetched_at=T0 + dt.timedelta(seconds=1),
                                       portal="demo", is_report=True)
    c["r2_1"] = archive.record_capture(run_id=r1, url=BASE + "r2.html", status=200, body=OTHER,
                                       headers=headers(OTHER), fetched_at=T0 + dt.timedelta(seconds=2),
                                       portal="demo", is_report=True)
    archive.finish_run(r1, "finished")
    t1 = T0 + dt.timedelta(days=365)
    r2 = archive.start_run(["demo"])
    c["index2"] = archive.record_capture(run_id=r2, url=BASE, status=304, body=None,
                                         headers={"ETag": '"i1"', "Server": "sample"}, fetched_at=t1, portal="demo")
    c["r1_2"] = archive.record_capture(run_id=r2, url=BASE + "r1.html", status=200, body=REPORT_V2,
                                       headers=headers(REPORT_V2, "a2", when=t1),
                                       fetched_at=t1 + dt.timedelta(seconds=1), portal="demo", is_report=True)
    c["r2_2"] = archive.record_capture(run_id=r2, url=BASE + "r2.html", status=200, body=OTHER,
                                       headers=headers(OTHER), fetched_at=t1 + dt.timedelta(seconds=2),
                                       portal="demo", is_report=True)
    c["missing"] = archive.record_capture(run_id=r2, url=BASE + "gone.pdf", status=404, body=b"not here",
                                          headers={"Content-Type": "text/plain"},
                                          fetched_at=t1 + dt.timedelta(seconds=3), portal="demo")
    c["neterr"] = archive.record_capture(run_id=r2, url=BASE + "timeout.pdf", status=None, error="timeout",
                                         fetched_at=t1 + dt.timedelta(seconds=4), portal="demo")
    archive.finish_run(r2, "finished")
    return {"runs": (r1, r2), "captures": c}
