"""The plan of a wild network: from an integer seed, which sites exist and how each is built.

Every choice is drawn from ``rng(f"wild/{seed}/…")`` per site and per purpose, so a seed
always gives the same network and each site's family, encoding, idioms, pagination, column
layout, sitemap and traps are drawn independently of the others (new combinations for every
seed). The plan is pure data with paths only; render.py turns it into bytes once the port is
known, truth.py into the ground truth.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from functools import lru_cache

from crawler.sampleweb import load_truth
from crawler.sampleweb.generate import figures, legacy_narrative, narrative, rng

from . import idioms as I
from . import paging as P
from . import sitemaps as S
from . import titles as T
from . import traps as TR
from .families import ENCODINGS, FAMILIES, Encoding, Family
from .regions import DEPARTMENTS, REGIONS, Region, department, government, office, township

logger = logging.getLogger(__name__)

FIRST_HOST = 21
OFFSITE_HOST = "127.0.0.98"
ATTACHMENT_FORMATS = ("pdf", "pdf_scan", "docx", "doc", "wps", "xls")
EXT = {"pdf": "pdf", "pdf_scan": "pdf", "docx": "docx", "doc": "doc", "wps": "wps", "xls": "xls", "html": "html"}

#: (weight, idiom) of report/decoy links inside an HTML listing
ITEM_IDIOMS = ((30, "href"), (16, "data_attr"), (18, "onclick"), (14, "js_href"), (4, "option"), (4, "area"))
#: (weight, container) of a listing's records
CONTAINERS = ((50, "html"), (16, "script_literal"), (14, "json_api"), (7, "hanweb_proxy"), (8, "html_table"))
#: (weight, scheme) of listings whose records are in the page (HTML or script)
SCHEME_WEIGHTS = tuple((4, x) for x in P.STATIC_SCHEMES) + tuple((5, x) for x in P.QUERY_SCHEMES) + ((2, "single"),)
#: (weight, idiom) of navigation links (home -> hub -> column -> sub-column)
NAV_IDIOMS = ((65, "href"), (8, "onclick"), (6, "js_href"), (6, "data_attr"), (5, "area"), (4, "option"),
              (3, "meta_refresh"), (3, "redirect"))
SHELLS = ((70, None), (12, "iframe"), (6, "frameset"), (7, "meta_refresh"), (5, "redirect"))


@dataclass
class Link:
    """A link as planned: where it points, its text and the idiom that carries it."""
    target: str              # path (+query); absolute URL for off-site targets ("{offsite}" placeholder)
    text: str
    idiom: str
    form: str
    title: str | None = None


@dataclass
class Entry:
    """One row of a listing."""
    kind: str                # report | wrapper | decoy | hop | dead | offsite | disallowed
    link: Link
    date: str                # YYYY-MM-DD shown in the row
    ref: str | None = None   # doc / decoy id


@dataclass
class Doc:
    id: str
    path: str
    fmt: str                 # html | pdf | pdf_scan | docx | doc | wps | xls
    title: str               # the report's title on its page (HTML) or in the listing (attachment)
    agency: str | None
    printed_agency: str | None
    year: int
    template: str
    published: str           # YYYY-MM-DD HH:MM
    placement: str           # listed | wrapper | attached | hop | sitemap
    title_style: str
    content: str | None = None       # generated content id (HTML)
    group: str | None = None         # first network content group (seed reports, attachments)
    file: str | None = None          # first network file under crawler/sampleweb/site/
    sha256: str | None = None
    listing: str | None = None       # listing id
    link: Link | None = None         # the link that reaches it (listing row or parent page)
    parent: str | None = None        # wrapper / HTML report page path that links it
    via: list[tuple[str, str]] = field(default_factory=list)   # [(301|302|meta-refresh, hop path)]
    in_sitemap: bool = False
    wrapper_path: str | None = None  # wrapper page of an attachment


@dataclass
class Decoy:
    id: str
    kind: str
    path: str
    title: str
    body: str
    published: str
    where: str               # listing id or other-column key


@dataclass
class Listing:
    id: str
    name: str
    col: int
    addr: P.Addressing
    entries: list[Entry] = field(default_factory=list)
    year: int | None = None
    shell: str | None = None         # path of the iframe / frameset / meta-refresh / redirect page before page 1
    entry: Link | None = None        # link from the column page (or the hub) to page 1 / the shell
    api: dict | None = None          # json_api: path, params, page_param, shape, caller
    unit: int = 0                    # hanweb_proxy: unit id

    def pages(self, per: int) -> list[list[Entry]]:
        rows = sorted(self.entries, key=lambda x: (x.date, x.link.target), reverse=True)
        return [rows[i:i + per] for i in range(0, len(rows), per)] or [[]]

    def first(self) -> str:
        return self.addr.url(1)


@dataclass
class Column:
    """An ordinary column of the hub (法定主动公开内容, 通知公告 …): one page of plain links."""
    key: str
    name: str
    path: str
    links: list[Link] = field(default_factory=list)


@dataclass
class SitePlan:
    index: int
    key: str
    host: str
    portal: str
    region: Region
    kind: str                # gov | dept
    name: str
    agency: str
    family: Family
    encoding: Encoding
    url_form: str            # path | relative | absolute: how the site writes its own links
    layout: str              # ul | table
    container: str           # html | script_literal | json_api | hanweb_proxy (html_table folds into html)
    container_form: str
    palette: list[tuple[int, str, str]]
    scheme: str
    pager: str
    pager_idiom: str
    pager_form: str
    per_page: int
    column_mode: str         # flat | categories | years
    shell: str | None
    column_path: str         # the 年报 column's entry page
    column_col: int          # the column's id (sub-columns count on from it)
    column_slug: str
    column_dir: str
    hub_link: Link
    column_link: Link
    sub_idiom: tuple[str, str] = ("href", "plain")
    listings: list[Listing] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    news: list[tuple[str, str, str]] = field(default_factory=list)    # (path, title, date)
    traps: list[TR.Trap] = field(default_factory=list)
    trap_links: list[tuple[str, Link]] = field(default_factory=list)  # (page key, link)
    offsite: list[tuple[str, Link]] = field(default_factory=list)     # (page key, link); target path on the off-site host
    disallowed: list[dict] = field(default_factory=list)
    dead: list[dict] = field(default_factory=list)
    robots_disallow: list[str] = field(default_factory=list)
    sitemap_mode: str = "none"
    contents: dict[str, dict] = field(default_factory=dict)          # generated report contents


@dataclass
class NetworkPlan:
    seed: int
    sites: list[SitePlan]


# --- the first network's files, reused ------------------------------------------------------

@lru_cache(maxsize=1)
def _first_truth() -> dict:
    return load_truth()


def attachment_pool() -> list[dict]:
    """Every distinct binary report file of the first network: file, format, sha256 and content."""
    t = _first_truth()
    out, seen = [], set()
    rows = [(r["file"], r["format"], r["seed"], r["sha256"]) for r in t["rendered"] if r["format"] in ATTACHMENT_FORMATS]
    rows += [(d["file"], d["format"], d["group"], d["sha256"]) for d in t["reports"] if d["format"] in ATTACHMENT_FORMATS]
    for file, fmt, group, sha in rows:
        if sha in seen:
            continue
        seen.add(sha)
        c = t["contents"][group]
        out.append({"file": file, "format": fmt, "group": group, "sha256": sha, "agency": c["agency"],
                    "printed_agency": c["printed_agency"], "year": c["report_year"], "template": c["template"]})
    return out


def first_content(group: str) -> dict:
    return _first_truth()["contents"][group]


def seed_groups() -> list[str]:
    return sorted({r["seed"] for r in _first_truth()["rendered"]})


# --- helpers ---------------------------------------------------------------------------------

def _pick(r: random.Random, table) -> object:
    return r.choices([x for _, x in table], weights=[w for w, _ in table])[0]


def _form(r: random.Random, idiom: str) -> str:
    return r.choice(I.FORMS.get(idiom, ("plain",)))


def template_for(year: int, r: random.Random) -> str:
    if year < 2019:
        return "legacy"
    if year < 2021:
        return "2019"
    return "2019" if r.random() < 0.06 else "2021"   # a late adopter now and then


def _published(r: random.Random, year: int, is_gov: bool) -> str:
    month = r.randint(1, 3) if is_gov else 1
    day = r.randint(8, 31 if month != 2 else 28) if month != 1 else r.randint(10, 31)
    return f"{year + 1:04d}-{month:02d}-{day:02d} {r.randint(8, 17):02d}:{r.choice([0, 10, 20, 30, 40, 50]):02d}"


def _date(published: str) -> dt.date:
    return dt.date.fromisoformat(published[:10])


def _short(agency: str, region: Region) -> str:
    """The agency as its own portal names it: the region prefix left off (or 县/市 kept)."""
    rest = agency[len(region.name):] if agency.startswith(region.name) else agency
    if rest.startswith("人民政府"):
        return agency
    if any(w in rest for w in ("乡", "镇", "街道")):
        return rest
    return ("市" if region.level == "city" or region.name.endswith("市") else "县") + rest


# --- the plan ---------------------------------------------------------------------------------

def plan_network(seed: int) -> NetworkPlan:
    r = rng(f"wild/{seed}/network")
    n = r.randint(6, 8)
    regions = r.sample(list(REGIONS), n)
    sites = [plan_site(seed, i, regions[i]) for i in range(n)]
    return NetworkPlan(seed, sites)


class _Ids:
    def __init__(self, r: random.Random) -> None:
        self.n = r.randint(20000, 90000) * 10

    def __call__(self) -> int:
        self.n += 7
        return self.n


def plan_site(seed: int, i: int, region: Region) -> SitePlan:
    r = rng(f"wild/{seed}/site/{i}")
    family = FAMILIES[r.choice(sorted(FAMILIES))]
    encoding = _pick(r, ENCODINGS)
    kind = "dept" if r.random() < 0.25 else "gov"
    if kind == "dept":
        short, dslug = r.choice(DEPARTMENTS)
        agency = department(region, short)
        name = agency
        slug = f"{region.slug}-{dslug}"
    else:
        agency = office(region)
        name = government(region)
        slug = region.slug
    ids = _Ids(r)
    container = _pick(r, CONTAINERS)
    layout = "table" if container == "html_table" or r.random() < 0.2 else "ul"
    container = "html" if container == "html_table" else container
    if family.key == "hanweb" and container == "html" and r.random() < 0.35:
        container = "hanweb_proxy"
    # link palette of listing rows
    palette: list[tuple[int, str, str]] = []
    if container == "html":
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            idiom = _pick(r, ITEM_IDIOMS)
            palette.append((r.randint(1, 5), idiom, _form(r, idiom)))
    container_form = _form(r, "script_literal") if container == "script_literal" else ""
    # pagination
    if container in ("json_api", "hanweb_proxy"):
        scheme, pager = container, container
    else:
        scheme = _pick(r, SCHEME_WEIGHTS)
        if scheme in P.STATIC_SCHEMES:
            pager = r.choice(("numbers", "next_only", "script_counter") + (("create_page_html",) * 2 if scheme == "index_N" else ()))
        elif scheme in P.QUERY_SCHEMES:
            pager = r.choice(("numbers", "next_only", "form_get"))
        else:
            pager = "none"
    pager_idiom = r.choice(("href", "href", "href", "onclick", "js_href"))
    pager_form = _form(r, pager_idiom)
    per_page = r.choice([3, 4, 5, 6, 8]) if scheme != "single" else 1000
    column_mode = r.choices(["flat", "categories", "years"], weights=[55, 25, 20])[0] if kind == "gov" else \
        r.choices(["flat", "years"], weights=[75, 25])[0]
    shell = _pick(r, SHELLS) if container in ("html", "script_literal") else None
    url_form = r.choices(I.URL_FORMS, weights=[55, 30, 15])[0]

    col = r.randint(1100, 9800)
    cslug = r.choice(["ndbg", "xxgknb", "gknb", "zfxxgkndbg", "nb"])
    column_dir = family.column_dir(col, cslug)

    def nav_link(target: str, text: str) -> Link:
        idiom = _pick(r, NAV_IDIOMS)
        return Link(target, text, idiom, _form(r, idiom) if idiom in I.FORMS else "")

    hub_link = nav_link(family.hub(), "政府信息公开")
    if hub_link.idiom in ("option", "meta_refresh", "redirect"):   # the home page links the hub directly
        hub_link = Link(family.hub(), "政府信息公开", "href", "plain")
    site = SitePlan(
        index=i, key=f"w{i + 1}", host=f"127.0.0.{FIRST_HOST + i}", portal=f"wild-{slug}", region=region, kind=kind,
        name=name, agency=agency, family=family, encoding=encoding, url_form=url_form, layout=layout,
        container=container, container_form=container_form, palette=palette, scheme=scheme, pager=pager,
        pager_idiom=pager_idiom, pager_form=pager_form, per_page=per_page, column_mode=column_mode, shell=shell,
        column_path="", column_col=col, column_slug=cslug, column_dir=column_dir, hub_link=hub_link,
        column_link=Link("", "政府信息公开年报", "href", "plain"))
    _plan_columns(site, r)
    _plan_docs(seed, site, r, ids)
    _plan_decoys(site, r, ids)
    _finish_listings(site, r, nav_link)
    _plan_traps(site, r, ids)
    return site


def _addressing(site: SitePlan, directory: str, col: int, scheme: str | None = None) -> P.Addressing:
    """Where a listing's pages live: static files in ``directory`` or the family's list script."""
    f = site.family
    script, params = f.column_dyn(col)
    return P.Addressing(scheme or site.scheme, directory, f.ext, script, params)


def _new_listing(site: SitePlan, r: random.Random, name: str, col: int, slug: str, year: int | None) -> Listing:
    f = site.family
    base = site.column_dir if site.column_mode == "flat" else (
        f.column_dir(col, slug) if f.key in ("hanweb", "ucap") else f"{site.column_dir}{slug}/")
    shell = None
    directory = base
    if site.shell:
        shell = f"{base}index{f.ext}" if site.shell != "redirect" else base
        directory = f"{base}list/"
    lst = Listing(id=f"{site.key}-L{len(site.listings) + 1}", name=name, col=col, addr=_addressing(site, directory, col),
                  year=year, shell=shell)
    if site.scheme == "json_api":
        api_path = r.choice(["/api/content/list", "/interface/getDocList.do", "/gate/api/articles",
                             f"/common/search/{r.getrandbits(64):016x}"])
        lst.api = {"path": api_path, "params": {r.choice(["channelId", "catId", "columnId"]): str(col)},
                   "page_param": r.choice(["pageNo", "page", "pageIndex", "current"]),
                   "shape": r.choice(sorted(P.JSON_SHAPES)), "caller": r.choice(P.CALLERS)}
    if site.scheme == "hanweb_proxy":
        lst.unit = r.randint(3000, 9999)
    site.listings.append(lst)
    return lst


def _plan_columns(site: SitePlan, r: random.Random) -> None:
    """The 年报 column: one listing, or category sub-columns (years are added as documents need them)."""
    c = site.column_col
    if site.column_mode == "flat":
        _new_listing(site, r, "政府信息公开年报", c, site.column_slug, None)
    elif site.column_mode == "categories":
        _new_listing(site, r, "政府年报", c + 1, "zfnb", None)
        _new_listing(site, r, "部门年报", c + 2, "bmnb", None)
        if site.region.towns:
            _new_listing(site, r, "乡镇（街道）年报", c + 3, "xznb", None)


def _finish_listings(site: SitePlan, r: random.Random, nav_link) -> None:
    """Entry links of the listings and of the column, once every listing exists."""
    f = site.family
    if site.column_mode == "years":
        site.listings.sort(key=lambda x: -(x.year or 0))
    if site.column_mode == "flat":
        lst = site.listings[0]
        site.column_path = lst.shell or lst.first()
    else:
        site.column_path = f"{f.column_dir(site.column_col, site.column_slug)}index{f.ext}"
        idiom = _pick(r, NAV_IDIOMS)
        if idiom in ("meta_refresh", "redirect"):
            idiom = "href"
        site.sub_idiom = (idiom, _form(r, idiom) if idiom in I.FORMS else "")
        for lst in site.listings:
            lst.entry = Link(lst.shell or lst.first(), lst.name, site.sub_idiom[0], site.sub_idiom[1])
    cl = nav_link(site.column_path, "政府信息公开年报")
    if cl.idiom in ("meta_refresh", "redirect"):
        cl = Link(site.column_path, "政府信息公开年报", "href", "plain")
    site.column_link = cl


def _row_link(site: SitePlan, r: random.Random, target: str, text: str, title: str | None) -> Link:
    if site.container == "script_literal":
        return Link(target, text, "script_literal", site.container_form, title)
    if site.container == "json_api":
        return Link(target, text, "json_api", "", title)
    if site.container == "hanweb_proxy":
        return Link(target, text, "xml_proxy", "", title)
    _, idiom, form = r.choices(site.palette, weights=[w for w, _, _ in site.palette])[0]
    return Link(target, text, idiom, form, title)


def _listing_for(site: SitePlan, r: random.Random, agency: str | None, year: int) -> Listing:
    if site.column_mode == "years":
        for lst in site.listings:
            if lst.year == year:
                return lst
        return _new_listing(site, r, f"{year}年度", site.column_col + 1 + len(site.listings), f"nb{year}", year)
    if site.column_mode == "categories":
        if agency and agency.endswith("人民政府办公室") or agency is None:
            return site.listings[0]
        if agency and any(agency.endswith(t) or agency.endswith(t + "人民政府") for t in site.region.towns) and len(site.listings) > 2:
            return site.listings[2]
        return site.listings[1]
    return site.listings[0]


def _agencies(site: SitePlan, r: random.Random) -> list[str]:
    if site.kind == "dept":
        return [site.agency]
    deps = [department(site.region, s) for s, _ in r.sample(DEPARTMENTS, r.randint(3, 6))]
    towns = [township(site.region, t) for t in r.sample(site.region.towns, min(len(site.region.towns), r.randint(0, 2)))]
    return [site.agency] + deps + towns


def _generated(seed: int, site: SitePlan, n: int, agency: str, year: int, template: str) -> dict:
    """A new report of one of the site's agencies, drawn by the first network's generator."""
    cid = f"wild{seed}-{site.key}-{n}"
    if template == "legacy":
        rep = {"section2": {}, "section3": {}, "section4": {}, "failed_checks": [],
               "narrative": legacy_narrative(cid, agency, year)}
    else:
        rep = dict(figures(cid, template))
        rep["narrative"] = narrative(cid, agency, year, rep["section3"], rep["section4"], template)
    rep.update({"content_id": cid, "agency": agency, "printed_agency": agency, "report_year": year,
                "template": template, "seed": None, "broken": None, "label_style": "standard", "variant_of": None})
    site.contents[cid] = rep
    return rep


def _plan_docs(seed: int, site: SitePlan, r: random.Random, ids: _Ids) -> None:
    f = site.family
    agencies = _agencies(site, r)
    used: set[tuple[str | None, int]] = set()
    sitemap_only = 0
    has_sitemap = r.random() < 0.6
    site.sitemap_mode = r.choice(S.MODES[1:]) if has_sitemap else "none"

    def anchor(title: str, year: int, date: str, ext: str | None, main: bool) -> tuple[str, str | None]:
        style = T.pick(r, T.ANCHOR_STYLES)
        if style == "year_only" and not main:
            style = "same"
        return T.anchor_for(style, title, year, date, ext)

    def place(doc: Doc, *, can_hop: bool) -> None:
        nonlocal sitemap_only
        lst = _listing_for(site, r, doc.agency, doc.year)
        doc.listing = lst.id
        roll = r.random()
        if has_sitemap and sitemap_only < 2 and roll < 0.08:
            doc.listing = None
            doc.placement = "sitemap"
            doc.in_sitemap = True
            sitemap_only += 1
            return
        main = doc.agency == site.agency or doc.agency is None
        date = doc.published[:10]
        ext = EXT[doc.fmt] if doc.fmt != "html" else None
        text, tattr = anchor(doc.title, doc.year, date, ext, main)
        target = doc.path
        if can_hop and roll > 0.9:
            hop_kind = r.choice(["301", "302", "meta-refresh"])
            n = ids()
            hop = (f"/xxgk/jump.jsp?id={n}" if hop_kind == "302" else
                   f"/old/ndbg/{doc.year}_{n}.html" if hop_kind == "301" else
                   f"{lst.addr.directory}{_date(doc.published):%Y%m}/jump_{n}{f.ext}")
            doc.via.append((hop_kind, hop))
            doc.placement = "hop"
            target = hop
        link = _row_link(site, r, target, text, tattr)
        doc.link = link
        lst.entries.append(Entry("report" if doc.placement != "wrapper" else "wrapper", link, date, doc.id))
        doc.in_sitemap = has_sitemap and r.random() < 0.4

    n_html = r.randint(3, 7)
    for k in range(n_html):
        agency = agencies[0] if k == 0 or r.random() < 0.3 else r.choice(agencies)
        for _ in range(20):
            year = r.randint(2014, 2024)
            if (agency, year) not in used:
                break
        used.add((agency, year))
        template = template_for(year, r)
        rep = _generated(seed, site, k, agency, year, template)
        published = _published(r, year, agency.endswith("人民政府办公室") or agency.endswith("人民政府"))
        style = T.pick(r, T.TITLE_STYLES)
        if style == "no_agency" and agency != site.agency:
            style = "short_agency"
        title = T.title_for(style, agency, _short(agency, site.region), year)
        lst = _listing_for(site, r, agency, year)
        path = f.article(lst.col, "ndbg", _date(published), ids())
        doc = Doc(id=f"{site.key}-d{len(site.docs) + 1}", path=path, fmt="html", title=title, agency=agency,
                  printed_agency=agency, year=year, template=template, published=published, placement="listed",
                  title_style=style, content=rep["content_id"])
        rep["title"] = title
        site.docs.append(doc)
        place(doc, can_hop=True)

    pool = attachment_pool()
    for att in r.sample(pool, r.randint(1, 4)):
        _attachment(site, r, ids, att, place)

    if r.random() < 0.4:   # a seed report as an HTML page with the same report attached
        seed_g = r.choice(seed_groups())
        c = first_content(seed_g)
        year = c["report_year"]
        published = _published(r, year, True)
        style = r.choice(["std", "niandu", "year_first"])
        title = T.title_for(style, c["printed_agency"], c["printed_agency"], year)
        lst = _listing_for(site, r, c["agency"], year)
        day = _date(published)
        page = Doc(id=f"{site.key}-d{len(site.docs) + 1}", path=f.article(lst.col, "ndbg", day, ids()), fmt="html",
                   title=title, agency=c["agency"], printed_agency=c["printed_agency"], year=year,
                   template=c["template"], published=published, placement="listed", title_style=style, group=seed_g)
        site.docs.append(page)
        place(page, can_hop=False)
        if page.placement == "sitemap":
            page.in_sitemap = True
        fmt = r.choice(["pdf", "docx", "doc"])
        att = next(a for a in pool if a["group"] == seed_g and a["format"] == fmt)
        copy = Doc(id=f"{site.key}-d{len(site.docs) + 1}", path=f.attachment(lst.col, "ndbg", day, ids(), EXT[fmt]),
                   fmt=fmt, title=title, agency=c["agency"], printed_agency=c["printed_agency"], year=year,
                   template=c["template"], published=published, placement="attached", title_style=style,
                   group=seed_g, file=att["file"], sha256=att["sha256"], listing=page.listing, parent=page.path)
        form = r.choice(I.FORMS["attachment"])
        if form in ("iframe", "embed", "pdf_viewer") and fmt != "pdf":
            form = "href"
        copy.link = Link(copy.path, f"{title}.{EXT[fmt]}", "attachment", form)
        site.docs.append(copy)

    # a dead link, a robots-disallowed report and an off-site entry in the report column
    lst = site.listings[0]
    if r.random() < 0.5:
        year = r.randint(2016, 2023)
        path = f.article(lst.col, "ndbg", dt.date(year + 1, 1, 20), ids())
        title = T.title_for("std", r.choice(agencies), None, year)
        lst.entries.append(Entry("dead", _row_link(site, r, path, title, None), f"{year + 1}-01-20"))
        site.dead.append({"path": path, "title": title, "status": 404, "reason": "not found (dead link in the listing)"})
    if r.random() < 0.5:
        year = r.randint(2016, 2023)
        path = f"/private/ndbg/{ids()}.html"
        title = T.title_for("std", r.choice(agencies), None, year)
        lst.entries.append(Entry("disallowed", _row_link(site, r, path, title, None), f"{year + 1}-02-11"))
        site.disallowed.append({"path": path, "title": title, "reason": "robots (Disallow: /private/)"})
    site.robots_disallow.append("/private/")
    if r.random() < 0.5:
        title = "河南省政府信息公开工作年度报告汇总（省平台）"
        lst.entries.append(Entry("offsite", _row_link(site, r, f"/ndbg/{site.key}/summary.html", title, None), "2024-04-02"))
        site.offsite.append((lst.id, lst.entries[-1].link))


def _attachment(site: SitePlan, r: random.Random, ids: _Ids, att: dict, place) -> None:
    f = site.family
    year = att["year"]
    agency = att["agency"]
    printed = att["printed_agency"]
    published = _published(r, year, agency is None or agency.endswith("人民政府办公室"))
    style = T.pick(r, T.TITLE_STYLES)
    if style in ("no_agency", "short_agency"):
        style = "std"
    title = T.title_for(style, printed, printed, year)
    lst = _listing_for(site, r, agency, year)
    day = _date(published)
    doc = Doc(id=f"{site.key}-d{len(site.docs) + 1}", path=f.attachment(lst.col, "ndbg", day, ids(), EXT[att["format"]]),
              fmt=att["format"], title=title, agency=agency, printed_agency=printed, year=year, template=att["template"],
              published=published, placement="listed", title_style=style, group=att["group"], file=att["file"],
              sha256=att["sha256"])
    site.docs.append(doc)
    if r.random() < 0.4:      # an article page that only offers the file
        wrapper = f.article(lst.col, "ndbg", day, ids())
        doc.placement = "wrapper"
        doc.wrapper_path = wrapper
        doc.parent = wrapper
        doc.listing = lst.id
        text, tattr = T.anchor_for(T.pick(r, T.ANCHOR_STYLES[:3]), title, year, published[:10], None)
        row = _row_link(site, r, wrapper, text, tattr)
        lst.entries.append(Entry("wrapper", row, published[:10], doc.id))
        form = r.choice(I.FORMS["attachment"])
        if form in ("iframe", "embed", "pdf_viewer") and EXT[doc.fmt] != "pdf":
            form = "href"
        anchor = r.choice([f"{title}.{EXT[doc.fmt]}", "附件1", "点击下载", doc.path.rsplit("/", 1)[-1].rsplit("=", 1)[-1]])
        doc.link = Link(doc.path, anchor, "attachment", form)
        doc.in_sitemap = site.sitemap_mode != "none" and r.random() < 0.3
        return
    place(doc, can_hop=False)


def _plan_decoys(site: SitePlan, r: random.Random, ids: _Ids) -> None:
    f = site.family
    year = r.randint(2021, 2023)
    kw = {"agency": site.agency, "region": site.region.name, "government": government(site.region),
          "site": site.name, "level": site.region.level}
    in_listing = r.sample(["notice", "notice_submit", "workplan", "rule_of_law", "interpretation", "format_notice",
                           "budget", "gov_work_report"], r.randint(1, 3))
    elsewhere = r.sample(["gov_work_report", "stats_bulletin", "workplan", "notice", "budget"], r.randint(2, 3))
    cols = {"fdzdgknr": Column("fdzdgknr", "法定主动公开内容", f"{f.column_dir(1201, 'fdzdgknr')}index{f.ext}"),
            "tzgg": Column("tzgg", "通知公告", f"{f.column_dir(1202, 'tzgg')}index{f.ext}")}
    for k, kind in enumerate(in_listing + elsewhere + ["guide", "website_report"]):
        title, body = T.decoy_text(kind, year=year - (k % 2), **kw)
        published = _published(r, year - (k % 2), True)
        col = site.listings[0].col if k < len(in_listing) else 1201
        d = Decoy(f"{site.key}-x{k + 1}", kind, f.article(col, "xx", _date(published), ids()), title, body, published, "")
        if k < len(in_listing):
            lst = r.choice(site.listings)
            d.where = lst.id
            lst.entries.append(Entry("decoy", _row_link(site, r, d.path, title, None), published[:10], d.id))
        elif kind == "guide":
            d.where = "hub"
        elif kind == "website_report":
            d.where = "footer"
        else:
            ck = "tzgg" if kind.startswith("notice") else "fdzdgknr"
            d.where = ck
            cols[ck].links.append(Link(d.path, title, "href", "plain"))
        site.decoys.append(d)
    site.columns = list(cols.values())
    site.news = []
    for k, t in enumerate(["召开全体会议研究部署近期重点工作", "政务公开工作推进会召开", "关于公开征求意见的公告",
                           "经济运行情况新闻发布会", "政府信息公开申请流程图"]):
        day = dt.date(2024, 3, 20 - 3 * k)
        site.news.append((f.article(1301, "xwzx", day, ids()), f"{site.region.name}{t}" if k < 2 else t, day.isoformat()))


def _plan_traps(site: SitePlan, r: random.Random, ids: _Ids) -> None:
    kinds = ["search"] + r.sample([k for k in TR.KINDS if k != "search"], r.randint(2, 4))
    for k in kinds:
        trap = TR.make(k, r.randint(0, 9))
        site.traps.append(trap)
        if k == "search" and r.random() < 0.4:
            site.robots_disallow.append("/search/")
        if k == "search" and r.random() < 0.5:
            continue          # only the search box of the page header leads there
        where = "hub" if k == "deep_relative" else "home"
        idiom = r.choice(["href", "href", "href", "onclick", "js_href"])
        site.trap_links.append((where, Link(trap.entry, trap.title, idiom, _form(r, idiom))))
    # off-site links in the chrome and on the home page, by varied idioms
    for idiom in r.sample(["href", "option", "data_attr", "iframe", "onclick", "area", "redirect", "meta_refresh"],
                          r.randint(2, 4)):
        path = f"/{idiom}/{site.key}/{ids()}.html"
        site.offsite.append(("home", Link(path, "河南省人民政府门户网站" if idiom != "iframe" else "天气预报", idiom,
                                          _form(r, idiom) if idiom in I.FORMS else "")))

