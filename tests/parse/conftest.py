"""Fixtures for the parser tests: the seeds with their hand-labelled figures.

The seed texts are real reports read in place from the corpus directory (tests/realdocs.py,
``NIANBAO_CORPUS``); without the corpus the tests that need them are not run and say so; with
it, a missing seed file fails.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import parse_variants as V  # noqa: E402
from realdocs import corpus_available, corpus_dir, corpus_path  # noqa: E402


@pytest.fixture(scope="session")
def seeds(request) -> list[dict]:
    if not corpus_available():
        pytest.skip(f"real-document corpus not at {corpus_dir()} (set NIANBAO_CORPUS): seed tests not run")
    corpus_path("seeds/expected.json")
    return V.load_seeds(corpus_path("seeds"))
