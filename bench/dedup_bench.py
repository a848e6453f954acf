"""Deduplication cost: MinHash signing per report, and dedup_all over an archive of N reports.

    python bench/dedup_bench.py [--n 1000]

Prints, measured in the same run:
- MinHash (128 permutations, character 5-grams) per report: our vectorised 5-gram hashing vs
  datasketch's default (sha1 per shingle in Python) as the baseline;
- dedup_all over N synthetic reports (the five seeds re-issued by N/50 offices over ten
  years, every tenth a re-posted copy with page footers): wall and CPU time, candidates from
  LSH, copies found; then a second pass (signatures cached) and one incremental link_report.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import realdocs  # noqa: E402

SEEDS = realdocs.corpus_dir() / "seeds"  # the seed texts: real documents, outside the repo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="reports in the synthetic archive")
    args = ap.parse_args()

    from datasketch import MinHash

    from pipelines import dedup
    from storage import Archive

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"seed texts not found at {SEEDS} (set NIANBAO_CORPUS; see README)")
    dedup.minhash(texts[0])
    reps = 40
    c0 = time.process_time()
    for _ in range(reps):
        for t in texts:
            dedup.minhash(t)
    ours = (time.process_time() - c0) / (reps * len(texts)) * 1000
    c0 = time.process_time()
    for _ in range(reps // 4):
        for t in texts:
            n = dedup.normalize_text(t)
            m = MinHash(num_perm=dedup.NUM_PERM, seed=1)
            m.update_batch([n[i:i + 5].encode("utf-8") for i in range(len(n) - 4)])
    base = (time.process_time() - c0) / ((reps // 4) * len(texts)) * 1000
    print(f"MinHash per report ({sum(map(len, texts)) // len(texts)} chars): {ours:.2f} ms CPU"
          f"  (baseline, datasketch sha1 per shingle: {base:.2f} ms)")

    with tempfile.TemporaryDirectory() as tmp:
        a = Archive(f"sqlite:///{tmp}/a.sqlite", Path(tmp) / "blobs", fsync=False)
        run = a.start_run([])
        t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        ids, prev = [], None
        with a.batch():
            for i in range(args.n):
                year = 2015 + (i // 5) % 10
                office = f"测试{i // 50}县"
                agency = f"{office}人民政府办公室"
                text = (f"{agency}{year}年政府信息公开工作年度报告\n"
                        + texts[i % 5].replace("2023", str(year)).replace("洛宁县", office) + f"\n编号{i}")
                value = i
                if i % 10 == 9 and prev is not None:  # a copy of the previous report, re-posted
                    text, agency, year, value = prev[0] + "\n- 3 -", prev[1], prev[2], prev[3]
                r = a.record_capture(run_id=run, url=f"http://127.0.0.1/{i}", status=200, body=text.encode(),
                                     fetched_at=t0 + dt.timedelta(minutes=i))
                a.save_extraction(r.sha256, "bench", {"format": "text", "text": text})
                cells = [{"section": "3", "row_key": "granted", "column_key": c, "value": value % 97}
                         for c in ("natural_person", "total")]
                ids.append(a.save_report(r.sha256, "bench", {"agency": agency, "report_year": year,
                                                             "text_hash": dedup.text_hash(text), "cells": cells}))
                prev = (text, agency, year, value)
        w0, c0 = time.perf_counter(), time.process_time()
        st = dedup.dedup_all(a)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print(f"dedup_all over {args.n} reports: {wall:.2f} s wall, {cpu:.2f} s CPU; "
              f"{st.candidates} LSH candidate pairs, {st.duplicates} copies linked "
              f"(expected {args.n // 10}), rejected {st.rejected}")
        w0 = time.perf_counter()
        st2 = dedup.dedup_all(a)
        print(f"second pass (signatures cached): {time.perf_counter() - w0:.2f} s, {st2.links_changed} links changed")
        dedup._SIG_CACHE.clear()
        w0 = time.perf_counter()
        dedup.link_report(a, ids[-1])
        print(f"incremental link_report of one report (cold cache): {(time.perf_counter() - w0) * 1000:.0f} ms")
        a.close()


if __name__ == "__main__":
    main()
