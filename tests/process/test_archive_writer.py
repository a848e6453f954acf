"""The archive pipeline's writer process: a real child process writing into a real archive."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from pipelines.archive import ARCHIVE_NICE, _worker_init, _worker_write
from storage import Archive


def _niceness() -> int:
    return os.nice(0)


def test_writer_process_runs_niced_and_records_captures(sqlite_url, tmp_path):
    blobs = tmp_path / "blobs"
    archive = Archive(sqlite_url, blobs)                     # creates the schema
    run = archive.start_run(["demo"])
    base = os.nice(0)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=_worker_init,
                             initargs=(sqlite_url, str(blobs), True, ARCHIVE_NICE)) as pool:
        assert pool.submit(_niceness).result() == min(base + ARCHIVE_NICE, 19)
        body = b"<html><body>2023\xe5\xb9\xb4\xe6\x8a\xa5\xe5\x91\x8a</body></html>"
        res = pool.submit(_worker_write, [{
            "run_id": run, "url": "http://127.0.0.2/r.html", "status": 200, "body": body,
            "headers": {"Content-Type": "text/html"}, "final_url": None, "fetched_at": None, "error": None,
            "portal": "demo", "referer": None, "title": None, "is_report": True}]).result()
    assert os.nice(0) == base                                 # the crawl's own priority is untouched
    assert [r.kind for r in res] == ["new_version"] and res[0].new_blob
    assert archive.read_blob(res[0].sha256) == body
    archive.close()
