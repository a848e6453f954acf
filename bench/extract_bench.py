"""Extraction benchmark: ms/page per format and library on the fixture set, peak memory.

    python bench/extract_bench.py [--repeat 3] [--ocr-docs 1] [--no-ocr] [--only doc,ocr]

Fixtures: the sample network's rendered seeds (crawler.sampleweb.rendered_seeds()), else
the generated files of tests/extract/fixtures.py. Every case runs in a fresh process
(spawn) so its peak RSS is its own. Baselines are measured in the same run:
HTML: trafilatura alone; PDF: raw pypdfium2 / PyMuPDF text, PyMuPDF find_tables and
pdfplumber against our ruled-table finder; DOCX: raw python-docx; DOC: LibreOffice vs
antiword, and DOC/WPS read directly (wordbin) vs LibreOffice started per file and the run's
LibreOffice server (median ms/file, cell grids compared with LibreOffice's); OCR: the scan
corpus (crawler.sampleweb.render_scan, ``--ocr-docs`` documents per table style) through the
whole scan path with the new engine (RapidOCR 3, PP-OCRv6) and the old one
(rapidocr-onnxruntime, PP-OCRv4), pages on every core: s/page wall and CPU, cells exact per style.
Targets (2-core machine): HTML <= 20 ms/page, text PDF text+tables <= 60 ms/page,
OCR <= 2 s/page wall, DOC/WPS <= 100 ms/file median.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"html": 20.0, "pdf": 60.0, "ocr": 2000.0, "doc": 100.0}


# ---------------------------------------------------------------- cases (run in a child)
def _ours(data: bytes, name: str, **kw) -> int:
    from pipelines.extract import extract_bytes

    if kw:
        from pipelines.extract.pdf import extract_pdf

        x = extract_pdf(data, **kw)
    else:
        x = extract_bytes(data, filename=name)
    assert x.error is None, x.error
    return max(len(x.pages), 1)


def _trafilatura(data: bytes, name: str) -> int:
    import trafilatura

    trafilatura.extract(data, include_tables=True, favor_recall=True)
    return 1


def _pdfium_text(data: bytes, name: str) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    for i in range(len(doc)):
        page = doc[i]
        page.get_textpage().get_text_range()
    n = len(doc)
    doc.close()
    return n


def _mupdf_text(data: bytes, name: str) -> int:
    import fitz

    fitz.no_recommend_layout()

    doc = fitz.open(stream=data, filetype="pdf")
    for p in doc:
        p.get_text()
    return doc.page_count


def _mupdf_find_tables(data: bytes, name: str) -> int:
    import fitz

    fitz.no_recommend_layout()

    doc = fitz.open(stream=data, filetype="pdf")
    for p in doc:
        p.get_text()
        for t in p.find_tables().tables:
            t.extract()
    return doc.page_count


def _pdfplumber(data: bytes, name: str) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for p in pdf.pages:
            p.extract_text()
            p.extract_tables()
        return len(pdf.pages)


def _docx_raw(data: bytes, name: str) -> int:
    import io

    import docx

    d = docx.Document(io.BytesIO(data))
    "\n".join(p.text for p in d.paragraphs)
    for t in d.tables:
        [[c.text for c in r.cells] for r in t.rows]
    return 1


def _antiword(data: bytes, name: str) -> int:
    from pipelines.extract.doc import antiword_extract, pad_ole

    antiword_extract(pad_ole(data)[0])
    return 1


def _calamine_raw(data: bytes, name: str) -> int:
    import io

    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for n in wb.sheet_names:
        wb.get_sheet_by_name(n).to_python()
    return 1


# ---------------------------------------------------------------- DOC/WPS per file
def _doc_child(mode: str, files: list[str], repeat: int, q) -> None:
    """Per-file wall times (median over repeats) and the grids, for one way of reading DOCs."""
    os.environ["NIANBAO_LO_SERVER"] = "1" if mode == "lo-server" else "0"
    from pipelines.extract.doc import convert_with_soffice, pad_ole, read_fast
    from pipelines.extract.docx import extract_docx

    def one(data: bytes):
        data = pad_ole(data)[0]
        x = read_fast(data) if mode == "fast" else extract_docx(convert_with_soffice(data, ".doc", infilter="MS Word 97"))
        return [t.rows for t in x.tables]

    datas = [Path(f).read_bytes() for f in files]
    one(datas[0])  # warm-up: imports; the server's start
    per: list[list[float]] = [[] for _ in datas]
    grids = []
    for _ in range(repeat):
        grids = []
        for i, d in enumerate(datas):
            t = time.perf_counter()
            grids.append(one(d))
            per[i].append((time.perf_counter() - t) * 1000)
    q.put(([statistics.median(x) for x in per], grids))


def run_doc(mode: str, files: list[Path], repeat: int):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_doc_child, args=(mode, [str(f) for f in files], repeat, q))
    p.start()
    res = q.get()
    p.join()
    return res


# ---------------------------------------------------------------- OCR over the scan corpus
def _workers_cpu() -> float:
    """CPU seconds used so far by the OCR worker processes (from /proc: they are not waited for)."""
    from pipelines.extract import ocr_pool

    pool = ocr_pool._POOL
    total = 0.0
    for pid in list(getattr(pool, "_processes", {}) or {}):
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _ocr_child(engine: str, docs: list[tuple[str, str, str]], q) -> None:
    import json

    os.environ["NIANBAO_OCR_ENGINE"] = engine
    sys.path.insert(0, str(ROOT / "tests" / "extract"))
    from scan_score import score

    from pipelines.extract import extract_bytes

    # warm-up: the worker processes and their models (a document of 2+ pages uses the pool)
    warm = min((d for d in docs if json.loads(Path(d[2]).read_text(encoding="utf-8"))["pages"] >= 2),
               key=lambda d: Path(d[1]).stat().st_size)
    extract_bytes(Path(warm[1]).read_bytes())
    scores: dict = {}
    wall = cpu = 0.0
    pages = 0
    for style, pdf, truth_path in docs:
        truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
        c0 = time.process_time() + _workers_cpu()
        t = time.perf_counter()
        x = extract_bytes(Path(pdf).read_bytes())
        wall += time.perf_counter() - t
        cpu += time.process_time() + _workers_cpu() - c0
        pages += truth["pages"]
        score(scores, style, Path(pdf).name, x, truth)
    out = {k: (v.exact, v.cells, v.pages, len(v.false_alarms), len(v.legacy_figures)) for k, v in scores.items()}
    q.put((wall * 1000, cpu * 1000, pages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, out))


def run_ocr(engine: str, docs):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_ocr_child, args=(engine, [(s, str(a), str(b)) for s, a, b in docs], q))
    p.start()
    res = q.get()
    p.join()
    return res


CASES = {
    "ours": _ours,
    "trafilatura": _trafilatura,
    "pypdfium2-text": _pdfium_text,
    "pymupdf-text": _mupdf_text,
    "pymupdf-find_tables": _mupdf_find_tables,
    "pdfplumber": _pdfplumber,
    "python-docx-raw": _docx_raw,
    "antiword": _antiword,
    "calamine-raw": _calamine_raw,
}


def _child(case: str, files: list[str], repeat: int, kw: dict, q) -> None:
    fn = CASES[case]
    datas = [(Path(f).read_bytes(), Path(f).name) for f in files]
    fn(*datas[0], **kw)  # warm-up: imports, models, LibreOffice first start
    times, cpus, pages = [], [], 0
    for _ in range(repeat):
        c0 = time.process_time() + _children_cpu()
        t = time.perf_counter()
        pages = sum(fn(d, n, **kw) for d, n in datas)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() + _children_cpu() - c0)
    q.put((statistics.median(times) * 1000, statistics.median(cpus) * 1000, pages,
           resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _children_cpu() -> float:
    """CPU of finished child processes (LibreOffice, antiword)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(case: str, files: list[Path], repeat: int, **kw) -> tuple[float, int, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(case, [str(f) for f in files], repeat, kw, q))
    p.start()
    res = q.get()
    p.join()
    return res  # (wall ms, cpu ms, pages, peak RSS MB)


