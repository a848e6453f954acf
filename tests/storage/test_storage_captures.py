"""record_capture semantics, identical on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage import Archive, BlobCorrupt

BODY = "<html><body>洛宁县人民政府办公室2023年政府信息公开工作年度报告</body></html>".encode() * 20
HDRS = {"ETag": '"v1"', "Last-Modified": "Wed, 01 Feb 2023 00:00:00 GMT", "Content-Type": "text/html; charset=utf-8"}



def _run_threads(work, count: int) -> None:
    """work(k) on `count` threads at once; returns when all have finished."""
    threads = [threading.Thread(target=work, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

def n(a: Archive, sql: str) -> int:
    return a.query(sql)[0]["n"]


def blob_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_same_body_twice_is_one_blob_one_version_two_captures(archive: Archive):
    run = archive.start_run(["p"])
    r1 = archive.record_capture(run_id=run, url="http://a.test/r.html", status=200, body=BODY, headers=HDRS, portal="p")
    r2 = archive.record_capture(run_id=run, url="http://a.test/r.html", status=200, body=BODY, headers=HDRS, portal="p")
    assert (r1.kind, r2.kind) == ("new_version", "identical_revisit")
    assert r1.new_blob and not r2.new_blob
    assert r1.version_id == r2.version_id and r1.document_id == r2.document_id
    assert r1.sha256 == r2.sha256 and len(r1.sha256) == 64
    assert n(archive, "SELECT count(*) AS n FROM blob") == 1
    assert len(blob_files(archive.blobs.root)) == 1
    assert n(archive, "SELECT count(*) AS n FROM document_versions") == 1
    caps = archive.query("SELECT kind, version_id, status, etag FROM captures ORDER BY capture_id")
    assert [c["kind"] for c in caps] == ["new_version", "identical_revisit"]
    assert caps[1]["version_id"] == r1.version_id and caps[1]["etag"] == '"v1"'
    v = archive.versions("http://a.test/r.html")
    assert len(v) == 1 and v[0]["capture_count"] == 2
    assert archive.read_blob(r1.sha256) == BODY


def test_changed_body_is_a_second_version_and_304_confirms_it(archive: Archive):
    run = archive.start_run(["p"])
    url = "http://a.test/r.pdf"
    r1 = archive.record_capture(run_id=run, url=url, status=200, body=BODY, headers=HDRS)
    r2 = archive.record_capture(run_id=run, url=url, status=200, body=BODY + b"<!-- fixed typo -->",
                                headers={"ETag": '"v2"'})
    assert r2.kind == "new_version" and r2.new_blob and r2.version_id != r1.version_id
    assert archive.validators(url) == {"etag": '"v2"', "last_modified": None}
    r3 = archive.record_capture(run_id=run, url=url, status=304, headers={"ETag": '"v2"'})
    assert r3.kind == "not_modified"
    assert r3.version_id == r2.version_id and r3.sha256 == r2.sha256 and not r3.new_blob
    versions = archive.versions(url)
    assert [v["version_number"] for v in versions] == [1, 2]
    assert [bool(v["is_current"]) for v in versions] == [False, True]
    assert versions[1]["capture_count"] == 2  # the fetch and the 304 that confirmed it
    doc = archive.document(url)
    assert doc["version_count"] == 2 and doc["capture_count"] == 3 and doc["current_sha256"] == r2.sha256
    assert n(archive, "SELECT count(*) AS n FROM blob") == 2 == archive.blob_count()
    run_row = archive.query(f"SELECT * FROM crawl_runs WHERE run_id = {run}")[0]
    assert (run_row["captures"], run_row["new_versions"], run_row["not_modified"]) == (3, 2, 1)


def test_reverting_to_an_earlier_body_reuses_its_version(archive: Archive):
    url = "http://a.test/flip"
    a = archive.record_capture(run_id=None, url=url, status=200, body=b"A" * 300)
    b = archive.record_capture(run_id=None, url=url, status=200, body=b"B" * 300)
    c = archive.record_capture(run_id=None, url=url, status=200, body=b"A" * 300)
    assert c.kind == "new_version" and c.version_id == a.version_id != b.version_id and not c.new_blob
    assert archive.document(url)["current_version_id"] == a.version_id


@pytest.mark.parametrize("status,body,error,reason", [
    (404, None, None, "HTTP 404"),
    (412, b"precondition", None, "HTTP 412"),
    (None, None, "twisted.internet.error.TimeoutError: took too long", "TimeoutError"),
    (200, None, "oversize: 60000000 bytes > max_download_size", "oversize"),
])
def test_errors_are_captures_with_a_reason_and_no_blob(archive: Archive, status, body, error, reason):
    r = archive.record_capture(run_id=None, url="http://a.test/x", status=status, body=body, error=error)
    assert r.kind == "error" and r.version_id is None and r.sha256 is None and not r.new_blob
    assert reason in r.error
    row = archive.query("SELECT kind, status, error FROM captures")[0]
    assert row["kind"] == "error" and row["status"] == status and reason in row["error"]
    assert n(archive, "SELECT count(*) AS n FROM blob") == 0
    assert archive.validators("http://a.test/x") is None


def test_304_without_a_stored_version_is_an_error(archive: Archive):
    r = archive.record_capture(run_id=None, url="http://a.test/never", status=304)
    assert r.kind == "error" and "304" in r.error


def test_moved_report_is_linked_by_sha256(archive: Archive):
    run1 = archive.start_run(["p"])
    old = archive.record_capture(run_id=run1, url="http://a.test/old/r.pdf", status=200, body=BODY, portal="p")
    archive.finish_run(run1)
    run2 = archive.start_run(["p"])
    new = archive.record_capture(run_id=run2, url="http://a.test/new/r.pdf", status=200, body=BODY, portal="p")
    assert new.kind == "new_version" and not new.new_blob and new.sha256 == old.sha256
    assert new.also_at == ("http://a.test/old/r.pdf",)
    assert archive.urls_for_sha256(old.sha256) == ["http://a.test/old/r.pdf", "http://a.test/new/r.pdf"]
    gone = archive.mark_gone(run2, "p", ["http://a.test/new/r.pdf"])
    assert gone == [old.document_id]
    doc = archive.document("http://a.test/old/r.pdf")
    assert doc["gone_at"] is not None and doc["gone_run_id"] == run2
    assert doc["moved_to_document_id"] == new.document_id and doc["moved_to_url"] == "http://a.test/new/r.pdf"
    assert archive.document("http://a.test/new/r.pdf")["moved_from_document_id"] == old.document_id
    assert archive.query(f"SELECT gone FROM crawl_runs WHERE run_id = {run2}")[0]["gone"] == 1
    # seen again: no longer gone
    archive.record_capture(run_id=run2, url="http://a.test/old/r.pdf", status=200, body=BODY, portal="p")
    assert archive.document("http://a.test/old/r.pdf")["gone_at"] is None


def test_scrapy_style_headers_and_run_lifecycle(archive: Archive):
    run = archive.start_run(["p1", "p2"], kind="crawl")
    r = archive.record_capture(run_id=run, url="http://a.test/", status=200, body=b"x" * 10,
                               headers={b"Content-Type": [b"text/html"], b"ETag": [b'"e"'], b"Set-Cookie": [b"a=1", b"b=2"]},
                               final_url="http://a.test/index.html", referer="http://a.test/list", title="标题", is_report=True)
    cap = archive.query(f"SELECT * FROM captures WHERE capture_id = {r.capture_id}")[0]
    assert cap["content_type"] == "text/html" and cap["etag"] == '"e"' and cap["content_length"] == 10
    assert cap["final_url"] == "http://a.test/index.html" and cap["title"] == "标题" and bool(cap["is_report"])
    archive.finish_run(run, "interrupted", {"pages": 1})
    row = archive.get_run(run)
    assert row["status"] == "interrupted" and row["stats"] == {"pages": 1} and row["finished_at"] is not None
    with pytest.raises(ValueError):
        archive.finish_run(run, "bogus")


def test_batch_records_many_in_one_transaction(archive: Archive):
    items = [{"run_id": None, "url": f"http://a.test/{i % 50}", "status": 200, "body": f"body {i % 70}".encode()}
             for i in range(200)]
    results = archive.record_captures(items)
    assert len(results) == 200
    assert n(archive, "SELECT count(*) AS n FROM captures") == 200
    assert n(archive, "SELECT count(*) AS n FROM documents") == 50
    # every capture's version holds exactly the body it recorded
    for item, r in zip(items, results):
        assert archive.read_blob(r.sha256) == item["body"]


def test_concurrent_writers_do_not_collide(archive: Archive):
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(15):
                archive.record_capture(run_id=None, url=f"http://a.test/shared/{i}", status=200,
                                       body=f"same body {i}".encode() * 30)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    _run_threads(work, 4)
    assert not errors, errors
    assert n(archive, "SELECT count(*) AS n FROM documents") == 15
    assert n(archive, "SELECT count(*) AS n FROM document_versions") == 15
    assert n(archive, "SELECT count(*) AS n FROM captures") == 60
    assert n(archive, "SELECT count(*) AS n FROM captures WHERE kind = 'new_version'") == 15


def test_tampered_blob_is_reported_and_never_served(archive: Archive):
    r = archive.record_capture(run_id=None, url="http://a.test/t", status=200, body=BODY)
    ok = archive.record_capture(run_id=None, url="http://a.test/ok", status=200, body=b"fine" * 100)
    path, _ = archive.blobs.locate(r.sha256)
    import gzip

    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    tampered = raw.replace("2023".encode(), "2024".encode())
    path.write_bytes(gzip.compress(tampered) if path.suffix == ".gz" else tampered)
    with pytest.raises(BlobCorrupt) as exc:
        archive.read_blob(r.sha256)
    assert r.sha256 in str(exc.value)
    assert archive.read_blob(ok.sha256) == b"fine" * 100
    bad = archive.verify_blobs()
    assert list(bad) == [r.sha256]
    path.unlink()
    assert "not in the blob store" in archive.verify_blobs()[r.sha256]


def test_concurrent_batches_do_not_collide(archive: Archive):
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for rep in range(3):
                archive.record_captures([{"run_id": None, "url": f"http://a.test/b/{i}", "status": 200,
                                          "body": f"batch body {i}".encode() * 30} for i in range(20)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    _run_threads(work, 3)
    assert not errors, errors
    assert n(archive, "SELECT count(*) AS n FROM documents") == 20
    assert n(archive, "SELECT count(*) AS n FROM captures") == 180
    assert n(archive, "SELECT count(*) AS n FROM captures WHERE kind = 'new_version'") == 20
    assert n(archive, "SELECT count(*) AS n FROM blob") == 20
