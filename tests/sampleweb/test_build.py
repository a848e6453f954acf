"""`python -m crawler.sampleweb build` is deterministic and the committed files are its output."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sampleweb import SITE_DIR
from crawler.sampleweb.build import build

# every test here reads the seed texts (real documents)
pytestmark = pytest.mark.realdocs


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_build_reproduces_committed_tree(tmp_path, seeds_dir):
    # LibreOffice outputs are reused from the committed tree while their DOCX sources are
    # unchanged, so this build needs no LibreOffice; everything else is regenerated.
    a = tmp_path / "a"
    truth = build(out=a, seeds_dir=seeds_dir, office_cache=SITE_DIR)
    assert truth["reports"] and truth["rendered"]
    fa = _files(a)
    committed = _files(SITE_DIR)
    assert set(fa) == set(committed)
    diff = [k for k in fa if fa[k] != committed[k]]
    assert diff == [], f"committed site/ is stale, run `python -m crawler.sampleweb build`: {diff[:5]}"
