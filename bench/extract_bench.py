"""Extraction benchmark: ms/page per format and library on the fixture set, peak memory.

    python bench/extract_bench.py [--repeat 3] [--ocr-pages 2] [--no-ocr]

Fixtures: the sample network's rendered seeds (crawler.sampleweb.rendered_seeds()), else
the generated files of tests/extract/fixtures.py. Every case runs in a fresh process
(spawn) so its peak RSS is its own. Baselines are measured in the same run:
HTML: trafilatura alone; PDF: raw pypdfium2 / PyMuPDF text, PyMuPDF find_tables and
pdfplumber against our ruled-table finder; DOCX: raw python-docx; DOC: LibreOffice vs
antiword; OCR: rapidocr with its angle classifier (the default) vs ours (classifier off).
Targets (2-core machine): HTML <= 20 ms/page, text PDF text+tables <= 60 ms/page,
OCR <= 8 s/page.
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

TARGETS = {"html": 20.0, "pdf": 60.0, "ocr": 8000.0}


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


def _ocr_pages(data: bytes, name: str, pages: int, cls: bool) -> int:
    import numpy as np
    import pypdfium2 as pdfium

    from pipelines.extract import ocr

    doc = pdfium.PdfDocument(data)
    n = min(pages, len(doc))
    imgs = []
    for i in range(n):
        g = doc[i].render(scale=ocr.DPI / 72, grayscale=True).to_numpy()
        imgs.append(g[..., 0] if g.ndim == 3 else g)
    if cls:
        from rapidocr_onnxruntime import RapidOCR

        eng = RapidOCR()
        for g in imgs:
            eng(np.stack([g] * 3, axis=-1))
    else:
        for g in imgs:
            ocr.page_from_image(g)
    return n


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
    "ocr": _ocr_pages,
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
    ap.add_argument("--ocr-pages", type=int, default=2)
    ap.add_argument("--no-ocr", action="store_true")
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
        ("doc+wps", groups.get("doc", []) + groups.get("wps", []),
         [("ours (libreoffice+docx)", "ours", {}), ("antiword [baseline]", "antiword", {})]),
        ("xls", groups.get("xls", []), [("ours", "ours", {}), ("calamine raw [baseline]", "calamine-raw", {})]),
    ]
    for fmt, files, libs in plan:
        if not files:
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
    scans = groups.get("pdf_scan", [])
    if scans and not args.no_ocr:
        f = scans[:1]
        v = line("pdf_scan", "ours (rapidocr, cls off)", f, run("ocr", f, 1, pages=args.ocr_pages, cls=False),
                 "render 200 dpi + rule erasing + OCR + table rebuild")
        verdicts.append(("ocr", v, TARGETS["ocr"]))
        line("pdf_scan", "rapidocr default [baseline]", f, run("ocr", f, 1, pages=args.ocr_pages, cls=True),
             "angle classifier on, no table rebuild")
    print()
    for fmt, (wall, cpu), target in verdicts:
        print(f"target {fmt:5}: wall {wall:9.1f} ms/page, cpu {cpu:9.1f} ms/page vs <= {target:.0f}  "
              f"wall {'OK' if wall <= target else 'OVER'}, cpu {'OK' if cpu <= target else 'OVER'}")


if __name__ == "__main__":
    main()
