"""The set-based batch path decides exactly like the one-by-one path."""
from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

import sqlalchemy as sa

from storage import Archive


def _drop_schema(url: str, schema: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def _plan(seed: int = 3, n: int = 300) -> list[dict]:
    rnd = random.Random(seed)
    bodies = [f"<html>body {i}</html>".encode() * 20 for i in range(12)]
    plan = []
    for _ in range(n):
        url = f"http://a.test/{rnd.randrange(25)}"
        r = rnd.random()
        if r < 0.15:
            plan.append({"url": url, "status": 304, "headers": {"ETag": '"x"'}})
        elif r < 0.22:
            plan.append({"url": url, "status": rnd.choice([404, 500, None]), "portal": "p"})
        else:
            plan.append({"url": url, "status": 200, "body": rnd.choice(bodies), "portal": rnd.choice(["p", None]),
                         "headers": {"ETag": f'"{rnd.randrange(5)}"', "Content-Type": "text/html"}})
    return plan


def _state(a: Archive) -> dict:
    q = a.query
    return {
        "captures": q("SELECT capture_id, document_id, version_id, url, status, kind, sha256, new_blob, etag, error "
                      "FROM captures ORDER BY capture_id"),
        "documents": q("SELECT document_id, url, portal, current_version_id, current_sha256, etag, version_count, "
                       "capture_count FROM documents ORDER BY document_id"),
        "versions": q("SELECT version_id, document_id, version_number, sha256, capture_count, first_capture_id, "
                      "is_current FROM document_versions ORDER BY version_id"),
        "blobs": q("SELECT sha256, size, compression FROM blob ORDER BY sha256"),
        "sources": q("SELECT report_id, document_id, url, capture_id FROM report_source ORDER BY report_id, document_id"),
    }


def test_batches_match_single_captures(db_url: str, tmp_path: Path, request):
    plan = _plan()
    one = Archive(db_url, tmp_path / "one")
    seed = one.record_capture(run_id=None, url="http://seed.test/r", status=200, body=b"<html>body 3</html>" * 20)
    one.save_report(seed.sha256, "p", {"report_year": 2023})
    singles = [one.record_capture(run_id=None, **c) for c in plan]
    s1 = _state(one)
    one.close()

    if db_url.startswith("postgresql"):  # a second fresh schema for the batch archive
        schema = "t_" + uuid.uuid4().hex[:12]
        eng = sa.create_engine(db_url)
        with eng.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        eng.dispose()
        request.addfinalizer(lambda: _drop_schema(db_url, schema))
        db_url2 = re.sub(r"search_path%3D\w+", f"search_path%3D{schema}", db_url)
    else:
        db_url2 = f"sqlite:///{tmp_path / 'batch.sqlite'}"
    two = Archive(db_url2, tmp_path / "two")
    seed2 = two.record_capture(run_id=None, url="http://seed.test/r", status=200, body=b"<html>body 3</html>" * 20)
    two.save_report(seed2.sha256, "p", {"report_year": 2023})
    batched = []
    for i in range(0, len(plan), 64):
        batched += two.record_captures([{"run_id": None, **c} for c in plan[i:i + 64]])
    s2 = _state(two)
    two.close()

    # ids are opaque: PostgreSQL sequences may leave gaps, so compare them by rank
    vmap = _ranks([r.version_id for r in singles]), _ranks([r.version_id for r in batched])
    rows1 = [(r.kind, r.capture_id, r.document_id, vmap[0].get(r.version_id), r.sha256, r.new_blob, r.error,
              r.also_at) for r in singles]
    rows2 = [(r.kind, r.capture_id, r.document_id, vmap[1].get(r.version_id), r.sha256, r.new_blob, r.error,
              r.also_at) for r in batched]
    assert rows2 == rows1
    assert {r.kind for r in singles} == {"new_version", "identical_revisit", "not_modified", "error"}
    for key in s1:
        assert _norm(s2[key], vmap[1]) == _norm(s1[key], vmap[0]), key


def _ranks(ids: list) -> dict:
    return {v: i for i, v in enumerate(sorted({x for x in ids if x is not None}))}


def _norm(rows: list[dict], vmap: dict) -> list[dict]:
    out = []
    for r in rows:
        r = dict(r)
        for k in ("version_id", "current_version_id"):
            if k in r:
                r[k] = vmap.get(r[k], r[k])
        out.append(r)
    return out
