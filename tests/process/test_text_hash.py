"""`nianbao parse --json` prints the text_hash that processing stores for the same file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from pipelines import dedup, process
from pipelines.parse import parse_report
from storage import Archive

RENDERED = Path(__file__).resolve().parents[2] / "crawler" / "sampleweb" / "site" / "rendered"
TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".txt": "text/plain; charset=utf-8"}


def _stored_and_printed(tmp_path: Path, path: Path) -> tuple[str | None, str | None]:
    archive = Archive(f"sqlite:///{tmp_path / 'a.sqlite'}", tmp_path / "blobs")
    try:
        ctype = TYPES[path.suffix]
        url = f"http://127.0.0.11/{path.name}"
        cap = archive.record_capture(run_id=archive.start_run(["p"]), url=url, status=200, body=path.read_bytes(),
                                     headers={"Content-Type": ctype}, portal="p", is_report=True)
        res = process.process_blob(archive, cap.sha256, url=url, content_type=ctype)
        assert res.status == process.REPORT, res.reason
        stored = archive.get_report(res.report_id)["text_hash"]
    finally:
        archive.close()
    out = CliRunner().invoke(main, ["parse", str(path), "--json"])
    assert out.exit_code == 0, out.output
    return stored, json.loads(out.output)["text_hash"]


@pytest.mark.parametrize("name", ["seed000.html", "seed001.pdf", "seed002.docx"])
def test_parse_json_hash_is_the_stored_hash(tmp_path, name):
    path = RENDERED / name.split(".")[0] / name
    stored, printed = _stored_and_printed(tmp_path, path)
    assert stored is not None and len(stored) == 64
    assert printed == stored


@pytest.mark.realdocs
def test_parse_json_hash_of_a_text_seed_is_the_stored_hash(tmp_path, seeds_dir):
    stored, printed = _stored_and_printed(tmp_path, sorted(seeds_dir.glob("000_*.txt"))[0])
    assert stored is not None and printed == stored


def test_one_hash_function():
    text = "洛宁县人民政府办公室２０２３年政府信息公开工作年度报告。" * 20
    assert parse_report(text).text_hash == dedup.text_hash(text) == dedup.text_hash(text.replace("。", "\n"))
    assert parse_report("太短").text_hash is None          # too little text to call anything equal
