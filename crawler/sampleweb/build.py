"""Render the planned network to crawler/sampleweb/site/: served files, seed renderings, truth.json.

Deterministic: HTML, DOCX, XLS and truth.json are byte-identical on every build. LibreOffice
outputs (PDF, DOC, WPS, scans made from those PDFs) carry timestamps, so an existing output is
kept while the DOCX it was made from is unchanged (build-manifest.json records the source hash).
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from . import network as N
from .generate import figures, legacy_narrative, narrative
from .pages import Site, encode, page_html
from .render_html import report_content
from .render_office import render_docx, render_xls, scan_pdf, soffice_convert, wps_from_doc
from .seeds import load_seeds

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).resolve().parent / "site"
SEED_FORMATS = ["html", "html_gbk", "html_nocharset", "pdf", "pdf_scan", "docx", "doc", "wps", "xls"]
EXT = {"html": "html", "html_gbk": "html", "html_nocharset": "html", "pdf": "pdf", "pdf_scan": "pdf",
       "docx": "docx", "doc": "doc", "wps": "wps", "xls": "xls"}
SEED_SUFFIX = {"html": ".html", "html_gbk": ".gbk.html", "html_nocharset": ".nocharset.html", "pdf": ".pdf",
               "pdf_scan": ".scan.pdf", "docx": ".docx", "doc": ".doc", "wps": ".wps", "xls": ".xls"}
# which site's page chrome/encoding each HTML rendering of a seed uses
SEED_HTML_SITE = {"html": "city", "html_gbk": "luoning", "html_nocharset": "luolong"}


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def report_dict(c: N.Content, seeds: dict[str, dict]) -> dict[str, Any]:
    """Full content of one report: title, agency, figures, failed checks, narrative."""
    if c.seed:
        s = seeds[c.seed]
        rep = {k: s[k] for k in ("section2", "section3", "section4", "failed_checks", "narrative")}
        printed = s["printed_agency"]
    elif c.template == "legacy":
        rep = {"section2": {}, "section3": {}, "section4": {}, "failed_checks": [],
               "narrative": legacy_narrative(c.id, c.agency or "", c.year)}
        printed = c.agency
    else:
        f = figures(c.id, c.template, c.broken)
        rep = dict(f)
        rep["narrative"] = narrative(c.id, c.agency or "", c.year, f["section3"], f["section4"], c.template,
                                     variant_of=c.variant_of)
        printed = c.agency
    rep.update({
        "content_id": c.id, "agency": c.agency, "printed_agency": printed or c.printed_agency,
        "report_year": c.year, "template": c.template, "seed": c.seed, "broken": c.broken,
        "label_style": c.label_style, "variant_of": c.variant_of,
        "title": f"{printed or c.printed_agency}{c.year}年政府信息公开工作年度报告",
    })
    return rep


def report_page(site: Site, rep: dict, published: str, attachments: list[tuple[str, str]] = ()) -> str:
    body = report_content(rep)
    if attachments:
        body += "".join(f'<p>附件：<a href="{href}">{name}</a></p>' for href, name in attachments)
    crumbs = [("首页", "/"), ("政府信息公开", "/xxgk/index.html"), ("政府信息公开年报", list_path(site))]
    return page_html(site, rep["title"], body, published=published,
                     source=rep["agency"] or site.agency, breadcrumb=crumbs)


def list_path(site: Site) -> str:
    return {"city": "/xxgk/ndbg/index.html", "luoning": "/col/col1024/index.html",
            "luolong": "/xxgk/ndbg/index.html", "zsj": "/zwgk/ndbg/index.html",
            "yiyang": "/zfxxgk/ndbg/index.shtml"}[site.key]


def file_name(site: str, path: str) -> str:
    """Where a served path's bytes live under site/files/."""
    p = path.lstrip("/")
    if "?" in p:
        p = p.replace("?", "__").replace("&", "_").replace("=", "-")
    return f"files/{site}/{p}"


