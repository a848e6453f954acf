"""Pages of one document on every core: the same result as in-process, and a process that
used the pool (here one started by multiprocessing) still ends."""
from __future__ import annotations

import io
import multiprocessing as mp

import pytest

from pipelines.extract import extract_bytes

pytestmark = pytest.mark.slow


def _two_page_scan() -> bytes:
    import fitz
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 40, index=2)
    doc = fitz.open()
    for text in ("第一页：政府信息公开工作年度报告", "第二页：主动公开政府信息情况"):
        im = Image.new("L", (1240, 400), 255)
        ImageDraw.Draw(im).text((60, 150), text, font=font, fill=0)
        buf = io.BytesIO()
        im.save(buf, "PNG")
        page = doc.new_page(width=595, height=192)
        page.insert_image(page.rect, stream=buf.getvalue())
    return doc.tobytes()


def _child(data: bytes, q) -> None:
    x = extract_bytes(data)
    q.put((x.error, x.text))


def test_pool_gives_what_one_process_gives(monkeypatch):
    data = _two_page_scan()
    pooled = extract_bytes(data)
    monkeypatch.setenv("NIANBAO_OCR_WORKERS", "1")
    serial = extract_bytes(data)
    assert pooled.error is None and pooled.text == serial.text
    assert "主动公开政府信息情况" in pooled.text


def test_a_multiprocessing_child_using_the_pool_exits():
    from pipelines.extract.ocr_pool import worker_count

    assert worker_count() >= 2, "one worker per core: this test needs two cores"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(_two_page_scan(), q))
    p.start()
    err, text = q.get(timeout=300)
    p.join(60)
    alive = p.is_alive()
    if alive:
        p.kill()
    assert err is None and "年度报告" in text
    assert not alive, "the child hung joining its OCR workers"
    assert p.exitcode == 0
