"""robots.txt and XML sitemaps: urlset, sitemap index, gzip sitemaps.

Modes (``MODES``): no sitemap; ``Sitemap:`` in robots.txt naming a urlset, a sitemap index
(whose second part is gzipped) or a gzip urlset; or a ``/sitemap.xml`` that robots.txt does
not mention (found only by convention). Gzip bodies are written with mtime 0 so the bytes
(and their ETag) do not change between runs.
"""
from __future__ import annotations

import gzip
import html
import logging

logger = logging.getLogger(__name__)

e = html.escape

MODES = ("none", "robots_urlset", "robots_index", "robots_gzip", "conventional")
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(entries: list[tuple[str, str]]) -> bytes:
    """entries: (absolute URL, lastmod YYYY-MM-DD)."""
    rows = "".join(f"<url><loc>{e(u)}</loc><lastmod>{d}</lastmod><changefreq>monthly</changefreq></url>\n"
                   for u, d in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}">\n{rows}</urlset>\n'.encode()


def index(parts: list[str], lastmod: str = "2024-04-01") -> bytes:
    rows = "".join(f"<sitemap><loc>{e(u)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n" for u in parts)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{XMLNS}">\n{rows}</sitemapindex>\n'.encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def files(mode: str, base: str, entries: list[tuple[str, str]]) -> tuple[dict[str, tuple[bytes, str]], str | None]:
    """({path: (bytes, content type)}, the Sitemap: URL robots.txt declares or None)."""
    xml = "application/xml"
    if mode == "none":
        return {}, None
    if mode == "conventional":
        return {"/sitemap.xml": (urlset(entries), xml)}, None
    if mode == "robots_urlset":
        return {"/sitemap.xml": (urlset(entries), xml)}, f"{base}/sitemap.xml"
    if mode == "robots_gzip":
        return {"/sitemap/sitemap.xml.gz": (gz(urlset(entries)), "application/x-gzip")}, f"{base}/sitemap/sitemap.xml.gz"
    if mode == "robots_index":
        half = (len(entries) + 1) // 2
        out = {"/sitemap_index.xml": (index([f"{base}/sitemap/part1.xml", f"{base}/sitemap/part2.xml.gz"]), xml),
               "/sitemap/part1.xml": (urlset(entries[:half]), xml),
               "/sitemap/part2.xml.gz": (gz(urlset(entries[half:])), "application/x-gzip")}
        return out, f"{base}/sitemap_index.xml"
    raise ValueError(mode)


def robots(disallow: list[str], sitemap: str | None) -> bytes:
    lines = ["User-agent: *"] + ([f"Disallow: {d}" for d in disallow] or ["Disallow:"])
    if sitemap:
        lines += ["", f"Sitemap: {sitemap}"]
    return ("\n".join(lines) + "\n").encode()