class _OfficeCache:
    """Reuses committed LibreOffice outputs while their DOCX source is unchanged."""

    def __init__(self, root: Path, source: Path | None = None):
        self.root = root
        self.path = root / "build-manifest.json"
        self.src = source or root
        mf = self.src / "build-manifest.json"
        # out_key -> {"source": sha256 of the DOCX, "file": where the output bytes are kept}
        self.old: dict[str, dict] = json.loads(mf.read_text()) if mf.exists() else {}
        self.sources: dict[str, str] = {}
        self.todo: dict[str, dict[str, bytes]] = {"pdf": {}, "doc": {}}
        self.results: dict[str, bytes] = {}

    def request(self, key: str, docx: bytes, target: str) -> None:
        src = sha256(docx)
        out_key = f"{key}.{target}"
        self.sources[out_key] = src
        old = self.old.get(out_key)
        if isinstance(old, str):  # manifest of the first layout: {out_key: source sha}
            old = {"source": old, "file": f"_lo/{out_key}", "sha256": None}
        cached = self.src / old["file"] if old else None
        if old and old.get("source") == src and cached.exists():
            data = cached.read_bytes()
            if old.get("sha256") in (None, sha256(data)):
                self.results[out_key] = data
                return
        self.todo[target][f"{key}.docx"] = docx

    def run(self) -> None:
        for target, sources in self.todo.items():
            if sources:
                logger.info("LibreOffice: %d file(s) -> %s", len(sources), target)
                self.results.update(soffice_convert(sources, target))

    def get(self, key: str, target: str) -> bytes:
        return self.results[f"{key}.{target}"]

    def save(self, written: dict[str, str]) -> None:
        """Record where each output lives: a served/rendered file with the same bytes, else _lo/."""
        by_hash = {h: rel for rel, h in sorted(written.items())}
        manifest = {}
        keep = set()
        for out_key, src in sorted(self.sources.items()):
            data = self.results[out_key]
            h = sha256(data)
            rel = by_hash.get(h)
            if rel is None:
                rel = f"_lo/{out_key}"
                p = self.root / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                if not p.exists() or p.read_bytes() != data:
                    p.write_bytes(data)
                keep.add(p.name)
            manifest[out_key] = {"source": src, "file": rel, "sha256": h}
        self.path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        for f in list((self.root / "_lo").glob("*")):
            if f.name not in keep:
                f.unlink()


