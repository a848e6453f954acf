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
import realdocs  # noqa: E402


@pytest.fixture(scope="session")
def seeds() -> list[dict]:
    """The seed texts (corpus; the test must be marked realdocs) with their repo labels."""
    return V.load_seeds(realdocs.seeds_dir(), realdocs.seed_labels())