def fixture_files() -> dict[str, list[Path]]:
    try:
        from crawler.sampleweb import rendered_seeds

        seeds = rendered_seeds()
    except Exception:
        seeds = []
    groups: dict[str, list[Path]] = {}
    if seeds:
        for r in seeds:
            groups.setdefault(r["format"], []).append(Path(r["path"]))
        return groups
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "extract"))
    import extract_fixtures as fixtures

    fx = fixtures.build_all(Path(tempfile.mkdtemp(prefix="bench_fx_")))
    return {"html": [fx["report_utf8.html"]], "html_gbk": [fx["report_gbk.html"]], "pdf": [fx["report.pdf"]],
            "pdf_scan": [fx["report_scan.pdf"]], "docx": [fx["report.docx"]], "doc": [fx["report.doc"]],
            "wps": [fx["report.wps"]], "xls": [fx["report.xls"]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ocr-docs", type=int, default=1, help="scan-corpus documents per table style")
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated sections: html,pdf,docx,doc,xls,ocr")
    args = ap.parse_args()
    groups = fixture_files()
    print(f"cpu cores: {os.cpu_count()}, load avg: {os.getloadavg()[0]:.1f} (other processes skew the figures)")
    print("wall = elapsed ms/page; cpu = CPU ms/page of the process and its children (robust to a busy machine)")
    print(f"{'format':10} {'library':30} {'files':>5} {'pages':>5} {'wall':>9} {'cpu':>9} {'peak MB':>8}  note")

    def line(fmt, lib, files, res, note=""):
        ms, cpu, pages, rss = res
        n = max(pages, 1)
        print(f"{fmt:10} {lib:30} {len(files):5} {pages:5} {ms / n:9.1f} {cpu / n:9.1f} {rss:8.0f}  {note}", flush=True)
        return ms / n, cpu / n

    verdicts = []
    plan = [
        ("html", groups.get("html", []) + groups.get("html_gbk", []) + groups.get("html_nocharset", []),
         [("ours (html-dom)", "ours", {}), ("trafilatura alone [baseline]", "trafilatura", {})]),
        ("pdf", groups.get("pdf", []),
         [("ours text+tables", "ours", {}), ("ours text only", "ours", {"tables": False}),
          ("ours + pymupdf find_tables", "ours", {"table_engine": "pymupdf"}),
          ("pypdfium2 raw text [baseline]", "pypdfium2-text", {}), ("pymupdf raw text [baseline]", "pymupdf-text", {}),
          ("pymupdf find_tables [baseline]", "pymupdf-find_tables", {}), ("pdfplumber [baseline]", "pdfplumber", {})]),
        ("docx", groups.get("docx", []), [("ours", "ours", {}), ("python-docx raw [baseline]", "python-docx-raw", {})]),
        ("doc+wps", groups.get("doc", []) + groups.get("wps", []), [("antiword [baseline]", "antiword", {})]),
        ("xls", groups.get("xls", []), [("ours", "ours", {}), ("calamine raw [baseline]", "calamine-raw", {})]),
    ]
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    for fmt, files, libs in plan:
        if not files or (only and fmt.split("+")[0] not in only):
            continue
        for label, case, kw in libs:
            rep = 1 if fmt == "doc+wps" else args.repeat
            if case == "ours" and fmt == "pdf" and kw:
                res = run(case, files, rep, **kw)
            else:
                res = run(case, files, rep)
            v = line(fmt, label, files, res)
            if label.startswith("ours") and fmt in TARGETS and not kw:
                verdicts.append((fmt, v, TARGETS[fmt]))
    words = groups.get("doc", []) + groups.get("wps", [])
    if words and (not only or "doc" in only):
        base_ms, base_grids = run_doc("lo-file", words, 1)
        res = {"fast": run_doc("fast", words, max(args.repeat, 3)), "lo-server": run_doc("lo-server", words, 1)}
        for mode, label in (("fast", "ours (wordbin, direct)"), ("lo-server", "libreoffice server (unoserver)")):
            ms, grids = res[mode]
            same = sum(a == b for a, b in zip(grids, base_grids))
            med = statistics.median(ms)
            print(f"{'doc+wps':10} {label:30} {len(words):5} {'':5} {med:9.1f} {'':9} {'':8}  median ms/file "
                  f"(max {max(ms):.1f}); cell grids equal to LibreOffice's: {same}/{len(words)}", flush=True)
            if mode == "fast":
                verdicts.append(("doc", (med, med), TARGETS["doc"]))
        print(f"{'doc+wps':10} {'libreoffice per file [baseline]':30} {len(words):5} {'':5} "
              f"{statistics.median(base_ms):9.1f} {'':9} {'':8}  median ms/file (max {max(base_ms):.1f})", flush=True)
    if not args.no_ocr and (not only or "ocr" in only):
        import tempfile

        sys.path.insert(0, str(ROOT / "tests" / "extract"))
        from scan_score import render_corpus

        docs = [(s, p, p.with_suffix(".json")) for s, p, _ in
                render_corpus(Path(tempfile.mkdtemp(prefix="bench_scans_")), per_style=args.ocr_docs)]
        for engine, label in (("rapidocr", "ours, rapidocr 3 PP-OCRv6"), ("rapidocr-onnxruntime", "old engine, PP-OCRv4 [baseline]")):
            ms, cpu, pages, rss, styles = run_ocr(engine, docs)
            cells = ", ".join(f"{k} {a}/{n}" + (f" +{fa} false" if fa else "") + (f" {lf} legacy w/ figures" if lf else "")
                              for k, (a, n, _, fa, lf) in sorted(styles.items()))
            v = line("pdf_scan", label, docs, (ms, cpu, pages, rss), f"{len(docs)} docs; cells {cells}")
            if engine == "rapidocr":
                verdicts.append(("ocr", v, TARGETS["ocr"]))
    print()
    for fmt, (wall, cpu), target in verdicts:
        unit = "ms/file (median)" if fmt == "doc" else "ms/page"
        print(f"target {fmt:5}: wall {wall:9.1f} {unit}, cpu {cpu:9.1f} vs <= {target:.0f}  "
              f"wall {'OK' if wall <= target else 'OVER'}, cpu {'OK' if cpu <= target else 'OVER'}")


if __name__ == "__main__":
    main()
