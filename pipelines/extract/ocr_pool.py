"""The pages of one document OCRed on every core: one worker process per core, one engine each.

onnxruntime's own threads scale poorly on small batches and the page work around the
models (rule finding, cropping) is Python; whole pages in separate processes use every
core. Workers are spawned once and kept for the run (each loads its models once, ~150 MB),
get two onnxruntime threads each (NIANBAO_OCR_WORKER_THREADS), and die with their parent (``PR_SET_PDEATHSIG``; the
executor's queue closing ends them too). Pages are fed a few at a time, so memory stays
bounded by the number of workers, not by the length of the document. A dead worker (out of
memory, a crash in a native library) breaks the pool: the pages it held are reported
unread (never retried in this process, which the same page would kill) and a new pool is
made for the next document.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import multiprocessing.util as mp_util
import os
import signal
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Hashable

import numpy as np

logger = logging.getLogger(__name__)

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_SUBMIT_LOCK = threading.Lock()


def worker_count() -> int:
    """NIANBAO_OCR_WORKERS, else one per core."""
    env = os.environ.get("NIANBAO_OCR_WORKERS")
    return max(1, int(env)) if env else (os.cpu_count() or 1)


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closing queue still ends the worker
        pass


def _init_worker() -> None:
    _die_with_parent()
    # two onnxruntime threads each: while the last page of a document runs alone, its worker
    # uses the idle core too (threads do not spin, so two busy workers lose little)
    os.environ["NIANBAO_OCR_THREADS"] = os.environ.get("NIANBAO_OCR_WORKER_THREADS", "2")
    os.environ["NIANBAO_OCR_WORKERS"] = "1"


def _ocr(gray: np.ndarray, ppm: float):
    from .ocr import ocr_page

    return ocr_page(gray, ppm)


@contextlib.contextmanager
def _main_not_inherited():
    """Start workers without the caller's main script: a spawned worker runs it again
    otherwise (a script without an ``if __name__ == "__main__"`` guard would re-run its
    work in every worker). Workers need nothing from it."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _pool(n: int) -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"), initializer=_init_worker)
            # a multiprocessing finaliser, not atexit: a process started by multiprocessing joins
            # its children when its target returns, before atexit, and would wait for workers
            # that are only told to stop at interpreter exit
            mp_util.Finalize(_POOL, shutdown, exitpriority=10)
        return _POOL


def shutdown() -> None:
    """Stop the workers (also when this process ends); a worker that does not stop is killed."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.join(10)
    for p in procs:
        if p.is_alive():
            p.terminate()
            p.join(5)


def ocr_pages(pages: list[tuple[Hashable, Callable[[], tuple[np.ndarray, float]]]]) -> tuple[dict, list]:
    """OCR pages given as (key, render) where ``render()`` -> (gray image, px per mm).

    Returns ({key: OcrPage}, [keys of pages lost with a dead worker]). Pages are rendered in
    this process only when a worker is free.
    """
    n = min(worker_count(), len(pages))
    if n <= 1:
        return {k: _ocr(*render()) for k, render in pages}, []
    out: dict = {}
    pending: dict[Future, Hashable] = {}
    pool = _pool(worker_count())
    try:
        for k, render in pages:
            while len(pending) >= 2 * n:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    out[pending.pop(f)] = f.result()
            args = render()
            with _SUBMIT_LOCK, _main_not_inherited():  # submit() may start a worker
                pending[pool.submit(_ocr, *args)] = k
        for f in list(pending):
            out[pending.pop(f)] = f.result()
    except BrokenProcessPool:
        # not retried here: the page that killed a worker would take this process down too
        lost = [k for k, _ in pages if k not in out]
        logger.warning("an OCR worker died; %d page(s) left unread", len(lost))
        shutdown()
        return out, lost
    return out, []
