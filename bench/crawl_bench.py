"""Crawl throughput: nianbao (discovery + archive) vs a bare Scrapy spider, same network, same run.

A scaled-up portal network (default 20 sites × ~255 pages on 127.0.0.20–39) is generated in
memory and served by threaded loopback servers in this process. Both crawlers run in their own
subprocess (Twisted's reactor starts once per process) with the same concurrency and no
politeness delay:

- nianbao: ``python -m crawler.runner`` into a fresh SQLite archive (every body stored as a
  blob, every fetch a capture), processing off (extraction is measured by its own bench);
- baseline: a bare Scrapy spider that follows every in-domain link with a LinkExtractor and
  keeps nothing.

Prints pages/s for both, the ratio (target ≥ 0.8) and each process's peak RSS. The two crawlers
alternate ``--repeat`` times (default 3) and each one's best run is compared; every run's figures
are printed too.
Usage: python bench/crawl_bench.py [--sites 20] [--reports 60] [--docs 150] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PER_PAGE = 20


# --- the scaled network ------------------------------------------------------------------

def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_示例市人民政府</title></head>'
            f'<body><div class="nav"><a href="/">首页</a> <a href="/xxgk/index.html">政府信息公开</a></div>'
            f'<div class="main"><h1>{title}</h1>{body}</div>'
            f'<div class="footer">主办：示例市人民政府办公室 网站标识码 4103000001</div></body></html>').encode()


def _listing(title: str, items: list[tuple[str, str]], n_pages: int, page: int) -> bytes:
    lis = "".join(f'<li><a href="{h}">{t}</a><span>2024-01-2{i % 9}</span></li>' for i, (h, t) in enumerate(items))
    nxt = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < n_pages else ""
    js = f'<script>createPageHTML({n_pages}, {page}, "index", "html");</script>'
    return _page(title, f"<ul>{lis}</ul><div class=page>{nxt}{js}</div>")


def _paged(prefix: str, title: str, items: list[tuple[str, str]]) -> dict[str, bytes]:
    n = max(1, -(-len(items) // PER_PAGE))
    out = {}
    for p in range(n):
        name = "index.html" if p == 0 else f"index_{p}.html"
        out[f"{prefix}{name}"] = _listing(title, items[p * PER_PAGE:(p + 1) * PER_PAGE], n, p)
    return out


def build_site(i: int, reports: int, docs: int) -> dict[str, bytes]:
    agency = f"示例{i:02d}县人民政府办公室"
    table = "<table border=1>" + "".join(
        f"<tr><td>第{r}行</td>" + "".join(f"<td>{(r * 7 + c) % 13}</td>" for c in range(7)) + "</tr>"
        for r in range(25)) + "</table>"
    para = "<p>" + "政府信息公开工作坚持以公开为常态、不公开为例外。" * 20 + "</p>"
    pages: dict[str, bytes] = {
        "/": _page(f"示例{i:02d}县人民政府", '<a href="/xxgk/index.html">政府信息公开</a>'),
        "/xxgk/index.html": _page("政府信息公开", '<a href="/xxgk/ndbg/index.html">政府信息公开年报</a> '
                                              '<a href="/xxgk/fdzdgk/index.html">法定主动公开内容</a>'),
        "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
    }
    rep_items = []
    for k in range(reports):
        year = 2008 + k % 17
        path = f"/xxgk/ndbg/{year}/t{year}0130_{i:02d}{k:04d}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告（{k}）"
        att = ""
        if k % 2 == 0:
            pdf = f"/xxgk/ndbg/{year}/P{year}0130{i:02d}{k:04d}.pdf"
            pages[pdf] = b"%PDF-1.4\n" + (f"report {i} {k} ".encode() * 400) + b"\n%%EOF\n"
            att = f'<p>附件：<a href="{pdf}">附件1</a></p>'
        pages[path] = _page(title, para + table + para + att)
        rep_items.append((path, title))
    doc_items = []
    for k in range(docs):
        path = f"/xxgk/fdzdgk/2024/t20240{1 + k % 9}1{k % 9}_{i:02d}{k:04d}.html"
        title = f"关于印发示例{i:02d}县第{k}号规范性文件的通知"
        pages[path] = _page(title, para * 3)
        doc_items.append((path, title))
    pages.update(_paged("/xxgk/ndbg/", "政府信息公开年报", rep_items))
    pages.update(_paged("/xxgk/fdzdgk/", "法定主动公开内容", doc_items))
    return pages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True      # headers and body are separate writes: no 40 ms stalls
    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            body = b"not found"
        else:
            self.send_response(200)
        ctype = "application/pdf" if self.path.endswith(".pdf") else (
            "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256            # the default listen backlog of 5 drops SYNs under load


def serve(sites: list[dict[str, bytes]], port: int) -> tuple[list[ThreadingHTTPServer], list[str]]:
    servers, hosts = [], []
    for i, pages in enumerate(sites):
        host = f"127.0.0.{20 + i}"
        handler = type(f"H{i}", (_Handler,), {"pages": pages})
        srv = _Server((host, port), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        hosts.append(host)
    return servers, hosts


# --- the two crawlers ----------------------------------------------------------------------

COMMON = {"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_DELAY": 0, "REMOTE_CONTROL_ENABLED": False,
          "CONCURRENT_ITEMS": 16,
          "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING",
          "TELNETCONSOLE_ENABLED": False}

BARE = textwrap.dedent('''
    import json, resource, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor

    hosts, port, settings = json.loads(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    LE = LinkExtractor(deny_extensions=[])

    class Bare(scrapy.Spider):
        name = "bare"
        allowed_domains = hosts
        start_urls = [f"http://{h}:{port}/" for h in hosts]

        def parse(self, response):
            if not isinstance(response, scrapy.http.TextResponse):
                return
            for link in LE.extract_links(response):
                yield scrapy.Request(link.url, callback=self.parse)

    p = CrawlerProcess(settings)
    c = p.create_crawler(Bare)
    p.crawl(c)
    p.start()
    st = c.stats.get_stats()
    print(json.dumps({"pages": st.get("response_received_count", 0),
                      "elapsed": st.get("elapsed_time_seconds"),
                      "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
''')

NIANBAO = textwrap.dedent('''
    import json, resource, sys, io, contextlib
    from crawler.runner import main
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(sys.argv[1:])
    res = json.loads(buf.getvalue())
    print(json.dumps({"rc": rc, "result": res, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
''')


def run_nianbao(tmp: Path, hosts: list[str], port: int) -> dict:
    cfg = {
        "archive": {"database": f"sqlite:///{tmp / 'bench.sqlite'}", "blobs": str(tmp / "blobs"), "compress": True},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrent_requests": 32,
                  "concurrent_per_domain": 8, "job_dir": None, "progress": False, "max_pages_per_portal": 100000},
        "portals": [{"name": f"bench-{i:02d}", "start_urls": [f"http://{h}:{port}/"], "allowed_domains": [h]}
                    for i, h in enumerate(hosts)],
    }
    cfg_path = tmp / "config.yaml"
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False))   # JSON is YAML
    args = ["--config", str(cfg_path), "--no-process", "--json"] + [
        f"--set={k}={json.dumps(v)}" for k, v in COMMON.items() if k not in ("DOWNLOAD_DELAY",)]
    t0 = time.perf_counter()
    out = subprocess.run([PY, "-c", NIANBAO, *args], cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 1) or not out.stdout.strip():
        raise SystemExit(f"nianbao crawl failed:\n{out.stderr[-3000:]}")
    d = json.loads(out.stdout.strip().splitlines()[-1])
    r = d["result"]
    return {"pages": r["totals"]["captures"], "elapsed": r.get("crawl_s") or r["elapsed_s"], "wall": wall, "rss_kb": d["rss_kb"],
            "reports": r["totals"]["reports"], "errors": r["totals"]["errors"], "status": r["status"]}


def run_bare(tmp: Path, hosts: list[str], port: int) -> dict:
    script = tmp / "bare_spider.py"        # a file: Scrapy inspects callbacks' source
    script.write_text(BARE, encoding="utf-8")
    t0 = time.perf_counter()
    out = subprocess.run([PY, str(script), json.dumps(hosts), str(port), json.dumps(COMMON)], cwd=REPO,
                         capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"bare crawl failed:\n{out.stderr[-3000:]}")
    d = json.loads(out.stdout.strip().splitlines()[-1])
    d["wall"] = wall
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--reports", type=int, default=60)
    ap.add_argument("--docs", type=int, default=150)
    ap.add_argument("--port", type=int, default=18799)
    ap.add_argument("--repeat", type=int, default=3,
                    help="alternate the two crawlers N times and keep each one's best run (a shared VM is noisy: "
                         "the same crawl varies by ±20%% from run to run)")
    a = ap.parse_args()
    sites = [build_site(i, a.reports, a.docs) for i in range(a.sites)]
    n_pages = sum(len(s) - 1 for s in sites)          # minus robots.txt
    servers, hosts = serve(sites, a.port)
    print(f"network: {a.sites} sites, {n_pages} pages (+ robots.txt) on 127.0.0.20-{19 + a.sites}:{a.port}")
    nbs, bares = [], []
    try:
        for _ in range(max(1, a.repeat)):
            with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
                nbs.append(run_nianbao(Path(tmp), hosts, a.port))
                bares.append(run_bare(Path(tmp), hosts, a.port))
    finally:
        for s in servers:
            s.shutdown()
    for i, (n, b) in enumerate(zip(nbs, bares), 1):
        print(f"  run {i}: nianbao {n['pages'] / n['elapsed']:7.1f} pages/s, baseline {b['pages'] / b['elapsed']:7.1f} pages/s, "
              f"ratio {(n['pages'] / n['elapsed']) / (b['pages'] / b['elapsed']):.2f}")
    nb = max(nbs, key=lambda r: r["pages"] / r["elapsed"])
    bare = max(bares, key=lambda r: r["pages"] / r["elapsed"])
    nb_rate = nb["pages"] / nb["elapsed"]
    bare_rate = bare["pages"] / bare["elapsed"]
    if a.repeat > 1:
        print(f"best of {a.repeat} alternating runs each")
    print(f"nianbao : {nb['pages']:6d} captures in {nb['elapsed']:.1f}s = {nb_rate:7.1f} pages/s "
          f"(reports {nb['reports']}, errors {nb['errors']}, run {nb['status']}), peak RSS {nb['rss_kb'] / 1024:.0f} MiB")
    print(f"baseline: {bare['pages']:6d} responses in {bare['elapsed']:.1f}s = {bare_rate:7.1f} pages/s "
          f"(bare Scrapy, no archive), peak RSS {bare['rss_kb'] / 1024:.0f} MiB")
    ratio = nb_rate / bare_rate
    print(f"ratio nianbao/baseline: {ratio:.2f} (target >= 0.8) {'OK' if ratio >= 0.8 else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
