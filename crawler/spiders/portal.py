"""The generic, config-driven portal spider: ``scrapy crawl portal -a portal=NAME``.

It starts at a portal's start URLs, follows in-domain links best-first (the disclosure column
and report-like anchors first, navigation noise only near the home page), understands the
listing idioms of the common CMSs (TRS pagination, Hanweb data proxy, JSON list APIs), fetches
attachments, and yields one :class:`~crawler.items.DocumentItem` per fetch — including every
failure, with its reason — for the archive pipeline.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectError, DNSLookupError, TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.discovery import TrapGuard, clean_title, score_link
from crawler.items import DocumentItem
from crawler.spiders import cms, psl  # noqa: F401  (psl: cookie middleware on the bundled suffix list)
from crawler.spiders.base import Link
from pipelines.titles import ReportGuess, recognize

logger = logging.getLogger(__name__)

#: links with a negative score (navigation noise) are followed only from pages this shallow
NOISE_MAX_DEPTH = 1
_HTML_TYPES = (b"text/html", b"application/xhtml", b"text/xml", b"application/xml")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


_TITLE_META_NAMES = ("ArticleTitle", "articletitle")


def _title_candidates(root: Any) -> list[str | None]:
    """meta ArticleTitle / og:title, the text of the <h1>s, <title>: in one pass over the tree."""
    meta: str | None = None
    h1: list[str] = []
    title: str | None = None
    for el in root.iter("meta", "h1", "title"):
        tag = el.tag
        if tag == "meta":
            if meta is None and (el.get("name") in _TITLE_META_NAMES or el.get("property") == "og:title"):
                meta = el.get("content")
        elif tag == "h1":
            h1.append(" ".join(el.itertext()))
        elif title is None:
            title = el.text
    return [meta, " ".join(h1), title]


def _title_guess(response: TextResponse) -> tuple[str, ReportGuess | None]:
    """(title, its guess) for the first title candidate with report or trap wording, else
    (the last candidate, None)."""
    try:
        cands = _title_candidates(response.selector.root)
    except Exception:  # a root that is not an element tree (plain text): no title
        return "", None
    last = ""
    for raw in cands:
        if not raw or not raw.strip():
            continue
        c = clean_title(raw)
        if not c:
            continue
        g = recognize(title=c)
        if g.is_report or g.reason.startswith("trap"):
            return c, g
        last = c
    return last, None


def _release_parsed(response: Response) -> None:
    """Drop the response's cached parse tree and decoded text once the spider is done with it.

    Scrapy keeps a response reachable through reference cycles until the garbage collector
    runs; the lxml tree and the decoded text are many times the body's size. Released here
    they go at once (a later ``response.selector`` would simply parse again).
    """
    for attr in ("_cached_selector", "_cached_ubody"):
        if getattr(response, attr, None) is not None:
            setattr(response, attr, None)


def failure_reason(failure: Failure) -> tuple[str, int | None, Response | None]:
    """(reason, status, response) for a failed request."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if failure.check(HttpError):
        status = response.status
        if status == 404 or status == 410:
            return "not_found", status, response
        if status == 412 or (response.request and response.request.meta.get("nianbao_reason") == "antibot_wall"):
            return "antibot_wall", status, response
        return f"http_{status}", status, response
    from crawler.middlewares.antibot import AntiBotWall

    if failure.check(AntiBotWall):
        return "antibot_wall", None, None
    if failure.check(IgnoreRequest):
        msg = str(exc)
        if "robots.txt" in msg:
            return "robots", None, None
        return "ignored", None, None
    name = type(exc).__name__
    if name == "DownloadCancelledError" or failure.check(CancelledError) or "max size" in str(exc):
        return "oversize", None, None
    if "Timeout" in name or failure.check(TxTimeoutError):
        return "timeout", None, None
    if failure.check(DNSLookupError) or name == "CannotResolveHostError":
        return "dns", None, None
    if failure.check(ConnectError) or "Connection" in name:
        return "connection", None, None
    if "DataLoss" in name:
        return "data_loss", None, None
    return f"error:{name}", None, None


_GENERIC_ANCHOR = re.compile(
    r"附件[0-9一二三四五六七八九十]*|点击|下载|查看|全文|原文|文件|正文|扫描件|PDF|WORD|WPS|EXCEL|版|格式|"
    r"\.(pdf|docx?|wps|xlsx?|et|jpe?g|png|ofd)|[\s:：()（）\[\]【】、,，.。_-]", re.I)


