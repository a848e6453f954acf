"""Ground truth of a wild network: what every URL is and how it is reached.

``pages`` lists every navigation and listing page with the link that reaches it (idiom,
form, the page that carries the link); each report, decoy and wrapper names the listing page
its row is on, the idiom of that row, the pagination of the listing, and ``chain``, the
idioms from the home page down to it. Paths only (the port is the server's); a path may
carry a query (compare with ``crawler.sampleweb.server.norm_path``).
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from . import sitemaps as S
from .plan import OFFSITE_HOST, Doc, Entry, Listing, NetworkPlan, SitePlan

logger = logging.getLogger(__name__)

HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"
#: idioms that carry the link to a page after a shell
SHELL_IDIOM = {"iframe": "iframe", "frameset": "iframe", "meta_refresh": "meta_refresh", "redirect": "redirect"}


def _idiom(link) -> str:
    return link.form if link.idiom == "attachment" else link.idiom


class _SiteTruth:
    def __init__(self, s: SitePlan):
        self.s = s
        self.pages: list[dict[str, Any]] = []
        self.by_path: dict[str, dict[str, Any]] = {}
        self.row_page: dict[int, tuple[str, int]] = {}     # id(entry) -> (listing page path, k)

    def add(self, path: str, kind: str, idiom: str, form: str, source: str | None, **extra: Any) -> dict:
        p = {"site": self.s.key, "host": self.s.host, "path": path, "kind": kind, "method": "GET",
             "reached": {"idiom": idiom, "form": form, "from": source}, **extra}
        self.pages.append(p)
        self.by_path.setdefault(path, p)
        return p

    def chain(self, path: str | None) -> list[str]:
        out: list[str] = []
        seen = set()
        while path and path in self.by_path and path not in seen:
            seen.add(path)
            p = self.by_path[path]
            if p["reached"]["idiom"] == "start":
                break
            out.append(p["reached"]["idiom"])
            path = p["reached"]["from"]
        return out[::-1]

    def build(self) -> None:
        s, f = self.s, self.s.family
        self.add("/", "home", "start", "", None)
        hub_idiom = s.hub_link.idiom
        self.add(f.hub(), "hub", hub_idiom, s.hub_link.form, "/")
        cl = s.column_link
        if s.column_mode != "flat":
            self.add(s.column_path, "column", cl.idiom, cl.form, f.hub())
        for lst in s.listings:
            if s.column_mode == "flat":
                entry = (cl.idiom, cl.form, f.hub())
            else:
                entry = (lst.entry.idiom, lst.entry.form, s.column_path)
            if lst.shell:
                self.add(lst.shell, "shell", *entry, list=lst.id, shell=s.shell)
                entry = (SHELL_IDIOM[s.shell], "", lst.shell)
            self.listing(lst, entry)

    def listing(self, lst: Listing, entry: tuple[str, str, str]) -> None:
        s = self.s
        pages = lst.pages(s.per_page)
        n = len(pages)
        pag = {"list": lst.id, "scheme": s.scheme, "pager": s.pager, "pages": n}
        if s.scheme == "json_api":
            col = lst.first()
            self.add(col, "json_column", *entry, **pag)
            a = lst.api
            for k, rows in enumerate(pages, 1):
                q = {**a["params"], a["page_param"]: str(k), "pageSize": str(s.per_page)}
                path = f"{a['path']}?{urlencode(q)}"
                self.add(path, "listing", "json_api", a["caller"], col, page=k, **pag)
                self._rows(rows, path, k)
            return
        if s.scheme == "hanweb_proxy":
            col = lst.first()
            self.add(col, "listing", *entry, page=1, **pag)
            self._rows(pages[0], col, 1)
            total = sum(len(p) for p in pages)
            for k, rows in enumerate(pages[1:], 2):
                a, b = (k - 1) * s.per_page + 1, min(total, k * s.per_page)
                path = f"{HANWEB_PROXY}?startrecord={a}&endrecord={b}&perpage={s.per_page}"
                p = self.add(path, "listing", "xml_proxy", "post", col, page=k, **pag)
                p["method"] = "POST"
                p["data"] = {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": str(lst.col),
                             "sourceContentType": "1", "unitid": str(lst.unit), "webname": s.name, "permissiontype": "0"}
                self._rows(rows, path, k)
            return
        for k, rows in enumerate(pages, 1):
            path = lst.addr.url(k)
            if k == 1:
                self.add(path, "listing", *entry, page=k, **pag)
            else:
                src = lst.addr.url(1) if s.pager == "numbers" else lst.addr.url(k - 1)
                idiom = s.pager_idiom if s.pager in ("numbers", "next_only") else s.pager
                form = s.pager_form if s.pager in ("numbers", "next_only") else ""
                self.add(path, "listing", idiom, form, src, page=k, **pag)
            self._rows(rows, path, k)

    def _rows(self, rows: list[Entry], path: str, k: int) -> None:
        for en in rows:
            self.row_page[id(en)] = (path, k)


def _pagination(s: SitePlan) -> str:
    return f"{s.scheme}/{s.pager}"


def _doc_truth(st: _SiteTruth, d: Doc, rows: dict[str, Entry], port_free_portal: str) -> dict[str, Any]:
    s = st.s
    out: dict[str, Any] = {
        "id": d.id, "site": s.key, "host": s.host, "portal": port_free_portal, "path": d.path, "format": d.fmt,
        "file": d.file, "sha256": d.sha256, "content": d.content, "group": d.group, "title": d.title,
        "anchor": d.link.text if d.link else None, "anchor_title": d.link.title if d.link else None,
        "agency": d.agency, "printed_agency": d.printed_agency, "report_year": d.year, "template": d.template,
        "published": d.published, "title_style": d.title_style, "placement": d.placement,
        "listing": d.listing, "via": [{"kind": k, "path": p} for k, p in d.via], "sitemap": d.in_sitemap,
        "parent": d.parent, "pagination": None, "container": None, "listing_page": None, "page": None,
    }
    if d.placement == "sitemap":
        out.update(idiom="sitemap", form="", chain=["sitemap"])
        return out
    out["idiom"] = _idiom(d.link)
    out["form"] = d.link.form
    if d.placement == "attached":
        parent = next(x for x in s.docs if x.path == d.parent)
        if parent.placement == "sitemap":
            out["chain"] = ["sitemap", out["idiom"]]
        else:
            en = rows[parent.id]
            lp, _ = st.row_page[id(en)]
            out["chain"] = st.chain(lp) + [_idiom(en.link), out["idiom"]]
        out["listing_page"] = d.parent
        return out
    en = rows[d.id]
    lp, k = st.row_page[id(en)]
    out.update(listing_page=lp, page=k, pagination=_pagination(s), container=s.container)
    if d.placement == "wrapper":
        out["listing_page"] = d.wrapper_path
        out["row_idiom"] = _idiom(en.link)
        out["row_listing_page"] = lp
        out["chain"] = st.chain(lp) + [_idiom(en.link), out["idiom"]]
    else:
        out["chain"] = st.chain(lp) + [out["idiom"]] + [v["kind"] for v in out["via"]]
    return out


def site_truth(s: SitePlan) -> dict[str, Any]:
    st = _SiteTruth(s)
    st.build()
    rows = {en.ref: en for lst in s.listings for en in lst.entries if en.ref}
    portal = s.portal
    reports = [_doc_truth(st, d, rows, portal) for d in s.docs]
    wrappers = [{"site": s.key, "host": s.host, "path": d.wrapper_path, "title": d.title, "attachment": d.id,
                 "listing_page": st.row_page[id(rows[d.id])][0], "idiom": _idiom(rows[d.id].link)}
                for d in s.docs if d.wrapper_path]
    decoys = []
    for x in s.decoys:
        en = rows.get(x.id)
        lp = st.row_page[id(en)][0] if en else None
        decoys.append({"id": x.id, "site": s.key, "host": s.host, "path": x.path, "kind": x.kind, "title": x.title,
                       "where": x.where, "listing_page": lp, "idiom": _idiom(en.link) if en else "href"})
    traps = [{"site": s.key, "host": s.host, "kind": t.kind, "template": t.template, "pattern": t.pattern,
              "entry": t.entry, "linked_from": [w for w, lk in s.trap_links if lk.target == t.entry],
              "entry_idiom": next((lk.idiom for w, lk in s.trap_links if lk.target == t.entry), None),
              "robots_disallowed": any(t.entry.startswith(d) for d in s.robots_disallow)} for t in s.traps]
    offsite = []
    for where, lk in s.offsite:
        via = None
        if lk.idiom == "redirect":
            via = "/link.jsp"
        elif lk.idiom == "meta_refresh":
            via = "/wailian.html"
        offsite.append({"site": s.key, "page": where, "idiom": lk.idiom, "form": lk.form, "path": lk.target, "via": via})
    offsite.append({"site": s.key, "page": "sitemap", "idiom": "sitemap", "form": "", "path": f"/sitemap/{s.key}/portal.html",
                    "via": None} if s.sitemap_mode != "none" else None)
    files, declared = S.files(s.sitemap_mode, "", [])
    sitemaps = [{"site": s.key, "host": s.host, "path": p, "declared_in_robots": declared is not None,
                 "gzip": p.endswith(".gz"), "index": "index" in p} for p in files]
    return {
        "site": _site_row(s),
        "reports": reports, "wrappers": wrappers, "decoys": decoys, "traps": traps,
        "offsite_links": [o for o in offsite if o],
        "disallowed": [{"site": s.key, "host": s.host, **x} for x in s.disallowed],
        "expected_failures": [{"site": s.key, "host": s.host, **x} for x in s.dead],
        "pages": st.pages, "sitemaps": sitemaps,
    }


def _site_row(s: SitePlan) -> dict[str, Any]:
    enc = s.encoding
    return {
        "key": s.key, "host": s.host, "portal": s.portal, "name": s.name, "agency": s.agency,
        "region": s.region.name, "region_code": s.region.code, "kind": s.kind,
        "family": s.family.key, "family_label": s.family.label,
        "charset": enc.charset, "header_charset": enc.header, "meta_charset": enc.meta,
        "url_form": s.url_form, "layout": s.layout, "container": s.container, "container_form": s.container_form,
        "palette": [[idiom, form, w] for w, idiom, form in s.palette],
        "pagination": {"scheme": s.scheme, "pager": s.pager, "pager_idiom": s.pager_idiom,
                       "pager_form": s.pager_form, "per_page": s.per_page},
        "column_mode": s.column_mode, "shell": s.shell, "column_path": s.column_path, "hub": s.family.hub(),
        "hub_link": {"idiom": s.hub_link.idiom, "form": s.hub_link.form},
        "column_link": {"idiom": s.column_link.idiom, "form": s.column_link.form},
        "sub_idiom": list(s.sub_idiom) if s.column_mode != "flat" else None,
        "sitemap": s.sitemap_mode, "robots_disallow": list(s.robots_disallow),
        "listings": [{"id": lst.id, "name": lst.name, "year": lst.year, "first": lst.first(), "shell": lst.shell,
                      "api": lst.api, "entries": len(lst.entries)} for lst in s.listings],
    }


def network_truth(plan: NetworkPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": 1, "seed": plan.seed, "offsite_host": OFFSITE_HOST, "sites": []}
    keys = ("reports", "wrappers", "decoys", "traps", "offsite_links", "disallowed", "expected_failures", "pages", "sitemaps")
    for k in keys:
        out[k] = []
    out["contents"] = {}
    for s in plan.sites:
        t = site_truth(s)
        out["sites"].append(t["site"])
        for k in keys:
            out[k].extend(t[k])
        out["contents"].update({cid: {k: v for k, v in c.items() if k != "narrative"} for cid, c in s.contents.items()})
    out["listing_pages"] = [p for p in out["pages"] if p["kind"] == "listing"]
    return out


def idiom_assignment(truth: dict[str, Any]) -> list[tuple]:
    """Per site, what the generator drew: a compact signature to compare seeds by."""
    return [(s["family"], s["charset"], s["header_charset"], s["meta_charset"], s["container"], s["container_form"],
             tuple(tuple(p[:2]) for p in s["palette"]), s["pagination"]["scheme"], s["pagination"]["pager"],
             s["column_mode"], s["shell"], s["hub_link"]["idiom"], s["column_link"]["idiom"], s["sitemap"])
            for s in truth["sites"]]
