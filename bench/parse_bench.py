"""Parse time per report, extraction excluded (target <= 10 ms), over the seeds and variants,
and over flattened text copies of the seeds (cells run together, tests/parse/flatten.py).

Times are CPU time per call (median); wall time is shown beside it.
Baselines measured in the same run over the same texts:
- normalize: NFKC + the dash fixes + splitting into lines (the floor any parser pays);
- regex scan: one findall of every number in the text (a "parser" that reads no labels).

    .venv/bin/python bench/parse_bench.py [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "parse"))
sys.path.insert(0, str(REPO / "tests"))

import flatten as F  # noqa: E402
import parse_variants as V  # noqa: E402
import realdocs  # noqa: E402

from pipelines.parse import parse_report  # noqa: E402
from pipelines.parse.normalize import normalize_text  # noqa: E402

SEEDS = realdocs.corpus_dir() / "seeds"  # the seed texts: real documents, outside the repo
_NUM = re.compile(r"\d+(?:\.\d+)?")


def corpus() -> list[tuple[str, str, list | None]]:
    if not SEEDS.is_dir():
        raise SystemExit(f"seed texts not found at {SEEDS} (set NIANBAO_CORPUS; see README)")
    seeds = V.load_seeds(SEEDS, realdocs.seed_labels())
    out: list[tuple[str, str, list | None]] = []
    for s in seeds:
        t = s["text"]
        n = s["file"][:3]
        out += [(f"{n}", t, None), (f"{n}-fullwidth", V.full_width(t), None),
                (f"{n}-spaces", V.spaces_in_labels(t), None), (f"{n}-typo", V.typo(t), None),
                (f"{n}-runs", V.digit_runs(t, ["本年新收", "予以公开", "属于国家秘密", "总计", "结转下年度", "规章"])[0], None),
                (f"{n}-s4run", V.s4_run(t), None),
                (f"{n}-grid", V.strip_tables(t), V.grids_from_figures(s)),
                (f"{n}-grid+text", t, V.grids_from_figures(s))]
    out.append(("2019", V.text_2019(seeds[4])[0], None))
    out.append(("legacy", V.legacy_text(), None))
    return out


def flattened() -> list[tuple[str, str, list | None]]:
    """Each seed in every flattening style (measurement RNG seed 1), and its 2019 version."""
    import random

    out: list[tuple[str, str, list | None]] = []
    for i, s in enumerate(V.load_seeds(SEEDS)):
        for style in F.STYLES:
            out.append((f"{i:03d}-flat-{style}", F.flatten(s["text"], s, style, random.Random(f"1-{i}-{style}"))[0], None))
        t19, e19 = V.text_2019(s)
        out.append((f"{i:03d}-flat-2019", F.flatten(t19, e19, "export", random.Random(f"1-{i}-2019"))[0], None))
    return out


def timeit(fn, repeat: int) -> float:
    """Median CPU seconds per call (process time: other jobs on a shared machine stretch wall
    time, not the work done); wall time is reported alongside in main()."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def walltime(fn, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    items = corpus()
    n_plain = len(items)
    items += flattened()
    parse_report(items[0][1])   # warm caches (region data, regexes)
    rows = []
    for name, text, tables in items:
        p = timeit(lambda: parse_report(text, tables), args.repeat)
        nrm = timeit(lambda: normalize_text(text).splitlines(), args.repeat)
        rx = timeit(lambda: _NUM.findall(text), args.repeat)
        w = walltime(lambda: parse_report(text, tables), args.repeat)
        rows.append((name, len(text), p, nrm, rx, w))
    print(f"{'report':<16}{'chars':>7}{'parse ms':>10}{'(wall ms)':>10}{'normalize ms':>14}{'regex ms':>10}")
    for name, n, p, nrm, rx, w in rows:
        print(f"{name:<16}{n:>7}{p * 1e3:>10.2f}{w * 1e3:>10.2f}{nrm * 1e3:>14.3f}{rx * 1e3:>10.3f}")
    ps = [r[2] for r in rows]
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for label, part in (("seeds and variants", rows[:n_plain]), ("flattened copies", rows[n_plain:])):
        q = [r[2] for r in part]
        print(f"{label}: {len(q)} reports, parse median {statistics.median(q) * 1e3:.2f} ms, "
              f"max {max(q) * 1e3:.2f} ms")
    print(f"\n{len(rows)} reports, parse per report: median {statistics.median(ps) * 1e3:.2f} ms, "
          f"mean {statistics.mean(ps) * 1e3:.2f} ms, max {max(ps) * 1e3:.2f} ms (target <= 10 ms)")
    print(f"baseline normalize: median {statistics.median(r[3] for r in rows) * 1e3:.3f} ms; "
          f"baseline regex number scan: median {statistics.median(r[4] for r in rows) * 1e3:.3f} ms")
    print(f"target met: {max(ps) <= 0.010}")


if __name__ == "__main__":
    main()
