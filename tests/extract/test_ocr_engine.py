"""The OCR engines: models from inside their packages (no network, no cache), figure re-reading,
the character set of simplified-Chinese reports."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines.extract.ocr_engine import ENGINES, allowed_chars

ROOT = Path(__file__).resolve().parents[2]

_NO_NET = r"""
import json, socket, sys
def refuse(*a, **k):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from PIL import Image, ImageDraw, ImageFont
import numpy as np
from pipelines.extract.ocr_engine import make_engine
font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 36, index=2)
im = Image.new("L", (420, 64), 255)
ImageDraw.Draw(im).text((8, 8), "行政强制 2023", font=font, fill=0)
crop = np.repeat(np.asarray(im)[..., None], 3, axis=2)
e = make_engine(sys.argv[1], 1)
print(json.dumps(e.recognize([crop])[0]))
"""


@pytest.mark.parametrize("name", ENGINES)
def test_engine_loads_packaged_models_offline_with_an_empty_cache(tmp_path, name):
    empty = tmp_path / "home"
    empty.mkdir()
    env = dict(os.environ, HOME=str(empty), XDG_CACHE_HOME=str(empty / "cache"), TMPDIR=str(empty),
               PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", _NO_NET, name], capture_output=True, text=True, env=env,
                       timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    text, score = json.loads(r.stdout.strip().splitlines()[-1])
    assert text.replace(" ", "") == "行政强制2023" and score > 0.8
    # nothing downloaded: onnxruntime keeps a telemetry device id there, no model or dictionary
    fetched = [p for p in empty.rglob("*") if p.is_file() and (p.stat().st_size > 64_000 or p.suffix in (".onnx", ".txt"))]
    assert fetched == []


def test_a_lone_zero_is_read_as_a_figure():
    from PIL import Image, ImageDraw, ImageFont

    from pipelines.extract.ocr_engine import make_engine

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 20, index=2)
    im = Image.new("L", (22, 30), 255)
    ImageDraw.Draw(im).text((5, 2), "0", font=font, fill=0)
    crop = np.repeat(np.asarray(im)[..., None], 3, axis=2)
    e = make_engine("rapidocr", 1)
    text, score = e.recognize([crop], figures=True)[0]
    assert (text, score > 0.9) == ("0", True)


def test_character_set_is_simplified_chinese_and_place_names():
    ok = allowed_chars()
    assert {"强", "政", "埇", "亳"} <= ok
    assert not ({"強", "這", "國"} & ok)
