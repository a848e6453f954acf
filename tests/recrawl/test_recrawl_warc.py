"""WARC 1.1 export: every capture present, revisits of both profiles refer to their originals,
warcio reads it back and `warcio check` validates the digests; pywb indexes and replays it."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storage import Archive
from storage.warc import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, payload_digest, record_id, write_warc

sys.path.insert(0, str(Path(__file__).parent))
from helpers import OTHER, REPORT_V1, REPORT_V2, fill_two_runs  # noqa: E402

BIN = Path(sys.executable).parent


def _records(path: Path) -> list:
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            body = rec.content_stream().read()
            out.append((rec, body))
    return out


@pytest.fixture
def filled(db_url, tmp_path):
    a = Archive(db_url, tmp_path / "blobs")
    info = fill_two_runs(a)
    yield a, info
    a.close()


def test_run_warc_has_every_capture_and_revisits_refer_to_originals(filled, tmp_path):
    a, info = filled
    r1, r2 = info["runs"]
    caps = {c["id"]: c for c in a.captures(run_id=r2)}
    path = write_warc(a, tmp_path / "warc", run_id=r2)
    recs = _records(path)
    assert recs[0][0].rec_type == "warcinfo"
    assert all(r.rec_headers.protocol == "WARC/1.1" for r, _ in recs)
    by_id = {r.rec_headers.get_header("WARC-Record-ID"): (r, b) for r, b in recs}

    # every capture of run 2 has its record
    for cid, cap in caps.items():
        assert record_id(cap) in by_id, cap
    c = info["captures"]

    # 304 → server-not-modified revisit referring to run 1's response for the index page
    rev, _ = by_id[record_id(caps[c["index2"].capture_id])]
    assert rev.rec_type == "revisit"
    assert rev.rec_headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
    assert rev.http_headers.get_statuscode() == "304"
    orig_id = rev.rec_headers.get_header("WARC-Refers-To")
    orig, orig_body = by_id[orig_id]  # run 1's record is included so the file replays alone
    assert orig.rec_type == "response" and orig.rec_headers.get_header("WARC-Target-URI") == \
        rev.rec_headers.get_header("WARC-Refers-To-Target-URI")
    assert rev.rec_headers.get_header("WARC-Refers-To-Date") == orig.rec_headers.get_header("WARC-Date")
    assert orig.rec_headers.get_header("WARC-Date").startswith("2025-04-15T03:00:00")

    # identical body → identical-payload-digest revisit with the original's digest
    rev, body = by_id[record_id(caps[c["r2_2"].capture_id])]
    assert rev.rec_type == "revisit" and body == b""
    assert rev.rec_headers.get_header("WARC-Profile") == PROFILE_IDENTICAL
    orig, orig_body = by_id[rev.rec_headers.get_header("WARC-Refers-To")]
    assert orig_body == OTHER
    assert rev.rec_headers.get_header("WARC-Payload-Digest") == orig.rec_headers.get_header("WARC-Payload-Digest") \
        == payload_digest(OTHER)

    # changed body → a full response with the stored body and corrected length/encoding headers
    resp, body = by_id[record_id(caps[c["r1_2"].capture_id])]
    assert resp.rec_type == "response" and body == REPORT_V2
    assert resp.http_headers.get_header("Content-Length") == str(len(REPORT_V2))
    assert resp.http_headers.get_header("Content-Encoding") is None
    assert resp.http_headers.get_header("ETag") == '"a2"'

    # 404: response with status and empty body; network error: metadata record
    resp, body = by_id[record_id(caps[c["missing"].capture_id])]
    assert resp.rec_type == "response" and resp.http_headers.get_statuscode() == "404" and body == b""
    meta, body = by_id[record_id(caps[c["neterr"].capture_id])]
    assert meta.rec_type == "metadata" and b"timeout" in body

    # warcio's checker validates every block and payload digest
    res = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "digest pass" in res.stdout and "fail" not in res.stdout.replace("digest pass", "")


def test_all_runs_and_stable_record_ids(filled, tmp_path):
    a, info = filled
    r1, r2 = info["runs"]
    p_all = write_warc(a, tmp_path / "all")
    p_r1 = write_warc(a, tmp_path / "r1", run_id=r1, include_originals=False)
    p_r2 = write_warc(a, tmp_path / "r2", run_id=r2, include_originals=False)
    ids_all = [r.rec_headers.get_header("WARC-Record-ID") for r, _ in _records(p_all)[1:]]
    ids_r1 = [r.rec_headers.get_header("WARC-Record-ID") for r, _ in _records(p_r1)[1:]]
    recs_r2 = _records(p_r2)[1:]
    ids_r2 = [r.rec_headers.get_header("WARC-Record-ID") for r, _ in recs_r2]
    assert ids_all == ids_r1 + ids_r2 and len(ids_all) == len(a.captures())
    # without originals, run 2's revisits still name run 1's records
    refers = {r.rec_headers.get_header("WARC-Refers-To") for r, _ in recs_r2 if r.rec_type == "revisit"}
    assert refers and refers <= set(ids_r1)
    bodies = {b for r, b in _records(p_all) if r.rec_type == "response"}
    assert {REPORT_V1, REPORT_V2, OTHER} <= bodies
    for p in (p_all, p_r1, p_r2):
        res = subprocess.run([str(BIN / "warcio"), "check", str(p)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_warcio_check_catches_a_corrupted_record(filled, tmp_path):
    """The digest check is real: a flipped payload byte fails it."""
    a, info = filled
    path = write_warc(a, tmp_path / "w", run_id=info["runs"][0], gzip=False)
    data = path.read_bytes()
    i = data.index("本年度主动公开信息".encode())
    path.write_bytes(data[:i] + b"X" + data[i + 1:])
    res = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
    assert res.returncode != 0


PYWB_REPLAY = r'''
import json, sys
from werkzeug.test import Client
from pywb.warcserver.warcserver import WarcServer
from warcio.archiveiterator import ArchiveIterator
import io
app = WarcServer(custom_config={"collections": {"c": "collections/c/indexes/index.cdxj"},
                                "archive_paths": ["collections/c/archive/"]})
c = Client(app)
out = []
for url, ts in json.loads(sys.argv[1]):
    r = c.get(f"/c/resource?url={url}&closest={ts}")
    rec = next(iter(ArchiveIterator(io.BytesIO(r.get_data()))))
    out.append({"status": r.status_code, "http": rec.http_headers.get_statuscode(),
                "body": rec.content_stream().read().decode("utf-8", "replace"),
                "memento": r.headers.get("Memento-Datetime")})
print(json.dumps(out))
'''


def test_pywb_indexes_and_resolves_revisits(sqlite_url, tmp_path):
    """pywb's wb-manager indexes the WARC; its warcserver resolves an identical-payload revisit
    to the original body. (pywb's full rewriting app does not import in this venv: pywb 2.8
    needs fakeredis<1, which does not work with redis>=5; the warcserver is its replay backend.)"""
    import json

    import pywb.warcserver.warcserver  # noqa: F401  (the [dev] extra; an ImportError is a failure)

    a = Archive(sqlite_url, tmp_path / "blobs")  # the database backend does not matter to pywb
    info = fill_two_runs(a)
    path = write_warc(a, tmp_path / "w", run_id=info["runs"][1])
    col = tmp_path / "pywb"
    col.mkdir()
    for args in (["init", "c"], ["add", "c", str(path)]):
        res = subprocess.run([str(BIN / "wb-manager"), *args], cwd=col, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    cdxj = (col / "collections/c/indexes/index.cdxj").read_text().splitlines()
    # every HTTP record is indexed: 2 originals + 304 revisit + new version + identical revisit + 404
    assert len(cdxj) == 6, cdxj
    assert sum('"mime": "warc/revisit"' in line for line in cdxj) == 2
    queries = [["http://127.0.0.2/r2.html", "20260415030002"],   # identical revisit (run 2)
               ["http://127.0.0.2/r1.html", "20260415030001"],   # new version (run 2)
               ["http://127.0.0.2/", "20250415030000"]]          # original included from run 1
    res = subprocess.run([sys.executable, "-c", PYWB_REPLAY, json.dumps(queries)], cwd=col,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert [g["status"] for g in got] == [200, 200, 200]
    assert got[0]["body"] == OTHER.decode() and got[0]["memento"] == "Wed, 15 Apr 2026 03:00:02 GMT"
    assert got[1]["body"] == REPORT_V2.decode()
    assert "年报" in got[2]["body"] and got[2]["http"] == "200"
    a.close()
