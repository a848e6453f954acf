"""Duplicate reports: the same report fetched as different bytes links to one canonical report.

Three levels:

1. exact: identical bytes have one sha256, hence one blob and one report row (nothing to do);
2. normalized text: NFKC, then whitespace, punctuation and symbols dropped (full and half width
   fold together under NFKC), lower-cased, sha256 -> ``report.text_hash``; equal hashes are the
   same report whatever the format;
3. near duplicate: MinHash over character 5-grams of the normalized text, LSH candidates from
   Jaccard ~0.5, *confirmed* only when agency, report year and every figure agree. A portal's
   HTML and another portal's PDF of one report land here (line breaks, page numbers, headers
   differ); the same office's next-year report (~96% similar text) does not (other year,
   other figures).

Copies point at the earliest-captured report of their group (``report.canonical_report_id``;
NULL on the canonical itself).

Where the MinHash signatures live: they are recomputed from the stored extraction text
(``extraction.text``) and cached per process, keyed by (sha256, extractor_version): text is
already persisted once per blob, a signature is ~7 ms to rebuild, and confirmation needs the
same year, so an incremental lookup only signs that year's reports. No extra table to migrate.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

import numpy as np
import sqlalchemy as sa
from datasketch import MinHash, MinHashLSH

from pipelines.texthash import normalize_text, text_hash  # noqa: F401  (text_hash: dedup's key)
from pipelines.unionfind import DisjointSet

logger = logging.getLogger(__name__)

SHINGLE = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.5
_PRIME = np.uint64(1_000_003)
_MASK32 = np.uint64(0xFFFFFFFF)


def shingle_hashes(norm: str, k: int = SHINGLE) -> np.ndarray:
    """Distinct 32-bit hashes of the character k-grams (a polynomial hash over code points,
    vectorised: ~50x faster than hashing each shingle with sha1 in Python)."""
    if not norm:
        return np.zeros(0, dtype=np.uint64)
    cps = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    k = min(k, len(cps))
    n = len(cps) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for i in range(k):
        h = h * _PRIME + cps[i:i + n]
    h ^= h >> np.uint64(31)  # fold the high bits in before keeping 32
    return np.unique(h & _MASK32)


@functools.lru_cache(maxsize=1)
def _permutations() -> Any:
    """The seed-1 permutations, generated once (MinHash() would redo it for every text)."""
    m = MinHash(num_perm=NUM_PERM, seed=1)
    return m.permutations, m.scheme


def _identity(x: int) -> int:
    return x


def minhash(text: str | None, *, normalized: bool = False) -> MinHash:
    """MinHash (128 permutations, fixed seed) over character 5-grams of the normalized text."""
    perms, scheme = _permutations()
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=perms, scheme=scheme)
    hv = shingle_hashes((text or "") if normalized else normalize_text(text))
    if len(hv):
        m.update_batch(hv.tolist())
    return m


def agency_key(agency: str | None) -> str | None:
    if not agency:
        return None
    return "".join(ch for ch in unicodedata.normalize("NFKC", agency) if not ch.isspace()) or None


def _value_key(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        v = Decimal(repr(v))
    if isinstance(v, Decimal):
        v = v.normalize()
        if v == v.to_integral_value():
            return str(int(v))
    return str(v)


def _figure(section: Any, row_key: Any, column_key: Any, value: Any) -> str:
    return f"{section}/{row_key}/{column_key}={_value_key(value)}"


def figures_digest(cells: Iterable[Any]) -> str:
    """sha256 over the report's figures (section/row/column=value, sorted): equal iff every
    figure is equal. Cells are dicts or rows with those fields."""
    items = []
    for c in cells:
        get = c.get if isinstance(c, dict) else (lambda k, _c=c: getattr(_c, k))
        items.append(_figure(get("section"), get("row_key"), get("column_key"), get("value")))
    return hashlib.sha256("\n".join(sorted(items)).encode("utf-8")).hexdigest()


@dataclass
class ReportKey:
    """What deduplication knows about one report row."""

    report_id: int
    sha256: str
    agency: str | None
    region_code: str | None
    report_year: int | None
    text_hash: str | None
    captured_at: dt.datetime | None
    canonical_report_id: int | None = None
    figures: str | None = None           # figures_digest, loaded only for candidates
    signature: MinHash | None = field(default=None, repr=False)

    def order(self) -> tuple:
        """Earliest captured first; the row id breaks ties (and orders uncaptured rows)."""
        far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
        ts = self.captured_at or far
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=dt.timezone.utc)
        return (ts, self.report_id)


def _identity_verdict(a: ReportKey, b: ReportKey) -> tuple[bool | None, str]:
    """The cheap part of confirmation: None when figures and text must decide."""
    if a.sha256 == b.sha256:
        return True, "exact"
    if a.text_hash and a.text_hash == b.text_hash:
        return True, "text_hash"
    if a.report_year is None or a.report_year != b.report_year:
        return False, "year differs"
    ka, kb = agency_key(a.agency), agency_key(b.agency)
    if ka != kb:
        return False, "agency differs"
    if ka is None and a.region_code != b.region_code:
        return False, "no agency, region differs"
    return None, ""


def same_report(a: ReportKey, b: ReportKey) -> tuple[bool, str]:
    """Confirm a candidate pair; returns (verdict, reason). Figures must be loaded."""
    verdict, why = _identity_verdict(a, b)
    if verdict is not None:
        return verdict, why
    if a.figures != b.figures:
        return False, "figures differ"
    if a.signature is not None and b.signature is not None:
        j = a.signature.jaccard(b.signature)
        if j < LSH_THRESHOLD:
            return False, f"text too different (J~{j:.2f})"
    return True, "near"


# ---------------------------------------------------------------- signatures from stored text

_SIG_CACHE: dict[tuple[str, str | None], MinHash] = {}
_SIG_LOCK = threading.Lock()
_SIG_CACHE_MAX = 50_000


def _engine(archive: Any) -> sa.Engine:
    for attr in ("engine", "_engine"):
        eng = getattr(archive, attr, None)
        if isinstance(eng, sa.Engine):
            return eng
    raise TypeError("archive exposes no SQLAlchemy engine")


def _tables(archive: Any) -> dict[str, sa.Table]:
    from storage import models

    return {t: models.Base.metadata.tables[t] for t in ("report", "extraction")}


def load_texts(archive: Any, sha256s: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """sha256 -> (extractor_version, text) of the newest extraction of each blob."""
    ext = _tables(archive)["extraction"]
    want = sorted(set(sha256s))
    out: dict[str, tuple[str | None, str]] = {}
    with _engine(archive).connect() as conn:
        for i in range(0, len(want), 500):
            rows = conn.execute(
                sa.select(ext.c.sha256, ext.c.extractor_version, ext.c.text)
                .where(ext.c.sha256.in_(want[i:i + 500]), ext.c.error.is_(None))
                .order_by(ext.c.id)
            )
            for sha, ver, text in rows:
                out[sha] = (ver, text or "")
    return out


def signatures(archive: Any, keys: list[ReportKey]) -> None:
    """Fill key.signature for each key, from the cache or from stored extraction text."""
    missing = [k for k in keys if k.signature is None]
    if not missing:
        return
    texts = load_texts(archive, (k.sha256 for k in missing))
    for k in missing:
        ver, text = texts.get(k.sha256, (None, ""))
        ck = (k.sha256, ver)
        with _SIG_LOCK:
            sig = _SIG_CACHE.get(ck)
        if sig is None:
            sig = minhash(text)
            with _SIG_LOCK:
                if len(_SIG_CACHE) >= _SIG_CACHE_MAX:
                    _SIG_CACHE.clear()
                _SIG_CACHE[ck] = sig
        k.signature = sig


# ---------------------------------------------------------------- report keys from the archive

def load_keys(archive: Any, *, report_year: int | None = None, report_ids: Iterable[int] | None = None,
              any_year: bool = False, agency: str | None | bool = False,
              region_code: str | None = None) -> dict[int, ReportKey]:
    """Current report rows, optionally limited to one year, some ids, or one agency.

    ``agency=None`` selects rows without agency in ``region_code``; ``agency=False`` (default)
    does not filter on it. Figures are not loaded here (see :func:`load_figures`).
    """
    rep = _tables(archive)["report"]
    q = sa.select(rep.c.id, rep.c.sha256, rep.c.agency, rep.c.region_code, rep.c.report_year,
                  rep.c.text_hash, rep.c.captured_at, rep.c.canonical_report_id)
    if "is_current" in rep.c:
        q = q.where(rep.c.is_current.is_(True))
    if report_ids is not None:
        q = q.where(rep.c.id.in_(list(report_ids)))
    elif not any_year:
        q = q.where(rep.c.report_year == report_year) if report_year is not None else q.where(rep.c.report_year.is_(None))
    if agency is None:
        q = q.where(rep.c.agency.is_(None))
        q = q.where(rep.c.region_code == region_code) if region_code else q.where(rep.c.region_code.is_(None))
    elif agency is not False:
        q = q.where(rep.c.agency == agency)
    keys: dict[int, ReportKey] = {}
    with _engine(archive).connect() as conn:
        for r in conn.execute(q):
            captured = r.captured_at
            if isinstance(captured, str):
                captured = dt.datetime.fromisoformat(captured)
            keys[r.id] = ReportKey(r.id, r.sha256, r.agency, r.region_code, r.report_year, r.text_hash,
                                   captured, r.canonical_report_id)
    return keys


def load_figures(archive: Any, keys: Iterable[ReportKey]) -> None:
    """Fill key.figures (a digest) for the keys that lack it, from report_cell."""
    todo = {k.report_id: k for k in keys if k.figures is None}
    if not todo:
        return
    # the public view, not the table: its columns are the contract, the table layout is storage's
    q = sa.text("SELECT report_id, section, row_key, column_key, value FROM report_cells "
                "WHERE report_id IN :ids").bindparams(sa.bindparam("ids", expanding=True))
    figs: dict[int, list[str]] = defaultdict(list)
    ids = sorted(todo)
    with _engine(archive).connect() as conn:
        for i in range(0, len(ids), 500):
            for c in conn.execute(q, {"ids": ids[i:i + 500]}):
                figs[c.report_id].append(_figure(c.section, c.row_key, c.column_key, c.value))
    for rid, k in todo.items():
        k.figures = hashlib.sha256("\n".join(sorted(figs.get(rid, []))).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- grouping and linking

@dataclass
class DedupStats:
    reports: int = 0
    groups: int = 0              # groups with more than one report
    duplicates: int = 0          # reports pointing at another (canonical) report
    links_changed: int = 0       # canonical links written in this pass
    candidates: int = 0          # LSH candidate pairs examined
    rejected: dict[str, int] = field(default_factory=dict)  # reasons candidates were not merged

    def to_dict(self) -> dict[str, Any]:
        return {"reports": self.reports, "groups": self.groups, "duplicates": self.duplicates,
                "links_changed": self.links_changed, "candidates": self.candidates,
                "rejected": dict(self.rejected)}


def _pairs(keys: dict[int, ReportKey], archive: Any, stats: DedupStats, focus: Iterable[int] | None = None):
    """Confirmed duplicate pairs among `keys` (only pairs touching `focus`, when given)."""
    by_hash: dict[str, list[int]] = defaultdict(list)
    by_sha: dict[str, list[int]] = defaultdict(list)
    for k in keys.values():
        by_sha[k.sha256].append(k.report_id)
        if k.text_hash:
            by_hash[k.text_hash].append(k.report_id)
    focus_set = set(focus) if focus is not None else None
    seen: set[tuple[int, int]] = set()

    def emit(a: int, b: int):
        p = (min(a, b), max(a, b))
        if a == b or p in seen or (focus_set is not None and a not in focus_set and b not in focus_set):
            return None
        seen.add(p)
        return p

    for group in list(by_sha.values()) + list(by_hash.values()):
        for other in group[1:]:
            p = emit(group[0], other)
            if p:
                yield p
    # near duplicates: LSH within each report year (confirmation needs the same year anyway)
    by_year: dict[int, list[ReportKey]] = defaultdict(list)
    for k in keys.values():
        if k.report_year is not None:
            by_year[k.report_year].append(k)
    for year, ks in by_year.items():
        if len(ks) < 2 or (focus_set is not None and not any(k.report_id in focus_set for k in ks)):
            continue
        signatures(archive, ks)
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        for k in ks:
            if k.signature is not None and not k.signature.is_empty():
                lsh.insert(k.report_id, k.signature)
        for k in ks:
            if focus_set is not None and k.report_id not in focus_set:
                continue
            if k.signature is None or k.signature.is_empty():
                continue
            cands = [p for p in (emit(k.report_id, o) for o in lsh.query(k.signature)) if p]
            stats.candidates += len(cands)
            undecided = []
            for p in cands:
                ok, why = _identity_verdict(keys[p[0]], keys[p[1]])
                if ok is None:
                    undecided.append(p)
                elif ok:
                    yield p
                else:
                    stats.rejected[why] = stats.rejected.get(why, 0) + 1
            if undecided:  # only these need their figures from report_cell
                load_figures(archive, [keys[r] for r in {r for p in undecided for r in p}])
            for p in undecided:
                ok, why = same_report(keys[p[0]], keys[p[1]])
                if ok:
                    yield p
                else:
                    stats.rejected[why.split(" (")[0]] = stats.rejected.get(why.split(" (")[0], 0) + 1
                    logger.debug("not merged %s/%s: %s", p[0], p[1], why)


def _apply(archive: Any, keys: dict[int, ReportKey], uf: DisjointSet, members: Iterable[int],
           stats: DedupStats) -> None:
    groups: dict[int, list[int]] = defaultdict(list)
    for rid in members:
        groups[uf[rid]].append(rid)
    for ids in groups.values():
        canonical = min(ids, key=lambda r: keys[r].order())
        if len(ids) > 1:
            stats.groups += 1
            stats.duplicates += len(ids) - 1
        for rid in ids:
            target = None if rid == canonical else canonical
            if keys[rid].canonical_report_id != target:
                archive.set_canonical(rid, target)
                keys[rid].canonical_report_id = target
                stats.links_changed += 1


def dedup_all(archive: Any) -> DedupStats:
    """Regroup every current report of the archive (order-independent; idempotent)."""
    keys = load_keys(archive, any_year=True)
    stats = DedupStats(reports=len(keys))
    uf = DisjointSet(keys)
    for a, b in _pairs(keys, archive, stats):
        uf.merge(a, b)
    _apply(archive, keys, uf, keys.keys(), stats)
    return stats


def link_report(archive: Any, report_id: int) -> DedupStats:
    """Link one (new) report into its duplicate group, looking only at its year and its hashes.

    Used per item by the crawl pipeline; `dedup_all` does the whole archive at once.
    """
    own = load_keys(archive, report_ids=[report_id])
    stats = DedupStats()
    if report_id not in own:
        return stats
    me = own[report_id]
    # confirmation needs the same year and agency: only those reports can be its copies
    keys = load_keys(archive, report_year=me.report_year, agency=me.agency,
                     region_code=me.region_code) if me.report_year is not None else {}
    keys[report_id] = me
    rep = _tables(archive)["report"]
    cur = (rep.c.is_current.is_(True),) if "is_current" in rep.c else ()
    with _engine(archive).connect() as conn:
        if me.text_hash:  # equal text is the same report whatever the metadata says
            same_text = [r for (r,) in conn.execute(sa.select(rep.c.id).where(rep.c.text_hash == me.text_hash, *cur))]
            keys.update(load_keys(archive, report_ids=[r for r in same_text if r not in keys]))
        # and every member of the groups those belong to (a group is relinked as a whole)
        canon = {k.canonical_report_id or k.report_id for k in keys.values()}
        members = [r for (r,) in conn.execute(sa.select(rep.c.id).where(
            sa.or_(rep.c.canonical_report_id.in_(canon), rep.c.id.in_(canon)), *cur))]
    keys.update(load_keys(archive, report_ids=[r for r in members if r not in keys]))
    stats.reports = len(keys)
    # existing links stay, except those into or out of this report: it is judged afresh
    uf = DisjointSet(keys)
    pointing_at_me = {r for r, k in keys.items() if k.canonical_report_id == report_id and r != report_id}
    for k in keys.values():
        c = k.canonical_report_id
        if k.report_id != report_id and c is not None and c in keys and c != report_id:
            uf.merge(k.report_id, c)
    focus = {report_id} | pointing_at_me
    for a, b in _pairs(keys, archive, stats, focus=focus):
        uf.merge(a, b)
    touched = focus | ({me.canonical_report_id} & set(keys))
    roots = {uf[r] for r in touched}
    members = [r for r in keys if uf[r] in roots]
    _apply(archive, keys, uf, members, stats)
    return stats
