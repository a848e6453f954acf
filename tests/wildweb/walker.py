"""A small idiom-aware reference walker of the wild network (a test tool, not the spider).

It walks one site from its home page the way a browser-equipped user would, and labels every
link it finds with the idiom that carried it, using the network's own vocabulary (href,
data_attr, onclick, js_href, option, area, iframe, embed, pdf_viewer, meta_refresh, redirect,
script_literal, json_api, xml_proxy, create_page_html, script_counter, form_get, sitemap).
It obeys robots.txt and skips the truth's trap templates (their infinity is tested apart), so
its edges show that every URL the truth names is reachable the way the truth says.
"""
from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.sampleweb.server import norm_path

_LITERAL = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1""")
_PATHLIKE = re.compile(r"^(?:https?://[^/\s]+)?(?:/|\./|\.\./)[^\s<>'\"]*$|^[\w./-]+\.(?:s?html?|jsp|aspx?|pdf|docx?|wps|xlsx?)(?:\?[^\s<>'\"]*)?$")
_JS_URL = re.compile(r"""(?:window\.open|location\.assign|openArt|goto)\s*\(\s*(['"])(.*?)\1|location(?:\.href)?\s*=\s*(['"])(.*?)\3""")
_DATA_ATTRS = ("data-url", "data-href", "data-link", "data-src")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w-]+)""", re.I)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Fetch:
    status: int
    headers: dict
    body: bytes


@dataclass
class Walk:
    edges: set = field(default_factory=set)          # (src key, dst key, idiom)
    offsite: set = field(default_factory=set)        # (src key, absolute URL, idiom)
    fetched: dict = field(default_factory=dict)      # key -> Fetch
    titles: dict = field(default_factory=dict)       # key -> <title>
    posts: dict = field(default_factory=dict)        # key -> POST data

    def reached(self, dst: str, idiom: str | None = None, src: str | None = None) -> bool:
        return any(d == dst and (idiom is None or i == idiom) and (src is None or s == src) for s, d, i in self.edges)


def key(url: str) -> str:
    u = urlsplit(url)
    return norm_path(u.path + ("?" + u.query if u.query else ""))


def fetch(url: str, data: dict | None = None) -> Fetch:
    url = quote(url, safe=":/?&=%;#+,@!$'()*[]~")      # as a browser sends a non-ASCII URL
    body = urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"User-Agent": "wildweb-walker"})
    try:
        with _OPENER.open(req, timeout=10) as r:
            return Fetch(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as exc:
        return Fetch(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


def decode(f: Fetch) -> str:
    m = _CHARSET.search(f.headers.get("content-type", "").encode()) or _CHARSET.search(f.body[:2048])
    for cs in ([m.group(1).decode()] if m else []) + ["utf-8", "gb18030"]:
        try:
            return f.body.decode("gb18030" if cs.lower() in ("gbk", "gb2312") else cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return f.body.decode("utf-8", "replace")


def strings(o) -> list[str]:
    """Every string value inside a parsed JSON document."""
    if isinstance(o, dict):
        return [s for v in o.values() for s in strings(v)]
    if isinstance(o, list):
        return [s for v in o for s in strings(v)]
    return [o] if isinstance(o, str) else []


def js_urls(code: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _JS_URL.finditer(code or "")]


class Walker:
    def __init__(self, base: str, offsite_host: str, trap_patterns: list[str], max_fetches: int = 2000):
        self.base = base.rstrip("/")
        self.host = urlsplit(base).hostname
        self.offsite_host = offsite_host
        self.traps = [re.compile(p) for p in trap_patterns]
        self.max = max_fetches
        self.robots = urllib.robotparser.RobotFileParser()
        self.walk = Walk()
        self.queue: deque = deque()
        self.seen: set = set()

    # -- frontier ------------------------------------------------------------------------
    def link(self, src: str, url: str, idiom: str, data: dict | None = None) -> None:
        url = url.strip()
        if not url or url.startswith(("javascript:", "#", "mailto:")):
            return
        u = urlsplit(url)
        if u.scheme not in ("http", "https", ""):
            return
        if u.hostname and u.hostname != self.host:
            if u.hostname == self.offsite_host:
                self.walk.offsite.add((src, url, idiom))
            return
        k = key(url)
        self.walk.edges.add((src, k, idiom))
        if data is not None:
            self.walk.posts[k] = data
        if k in self.seen or any(t.match(k) for t in self.traps) or not self.robots.can_fetch("*", self.base + k):
            return
        self.seen.add(k)
        self.queue.append((k, data))

    def run(self) -> Walk:
        rb = fetch(self.base + "/robots.txt")
        lines = rb.body.decode("utf-8", "replace").splitlines()
        self.robots.parse(lines)
        for ln in lines:
            if ln.lower().startswith("sitemap:"):
                self.link("robots", ln.split(":", 1)[1].strip(), "sitemap")
        self.link("start", "/", "start")
        self.link("convention", "/sitemap.xml", "sitemap")
        n = 0
        while self.queue and n < self.max:
            k, data = self.queue.popleft()
            f = fetch(self.base + k, data)
            n += 1
            self.walk.fetched[k] = f
            if f.status in (301, 302, 303, 307, 308) and f.headers.get("location"):
                self.link(k, urljoin(self.base + k, f.headers["location"]), "redirect")
                continue
            if f.status != 200:
                continue
            ctype = f.headers.get("content-type", "")
            body = f.body
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            if b"<urlset" in body[:400] or b"<sitemapindex" in body[:400]:
                self.sitemap(k, body)
            elif "json" in ctype:
                self.json(k, body)
            elif "xml" in ctype:
                self.xml_records(k, body.decode("gb18030", "replace"))
            elif "html" in ctype:
                self.html(k, decode(f))
        return self.walk

    # -- extractors ------------------------------------------------------------------------
    def sitemap(self, k: str, body: bytes) -> None:
        root = etree.fromstring(body)
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            self.link(k, loc.text, "sitemap")

    def json(self, k: str, body: bytes) -> None:
        for s in strings(json.loads(body)):
            if _PATHLIKE.match(s) and (s.startswith(("/", "http"))):
                self.link(k, urljoin(self.base + k, s), "json_api")

    def xml_records(self, k: str, text: str) -> None:
        for cdata in re.findall(r"<!\[CDATA\[(.*?)\]\]>", text, re.S):
            if "<a" in cdata:
                frag = lxml.html.fromstring(f"<div>{cdata}</div>")
                for a in frag.iter("a"):
                    self.link(k, urljoin(self.base + k, a.get("href", "")), "xml_proxy")

    def html(self, k: str, text: str) -> None:
        page = self.base + k
        try:
            doc = lxml.html.fromstring(text)
        except (etree.ParserError, ValueError):
            return
        t = doc.find(".//title")
        self.walk.titles[k] = (t.text or "") if t is not None else ""
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            href = el.get("href")
            if tag == "a" and href is not None:
                if href.strip().lower().startswith("javascript:"):
                    for u in js_urls(unquote(href)):
                        self.link(k, urljoin(page, u), "js_href")
                else:
                    self.link(k, urljoin(page, href), "href")
            if tag == "area" and href:
                self.link(k, urljoin(page, href), "area")
            for ev in ("onclick", "onmouseup"):
                for u in js_urls(el.get(ev)):
                    self.link(k, urljoin(page, u), "onclick")
            for attr in _DATA_ATTRS:
                if el.get(attr):
                    self.link(k, urljoin(page, el.get(attr)), "data_attr")
            if tag == "select" and el.get("onchange"):
                for opt in el.iter("option"):
                    if opt.get("value"):
                        self.link(k, urljoin(page, opt.get("value")), "option")
            if tag in ("iframe", "frame") and el.get("src"):
                src = urljoin(page, el.get("src"))
                self.link(k, src, "iframe")
                q = dict(parse_qsl(urlsplit(src).query))
                if "viewer.html" in src and q.get("file"):
                    self.link(k, urljoin(page, q["file"]), "pdf_viewer")
            if tag == "embed" and el.get("src"):
                self.link(k, urljoin(page, el.get("src")), "embed")
            if tag == "object" and el.get("data"):
                self.link(k, urljoin(page, el.get("data")), "embed")
            if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
                m = re.search(r"url\s*=\s*(.+)$", el.get("content") or "", re.I)
                if m:
                    self.link(k, urljoin(page, m.group(1).strip("'\" ")), "meta_refresh")
            if tag == "form" and (el.get("method") or "get").lower() == "get":
                self.form(k, page, el)
            if tag == "script" and el.text:
                self.script(k, page, el.text, el.get("type") or "")

    def form(self, k: str, page: str, form) -> None:
        m = re.search(r"共(\d+)页", form.text_content())
        if not m:
            return
        hidden = {i.get("name"): i.get("value", "") for i in form.iter("input") if i.get("type") == "hidden"}
        text = [i.get("name") for i in form.iter("input") if (i.get("type") or "text") == "text"]
        if not text:
            return
        action = urljoin(page, form.get("action") or page)
        for n in range(1, int(m.group(1)) + 1):
            self.link(k, action.split("?")[0] + "?" + urlencode({**hidden, text[0]: n}), "form_get")

    def script(self, k: str, page: str, code: str, typ: str) -> None:
        if "xml" in typ:
            self.xml_records(k, code)
            return
        if "json" in typ:
            self.json_literal(k, page, code)
            return
        m = re.search(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)', code)
        if m:
            total, name, ext = int(m.group(1)), m.group(3), m.group(4)
            for i in range(total):
                self.link(k, urljoin(page, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}"), "create_page_html")
            return
        m = re.search(r"countPage\s*=\s*(\d+)", code)
        if m:
            total = int(m.group(1))
            first = re.search(r'href=\\"([^"\\]+)\\"', code)
            step = re.search(r'href=\\"([\w./-]+)"\+\((?:nextPage|prevPage)\+(\d+)\)\+"([\w.]+)\\"', code)
            if first:
                self.link(k, urljoin(page, first.group(1)), "script_counter")
            if step:
                prefix, off, ext = step.group(1), int(step.group(2)), step.group(3)
                for i in range(1, total):
                    self.link(k, urljoin(page, f"{prefix}{i + off}{ext}"), "script_counter")
            return
        if "jpage(" in code:
            self.hanweb(k, code)
            return
        if re.search(r"fetch\(|\$\.ajax\(|\$\.getJSON\(", code):
            self.api(k, page, code)
            return
        for m in _LITERAL.finditer(code):
            s = m.group(2).replace("\\/", "/").replace("\\'", "'")
            if _PATHLIKE.match(s) and not s.endswith(".js"):
                self.link(k, urljoin(page, s), "script_literal")

    def json_literal(self, k: str, page: str, code: str) -> None:
        for s in strings(json.loads(code)):
            if _PATHLIKE.match(s):
                self.link(k, urljoin(page, s), "script_literal")

    def hanweb(self, k: str, code: str) -> None:
        per = int(re.search(r"perPage:(\d+)", code).group(1))
        total = int(re.search(r"totalRecord:(\d+)", code).group(1))
        proxy = re.search(r'proxyUrl:"([^"]+)"', code).group(1)
        params = dict(re.findall(r'(\w+):"?([^,"}]*)"?', re.search(r"ajaxParam:\{(.*?)\}", code).group(1)))
        for start in range(per + 1, total + 1, per):
            end = min(total, start + per - 1)
            url = f"{proxy}?startrecord={start}&endrecord={end}&perpage={per}"
            self.link(k, url, "xml_proxy", data=params)

    def api(self, k: str, page: str, code: str) -> None:
        m = re.search(r'fetch\("([^"]*)"\+page\+"([^"]*)"\)', code)
        if m:
            make = lambda n: m.group(1) + str(n) + m.group(2)  # noqa: E731
        else:
            m = re.search(r'(?:url:|getJSON\()"([^"]+)".*?(?:data:)?\{([^{}]*\bpage\b[^{}]*)\}', code, re.S)
            if not m:
                return
            api, pairs = m.group(1), dict(re.findall(r'(\w+):"?([^,"}]*)"?', m.group(2)))
            pp = next(p for p, v in pairs.items() if v == "page")

            def make(n: int) -> str:
                return api + "?" + urlencode({**{p: v for p, v in pairs.items() if p != pp}, pp: n})
        for n in range(1, 60):
            url = urljoin(page, make(n))
            f = fetch(url)
            self.walk.edges.add((k, key(url), "json_api"))
            before = len(self.walk.edges)
            self.json(key(url), f.body)
            self.walk.fetched[key(url)] = f
            if len(self.walk.edges) == before:
                break


def walk_site(base: str, truth: dict, site_key: str) -> Walk:
    patterns = [t["pattern"] for t in truth["traps"] if t["site"] == site_key]
    return Walker(base, truth["offsite_host"], patterns).run()