def generic_anchor(anchor: str | None) -> bool:
    """'附件1' / '点击下载' / 'PDF版' / a bare file name: says nothing about what the file is."""
    if not anchor:
        return True
    rest = _GENERIC_ANCHOR.sub("", anchor)
    return not re.search(r"[\u4e00-\u9fff]", rest)


@dataclass
class PortalState:
    """One portal's configuration and crawl state inside a (possibly multi-portal) spider."""

    config: dict
    trap_guard: TrapGuard = field(default_factory=TrapGuard)
    requested: int = 0
    capped: bool = False

    @property
    def name(self) -> str:
        return self.config["name"]

    @property
    def allowed_domains(self) -> list[str]:
        return [d.lower() for d in self.config["allowed_domains"]]

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        domains = self._domains
        return host in domains or any(host.endswith("." + d) for d in domains)

    @cached_property
    def _domains(self) -> frozenset[str]:
        return frozenset(self.allowed_domains)


class PortalSpider(scrapy.Spider):
    """Crawls one portal (``-a portal=NAME``) or several in one crawler (``portals=[...]``).

    One crawler for many portals shares one engine and one HTTP connection pool; Scrapy's
    per-domain download slots keep the politeness per site. Each request carries its portal
    in ``meta["nb_portal"]``; allowed domains, trap guard and page cap are per portal.
    The listing idioms come from the registry in crawler.spiders.cms (which idioms run on a
    page, the extra start requests, and one ``parse_*`` method per idiom callback).
    """

    name = "portal"

    def __init__(self, portal: Any = None, config: str | None = None, profile: str | None = None,
                 max_pages: int | str | None = None, portals: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        configs = self._portal_configs(portal, portals, config, profile)
        self.portal_states: dict[str, PortalState] = {c["name"]: PortalState(c) for c in configs}
        self.portal_name: str = "+".join(self.portal_states)
        #: the portal's config dict when this spider crawls exactly one portal
        self.portal: dict | None = configs[0] if len(configs) == 1 else None
        self.allowed_domains = sorted({d for st in self.portal_states.values() for d in st.allowed_domains})
        self.start_urls = [u for st in self.portal_states.values() for u in st.config["start_urls"]]
        self.max_pages = int(max_pages) if max_pages else None
        #: URLs of the GET requests this crawl has yielded (a resumed crawl relies on JOBDIR's dupefilter)
        self.requested_urls: set[str] = set()

    @property
    def capped(self) -> bool:
        return any(st.capped for st in self.portal_states.values())

    def portal_config(self, name: str | None) -> dict | None:
        st = self.portal_states.get(name or "")
        return st.config if st else None

    # --- configuration -------------------------------------------------------------------

    @staticmethod
    def _portal_configs(portal: Any, portals: Any, config: str | None, profile: str | None) -> list[dict]:
        """Portal dicts from dicts / PortalConfigs / JSON, or names looked up in config.yaml."""
        from crawler.config import PortalConfig, load_config

        items: list[Any]
        if portals is not None:
            items = json.loads(portals) if isinstance(portals, str) else list(portals)
        elif portal is not None:
            items = [portal]
        else:
            items = []
        out: list[dict] = []
        cfg = None
        for p in items:
            if isinstance(p, PortalConfig):
                out.append(p.model_dump())
            elif isinstance(p, dict):
                out.append(PortalConfig.model_validate(p).model_dump())
            elif isinstance(p, str) and p.lstrip().startswith("{"):
                out.append(PortalConfig.model_validate(json.loads(p)).model_dump())
            else:
                cfg = cfg or load_config(config)
                for name in str(p).split(","):
                    out.append(cfg.portal(name.strip(), profile).model_dump())
        if not out:
            cfg = cfg or load_config(config)
            out = [p.model_dump() for p in cfg.active_portals(profile)]
            if not out:
                raise ValueError("no portals: pass -a portal=NAME or configure `portals:` in config.yaml")
        return out

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "PortalSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.max_pages is None:
            spider.max_pages = crawler.settings.getint("NIANBAO_MAX_PAGES_PER_PORTAL", 20000)
        return spider

    # --- requests ------------------------------------------------------------------------

    async def start(self):
        for st in self.portal_states.values():
            for url in st.config["start_urls"]:
                yield self._request(Link(url, "", kind="page", priority_bonus=100), st, depth=0, referer=None,
                                    parent=None, force=True)
            for idiom in cms.idioms():
                for link in idiom.start(st.config) if idiom.start else ():
                    yield self._request(link, st, depth=0, referer=None, parent=None, force=True)

    def _state(self, response_or_request: Any) -> PortalState:
        name = response_or_request.meta.get("nb_portal")
        st = self.portal_states.get(name) if name else None
        if st is None:  # a request from elsewhere (shell, tests): the portal owning the host
            url = response_or_request.url
            st = next((s for s in self.portal_states.values() if s.allows(url)),
                      next(iter(self.portal_states.values())))
        return st

    def _request(self, link: Link, st: PortalState, *, depth: int, referer: str | None,
                 parent: ReportGuess | None, force: bool = False, score: int | None = None) -> scrapy.Request | None:
        url = link.url if "#" not in link.url else urldefrag(link.url)[0]
        get = link.method == "GET"
        if get and url in self.requested_urls:
            # already asked for in this crawl: Scrapy's dupefilter would drop it, but only after
            # building the request and passing it through every spider middleware
            return None
        if not url.startswith(("http://", "https://")) or not st.allows(url):
            return None
        if any(d in url for d in st.config.get("deny") or ()) or discovery.is_skipped_url(url):
            return None
        if not force and not st.trap_guard.allow(url):
            self.crawler.stats.inc_value("nianbao/trap_blocked")
            self.crawler.stats.inc_value(f"nianbao/portal/{st.name}/trap_blocked")
            return None
        if st.requested >= (self.max_pages or 10**9):
            if not st.capped:
                logger.warning("%s: page cap %s reached; further links not followed", st.name, self.max_pages)
                st.capped = True
            return None
        st.requested += 1
        if get:
            self.requested_urls.add(url)
        if score is None:
            score = score_link(url, link.anchor)
        meta = {
            "nb_portal": st.name,
            "nb_kind": link.kind,
            "nb_anchor": link.anchor,
            "nb_referer": referer,
            "nb_parent": [parent.year, parent.agency] if parent and parent.is_report else None,
            "nb_depth": depth,
            **link.meta,
        }
        # the Referer header is Scrapy's RefererMiddleware's job; meta keeps ours for the item
        kw = dict(callback=getattr(self, link.callback), errback=self.on_error, meta=meta,
                  priority=score + link.priority_bonus, dont_filter=False)
        if link.method == "POST":
            return scrapy.FormRequest(url, formdata=link.formdata or {}, **kw)
        return scrapy.Request(url, **kw)

    def _follow(self, links: Iterable[Link], response: Response, depth: int,
                parent: ReportGuess | None) -> Iterable[scrapy.Request]:
        st = self._state(response)
        for link in links:
            score = score_link(link.url, link.anchor)
            if score < 0 and depth > NOISE_MAX_DEPTH and link.kind in ("page", "attachment"):
                continue
            if link.kind == "attachment" and parent is None and score <= 0:
                # an attachment of an ordinary page with no report wording: not worth the bytes
                continue
            req = self._request(link, st, depth=depth + 1, referer=response.url, parent=parent, score=score)
            if req is not None:
                yield req

    # --- responses -----------------------------------------------------------------------

    def _item(self, response: Response | None, request: scrapy.Request, *, error: str | None,
              status: int | None, title: str | None, guess: ReportGuess, kind: str) -> DocumentItem:
        meta = request.meta
        st = self._state(request)
        redirects = meta.get("redirect_urls") or []
        url = redirects[0] if redirects else request.url
        return DocumentItem(
            url=url,
            final_url=response.url if response is not None else None,
            status=status,
            headers=_headers(response) if response is not None else {},
            body=(response.body if response is not None else None),
            fetched_at=dt.datetime.now(dt.timezone.utc),
            error=error,
            portal=st.name,
            referer=meta.get("nb_referer"),
            anchor=meta.get("nb_anchor") or None,
            title=title or meta.get("nb_anchor") or None,
            is_report=bool(guess.is_report) and error is None,
            report_year=guess.year,
            agency=guess.agency or (st.config.get("agency") if guess.is_report else None),
            region_code=st.config.get("region_code"),
            kind=kind,
            depth=meta.get("nb_depth", 0),
        )

    @staticmethod
    def page_title(response: TextResponse) -> str:
        """The document's own title: TRS/Hanweb meta ArticleTitle, <h1>, or <title>.

        A report page's <title> is often just the site name while <h1> carries the report
        title, so the first candidate with report wording (or trap wording) wins.
        """
        return _title_guess(response)[0]

    def _is_html(self, response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        ctype = (response.headers.get(b"Content-Type") or b"").lower()
        if ctype and not any(t in ctype for t in _HTML_TYPES):
            return False
        return not discovery.is_attachment_url(response.url)

    def _attachment_guess(self, response: Response) -> ReportGuess:
        meta = response.meta
        anchor = meta.get("nb_anchor") or None
        fname = None
        cd = (response.headers.get(b"Content-Disposition") or b"").decode("utf-8", "replace")
        if "filename" in cd:
            from urllib.parse import unquote

            fname = unquote(cd.split("filename", 1)[1].lstrip("*=").strip("\"' ").replace("UTF-8''", "")) or None
        guess = recognize(title=fname, anchor=anchor, url=response.url)
        parent = meta.get("nb_parent")
        if not guess.is_report and parent and not guess.reason.startswith("trap") and (
                generic_anchor(anchor) or re.search(r"报告|年报", anchor or "") or str(parent[0]) in (anchor or "")):
            # "附件1" / "下载" under a report page: the report itself (PDF/DOC of the same report)
            return ReportGuess(True, parent[0], parent[1], reason="attachment of a report page")
        return guess

    def parse(self, response: Response, **_: Any):
        meta = response.meta
        depth = int(meta.get("nb_depth", 0))
        reason = meta.get("nianbao_reason")
        if reason:  # e.g. a 200 anti-bot challenge page
            yield self._item(response, response.request, error=reason, status=response.status, title=None,
                             guess=ReportGuess(False), kind=meta.get("nb_kind", "page"))
            return
        if not self._is_html(response):
            guess = self._attachment_guess(response)
            if not isinstance(response, TextResponse) or meta.get("nb_kind") == "attachment":
                yield self._item(response, response.request, error=None, status=response.status,
                                 title=meta.get("nb_anchor"), guess=guess, kind="attachment")
                return
        try:
            title, guess = _title_guess(response)
            if guess is None:  # the title says nothing: the anchor that led here may
                guess = recognize(title=title, anchor=meta.get("nb_anchor"))
        except Exception:  # still archive the page; recognition is re-done by `nianbao process`
            logger.exception("recognition failed on %s", response.url)
            title, guess = None, ReportGuess(False, reason="recognition error")
        kind = "page" if guess.is_report else meta.get("nb_kind", "page")
        if kind == "attachment":
            kind = "page"
        yield self._item(response, response.request, error=None, status=response.status, title=title,
                         guess=guess, kind=kind)
        yield from self._follow(self._discover(response), response, depth, guess if guess.is_report else None)
        _release_parsed(response)

    def _discover(self, response: Response) -> list[Link]:
        """Links of every listing idiom the portal may use; a failing idiom never hides the others."""
        links: list[Link] = []
        for idiom in cms.for_hint(self._state(response).config.get("cms")):
            try:
                links += idiom.discover(response)
            except Exception:  # a malformed page must not stop the crawl
                logger.exception("CMS idiom %s failed on %s", idiom.name, response.url)
                self.crawler.stats.inc_value("nianbao/discovery_errors")
        return links

    def _listing(self, response: Response, callback: cms.Callback):
        """An idiom's own response (a data-proxy answer, a JSON page): archived, its links followed."""
        yield self._item(response, response.request, error=None, status=response.status, title=None,
                         guess=ReportGuess(False), kind=callback.kind)
        depth = int(response.meta.get("nb_depth", 0))
        yield from self._follow(callback.links(response), response, depth, None)

    def on_error(self, failure: Failure):
        request = failure.request
        reason, status, response = failure_reason(failure)
        if reason == "ignored":
            return  # offsite redirect, filtered duplicate: not a fetch
        self.crawler.stats.inc_value(f"nianbao/error/{reason}")
        logger.info("%s: %s %s", reason, status or "-", request.url)
        yield self._item(response, request, error=reason, status=status,
                         title=request.meta.get("nb_anchor"), guess=ReportGuess(False),
                         kind=request.meta.get("nb_kind", "page"))


def _idiom_callback(callback: cms.Callback):
    def parse_idiom(self: PortalSpider, response: Response, **_: Any):
        return self._listing(response, callback)

    parse_idiom.__name__ = parse_idiom.__qualname__ = callback.name
    parse_idiom.__doc__ = f"Callback of the {callback.kind} responses an idiom requests ({callback.name})."
    return parse_idiom


# Scrapy (JOBDIR) stores a request's callback by spider method name: one method per idiom callback
for _cb in cms.callbacks():
    setattr(PortalSpider, _cb.name, _idiom_callback(_cb))