def build(out: Path | None = None, seeds_dir: Path | None = None, office_cache: Path | None = None) -> dict:
    """Write every file and truth.json; returns the truth.

    ``office_cache``: a site directory whose LibreOffice outputs may be reused (default: ``out``),
    so a build into a scratch directory needs no LibreOffice while the sources are unchanged.
    """
    root = Path(out or SITE_DIR)
    root.mkdir(parents=True, exist_ok=True)
    seeds = {s["id"]: s for s in load_seeds(seeds_dir)}
    reps = {c.id: report_dict(c, seeds) for c in N.contents()}
    plan = N.docs()
    cache = _OfficeCache(root, Path(office_cache) if office_cache else None)

    # 1. LibreOffice requests (one batch per target)
    def office_key(content_id: str) -> str:
        return content_id
    needed_pdf = {d.content for d in plan if d.fmt in ("pdf", "pdf_scan")} | set(seeds)
    needed_doc = {d.content for d in plan if d.fmt in ("doc", "wps")} | set(seeds)
    docx_cache = {cid: render_docx(reps[cid]) for cid in needed_pdf | needed_doc | {d.content for d in plan if d.fmt == "docx"}}
    for cid in sorted(needed_pdf):
        cache.request(office_key(cid), docx_cache[cid], "pdf")
    for cid in sorted(needed_doc):
        cache.request(office_key(cid), docx_cache[cid], "doc")
    cache.run()

    def binary(cid: str, fmt: str) -> bytes:
        if fmt == "docx":
            return docx_cache[cid]
        if fmt == "xls":
            return render_xls(reps[cid])
        if fmt == "pdf":
            return cache.get(cid, "pdf")
        if fmt == "pdf_scan":
            return scan_pdf(cache.get(cid, "pdf"))
        if fmt == "doc":
            return cache.get(cid, "doc")
        if fmt == "wps":
            return wps_from_doc(cache.get(cid, "doc"))
        raise ValueError(fmt)

    written: dict[str, str] = {}

    def write(rel: str, data: bytes) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists() or p.read_bytes() != data:
            p.write_bytes(data)
        written[rel] = sha256(data)

    # 2. served documents
    attachments: dict[str, list[tuple[str, str]]] = {}
    for d in plan:
        if d.attach_to:
            attachments.setdefault(d.attach_to, []).append((d.path, reps[d.content]["title"] + "." + EXT[d.fmt]))
    documents = []
    for i, d in enumerate(plan):
        site = N.SITE_BY_KEY[d.site]
        c = next(x for x in N.contents() if x.id == d.content)
        rep = reps[d.content]
        pub = N.published(c, d)
        if d.fmt == "html":
            data = encode(site, report_page(site, rep, pub, attachments.get(d.path, [])))
        else:
            data = binary(d.content, d.fmt)
        rel = file_name(d.site, d.path)
        write(rel, data)
        documents.append(_doc_truth(i, d, site, rep, pub, rel, data))

    # 3. every seed in every format
    rendered = []
    for sid in sorted(seeds):
        rep = reps[sid]
        for fmt in SEED_FORMATS:
            if fmt.startswith("html"):
                site = N.SITE_BY_KEY[SEED_HTML_SITE[fmt]]
                data = encode(site, report_page(site, rep, "2024-03-01 09:00"))
                charset, declared = site.charset, site.declared
            else:
                data = binary(sid, fmt)
                charset = declared = None
            rel = f"rendered/{sid}/{sid}{SEED_SUFFIX[fmt]}"
            write(rel, data)
            rendered.append({"seed": sid, "format": fmt, "file": rel, "sha256": sha256(data), "size": len(data),
                             "charset": charset, "declared_charset": declared,
                             "has_narrative": fmt != "xls", "has_tables": True})
    cache.save(written)

    truth = {
        "schema": 1,
        "download_limit": N.DOWNLOAD_LIMIT,
        "sites": [{"key": s.key, "host": s.host, "portal": s.portal, "name": s.name, "agency": s.agency,
                   "region_code": s.region_code, "cms": s.cms, "charset": s.charset,
                   "declared_charset": s.declared, "list_path": list_path(s)} for s in N.SITES],
        "offsite_host": N.OFFSITE_HOST,
        "reports": documents,
        "contents": {cid: {k: v for k, v in r.items()} for cid, r in sorted(reps.items())},
        "rendered": rendered,
        "traps": N.TRAPS,
        "expected_failures": N.FAILURES,
        "listing_pages": [],   # filled by the server model (paths depend on page counts)
        "cases": _cases(reps, documents),
    }
    from .server import listing_pages  # late import: the server renders listings from the truth
    truth["listing_pages"] = listing_pages(truth)
    write("truth.json", (json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    # drop files of documents no longer planned
    for f in (root / "files").rglob("*"):
        if f.is_file() and str(f.relative_to(root)) not in written:
            f.unlink()
    for f in (root / "rendered").rglob("*"):
        if f.is_file() and str(f.relative_to(root)) not in written:
            f.unlink()
    return truth


def _cases(reps: dict[str, dict], documents: list[dict]) -> dict:
    """Named cases downstream tests look for, so they need not hard-code content ids."""
    by_group: dict[str, list[dict]] = {}
    for d in documents:
        by_group.setdefault(d["group"], []).append(d)
    cross = sorted(g for g, ds in by_group.items() if len({d["site"] for d in ds}) > 1)
    attached = sorted({d["group"] for d in documents if d["attached_to"]})
    pairs = sorted([r["variant_of"], cid] for cid, r in reps.items() if r.get("variant_of"))
    return {
        "cross_post": cross,
        "html_with_pdf_attachment": attached,
        "next_year_pair": pairs,
        "broken": {cid: r["broken"] for cid, r in sorted(reps.items()) if r["broken"]},
        "late_adopter_2019_layout": sorted(cid for cid, r in reps.items()
                                           if r["template"] == "2019" and r["report_year"] >= 2021),
        "label_styles": {cid: r["label_style"] for cid, r in sorted(reps.items()) if r["label_style"] != "standard"},
        "agency_not_printed": sorted(cid for cid, r in reps.items() if not r["agency"]),
    }


def _doc_truth(i: int, d: N.Doc, site: Site, rep: dict, pub: str, rel: str, data: bytes) -> dict:
    html = d.fmt == "html"
    return {
        "id": f"doc{i:03d}",
        "site": d.site, "host": site.host, "portal": site.portal, "path": d.path,
        "format": d.fmt, "file": rel, "sha256": sha256(data), "size": len(data),
        "charset": site.charset if html else None,
        "declared_charset": site.declared if html else None,
        "title": rep["title"], "anchor": d.title or rep["title"],
        "agency": rep["agency"], "printed_agency": rep["printed_agency"],
        "page_agency": site.agency if (html and not rep["agency"]) else rep["agency"],
        "report_year": rep["report_year"], "template": rep["template"],
        "section2": rep["section2"], "section3": rep["section3"], "section4": rep["section4"],
        "failed_checks": rep["failed_checks"], "group": rep["content_id"], "seed": rep["seed"],
        "published": pub, "listed": d.listed, "attached_to": d.attach_to,
        "via": [{"kind": k, "path": p} for k, p in d.via],
        "has_narrative": d.fmt != "xls", "region_code": site.region_code,
    }
