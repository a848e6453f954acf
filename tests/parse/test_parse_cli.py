"""`nianbao parse` on the seed files (.txt, GB18030 .txt, HTML through the extractor, a
loopback URL)."""
from __future__ import annotations

import html
import http.server
import json
import threading
from decimal import Decimal
from functools import partial

import pytest
import parse_variants as V
from click.testing import CliRunner

from crawler.cli import main


def _run(*args: str):
    res = CliRunner().invoke(main, ["parse", *args])
    return res


def _check_json(out: str, seed: dict) -> dict:
    d = json.loads(out)
    assert d["agency"] == seed["agency"] and d["report_year"] == seed["report_year"]
    assert d["template"] == "2021"
    got = {(c["section"], c["row_key"], c["column_key"]): c["value"] for c in d["cells"]}
    want = V.expected_cells(seed)
    assert {k: Decimal(str(got.get(k))) for k in want} == {k: Decimal(str(v)) for k, v in want.items()}
    assert not [c for c in d["checks"] if c["check_id"].startswith("H") and not c["passed"]]
    for c in d["cells"]:
        assert {"section", "row_key", "column_key", "value", "inferred"} <= set(c)
    for c in d["checks"]:
        assert {"check_id", "scope", "passed", "expected", "actual"} <= set(c)
    return d


@pytest.mark.realdocs
@pytest.mark.parametrize("i", range(5))
def test_parse_seed_json(seeds, seeds_dir, i):
    res = _run(str(seeds_dir / seeds[i]["file"]), "--json")
    assert res.exit_code == 0, res.output
    _check_json(res.output, seeds[i])


@pytest.mark.realdocs
def test_parse_human_output(seeds, seeds_dir):
    res = _run(str(seeds_dir / seeds[1]["file"]))
    assert res.exit_code == 0, res.output
    out = res.output
    assert "洛阳市人民政府办公室 (title)" in out and "report_year:  2022" in out
    assert "normative_docs  issued=28  repealed=118  in_force=120" in out
    assert "amount_10k_yuan=0.13" in out
    assert "FAIL X3 (soft) narrative:handled: expected 85, printed 92" in out


@pytest.mark.realdocs
def test_parse_broken_human_output(seeds, tmp_path):
    text, _ = V.broken(seeds[4], "review_total")
    f = tmp_path / "broken.txt"
    f.write_text(text, encoding="utf-8")
    res = _run(str(f))
    assert res.exit_code == 0
    assert "FAIL H4 (hard) row:review: expected 4, printed 5" in res.output


@pytest.mark.realdocs
def test_parse_gb18030_txt(seeds, tmp_path):
    f = tmp_path / "report.txt"
    f.write_bytes(seeds[3]["text"].encode("gb18030"))
    res = _run(str(f), "--json")
    assert res.exit_code == 0, res.output
    _check_json(res.output, seeds[3])


def _html(seed: dict) -> str:
    """The seed as an HTML page: its narrative as paragraphs, its tables with colspans."""
    parts = ["<html><head><meta charset='utf-8'><title>report</title></head><body>"]
    body = V.strip_tables(seed["text"]).split("\n")
    grids = V.grids_from_figures(seed)
    for ln in body:
        if ln.strip():
            parts.append(f"<p>{html.escape(ln)}</p>")
        if "主动公开政府信息情况" in ln:
            parts += [_table(g) for g in grids[:-2]]
            parts.append("<p>三、收到和处理政府信息公开申请情况</p>" + _table(grids[-2]))
            parts.append("<p>四、政府信息公开行政复议、行政诉讼情况</p>" + _table(grids[-1]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(grid: list[list[str]]) -> str:
    rows = []
    for r in grid:
        cells, i = [], 0
        while i < len(r):
            j = i
            while j + 1 < len(r) and r[j + 1] == r[i] and not r[i].strip().isdigit() and r[i]:
                j += 1
            span = f' colspan="{j - i + 1}"' if j > i else ""
            cells.append(f"<td{span}>{html.escape(r[i])}</td>")
            i = j + 1
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


@pytest.mark.realdocs
def test_parse_html_file_through_extraction(seeds, tmp_path):
    f = tmp_path / "report.html"
    f.write_text(_html(seeds[4]), encoding="utf-8")
    res = _run(str(f), "--json")
    assert res.exit_code == 0, res.output
    _check_json(res.output, seeds[4])


@pytest.mark.realdocs
def test_parse_loopback_url(seeds, tmp_path):
    (tmp_path / "r.txt").write_text(seeds[0]["text"], encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a, **k):
            pass

    handler = partial(Quiet, directory=str(tmp_path))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        res = _run(f"http://127.0.0.1:{srv.server_address[1]}/r.txt", "--json")
    finally:
        srv.shutdown()
        srv.server_close()
    assert res.exit_code == 0, res.output
    _check_json(res.output, seeds[0])


def test_parse_missing_file(tmp_path):
    res = _run(str(tmp_path / "nope.pdf"))
    assert res.exit_code != 0
    assert "no such file" in res.output


@pytest.mark.realdocs
def test_lossy_table_text_gives_no_wrong_cells(seeds):
    """Without the grids, an extractor's flattened table text (merged-cell duplicates dropped,
    so "0 0 0" reads "0") must give missing cells, never wrong or invented ones."""
    from pipelines.extract import extract_bytes
    from pipelines.parse import parse_report

    for s in seeds:
        x = extract_bytes(_html(s).encode("utf-8"), filename="r.html")
        rep = parse_report(x.text)            # text only
        want = V.expected_cells(s)
        for c in rep.cells:
            assert Decimal(str(c.value)) == Decimal(str(want[(c.section, c.row_key, c.column_key)])), c
        assert not any(c.inferred for c in rep.cells)
        assert not rep.failed_hard_checks
