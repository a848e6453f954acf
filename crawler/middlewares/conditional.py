"""Conditional GET on re-crawls: If-None-Match / If-Modified-Since from the archive.

For every GET whose URL the archive already holds a version of, the request carries the
validators of that URL's last successful fetch (``Archive.validators(url)``). A ``304 Not
Modified`` then costs no body on the wire and is recorded as a ``not_modified`` capture.

The spider still needs the page to follow its links (a listing page that answers 304 still
lists the reports), so a 304 to our conditional request is handed on **with status 304 kept**
and the archived body of the confirmed version attached:

* ``response.status == 304``, ``"not_modified"`` in ``response.flags``
* ``response.meta["nianbao_not_modified"] = {"sha256": ..., "restored": bool}``
* ``response.body`` = the stored body (verified against its sha256), of the response class
  its stored Content-Type implies (so ``response.css``/``.text`` work on restored HTML)

304 is added to the request's allowed HTTP statuses so HttpErrorMiddleware lets it through to
the spider; the archive pipeline passes ``status=304`` to ``Archive.record_capture``, which
records ``not_modified`` (whatever body it is given) and stores nothing.

The validators of the crawled portals' documents are read once, on the first request, with
``Archive.revisit_index`` (a dict lookup per request instead of a query); past
``NIANBAO_CONDITIONAL_PRELOAD_MAX`` documents (default 200,000) the middleware asks the
archive per URL instead, to keep memory bounded. The snapshot is the previous runs' state,
which is what a conditional request must send.

Settings: ``NIANBAO_CONDITIONAL_GET`` (default True). The archive is the one the capture
pipeline uses (``pipelines.archive.archive_from_settings``: ``NIANBAO_ARCHIVE``, else
``NIANBAO_DATABASE_URL`` and ``NIANBAO_BLOB_DIR``). Per request,
``meta["nianbao_conditional"] = False`` disables it.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

META_VALIDATORS = "nianbao_validators"
META_NOT_MODIFIED = "nianbao_not_modified"
META_DISABLE = "nianbao_conditional"
#: archived documents above which validators are looked up per request instead of preloaded
PRELOAD_MAX = 200_000


class ConditionalGetMiddleware:
    """Downloader middleware: conditional requests from archived validators; 304 → stored body."""

    def __init__(self, archive: Any, stats: Any = None, allowed_codes: list[int] | None = None,
                 allow_all: bool = False, crawler: Any = None, preload_max: int = PRELOAD_MAX) -> None:
        self.archive = archive
        self.preload_max = preload_max
        self.index: dict[str, dict[str, Any]] | None = None   # url -> validators + current body
        self._index_tried = False
        self.crawler = crawler
        self.stats = stats
        self.allowed_codes = list(allowed_codes or [])
        self.allow_all = allow_all

    @classmethod
    def from_crawler(cls, crawler) -> "ConditionalGetMiddleware":
        s = crawler.settings
        if not s.getbool("NIANBAO_CONDITIONAL_GET", True):
            raise NotConfigured("NIANBAO_CONDITIONAL_GET is off")
        from pipelines.archive import archive_from_settings

        return cls(archive_from_settings(s, migrate=False), crawler.stats, s.getlist("HTTPERROR_ALLOWED_CODES"),
                   s.getbool("HTTPERROR_ALLOW_ALL"), crawler=crawler,
                   preload_max=s.getint("NIANBAO_CONDITIONAL_PRELOAD_MAX", PRELOAD_MAX))

    def _load_index(self, spider: Spider | None) -> None:
        """Read the portals' validators once; stay per-URL when the portals are unknown or huge."""
        self._index_tried = True
        spider = spider or getattr(self.crawler, "spider", None)
        portals = list(getattr(spider, "portal_states", None) or ())
        if not portals or self.preload_max <= 0:
            return
        try:
            self.index = self.archive.revisit_index(portals, limit=self.preload_max)
        except Exception as exc:  # the archive must not stop the crawl
            logger.warning("validators of %s not preloaded: %s", portals, exc)
            self.index = None
        if self.index is None:
            logger.info("more than %d archived documents: validators are looked up per request", self.preload_max)
        else:
            logger.debug("%d archived validators preloaded", len(self.index))

    def _validators(self, url: str) -> dict[str, Any] | None:
        if self.index is not None:
            return self.index.get(url)
        return self.archive.validators(url)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"nianbao/conditional/{key}")

    # -- requests ------------------------------------------------------------------------
    # Scrapy ≥2.13 no longer passes the spider to middleware methods; it comes from the crawler.
    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.index is not None and request.url not in self.index:
            return None  # nothing archived with validators: the common case on a first crawl
        if request.method != "GET" or request.meta.get(META_DISABLE) is False:
            return None
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        if request.meta.get(META_VALIDATORS) is not None:  # a retry or redirect of ours
            return None
        if not self._index_tried:
            self._load_index(spider)
        try:
            v = self._validators(request.url)
        except Exception as exc:  # the archive must not stop the crawl
            logger.warning("validators(%s) failed: %s", request.url, exc)
            return None
        if not v:
            return None
        if v.get("etag"):
            request.headers[b"If-None-Match"] = v["etag"]
        if v.get("last_modified"):
            request.headers[b"If-Modified-Since"] = v["last_modified"]
        request.meta[META_VALIDATORS] = {"etag": v.get("etag"), "last_modified": v.get("last_modified"),
                                         "url": request.url}
        if not request.meta.get("handle_httpstatus_all") and not self.allow_all:
            base = request.meta.get("handle_httpstatus_list")
            if base is None:
                spider = spider or getattr(self.crawler, "spider", None)
                base = getattr(spider, "handle_httpstatus_list", self.allowed_codes)
            if 304 not in base:
                request.meta["handle_httpstatus_list"] = [*base, 304]
        self._inc("sent")
        return None

    # -- responses -----------------------------------------------------------------------
    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status != 304 or request.meta.get(META_VALIDATORS) is None:
            return response
        self._inc("not_modified")
        # the archive keys documents by the requested URL (before any redirect)
        sha, content_type = self._current_version(request.meta[META_VALIDATORS].get("url") or request.url)
        body = b""
        restored = False
        if sha is not None:
            try:
                body = self.archive.read_blob(sha)
                restored = True
            except Exception as exc:  # BlobCorrupt / BlobMissing: hand on the bare 304
                logger.error("304 for %s but its stored body %s is unreadable: %s", request.url, sha, exc)
                self._inc("restore_failed")
        request.meta[META_NOT_MODIFIED] = {"sha256": sha, "restored": restored}
        headers = Headers(response.headers)
        if content_type and b"Content-Type" not in headers:
            headers[b"Content-Type"] = content_type
        rcls = responsetypes.from_args(headers=headers, url=response.url, body=body[:5000])
        return rcls(url=response.url, status=304, headers=response.headers, body=body,
                    flags=[*response.flags, "not_modified"], request=request,
                    certificate=response.certificate, ip_address=response.ip_address,
                    protocol=response.protocol)

    def _current_version(self, url: str) -> tuple[str | None, str | None]:
        """sha256 and stored Content-Type of the version the URL served last."""
        known = self.index.get(url) if self.index is not None else None
        if known is not None:
            return known["sha256"], known["content_type"]
        try:
            with self.archive.engine.connect() as conn:
                row = conn.execute(sa.text(
                    "SELECT v.sha256, b.content_type FROM document d "
                    "JOIN document_version v ON v.id = d.current_version_id "
                    "JOIN blob b ON b.sha256 = v.sha256 WHERE d.url = :u"), {"u": url}).first()
        except Exception as exc:
            logger.warning("current version of %s: %s", url, exc)
            return None, None
        return (row[0], row[1]) if row else (None, None)
