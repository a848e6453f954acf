"""Fixtures for the parser tests: the seeds with their hand-labelled figures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import parse_variants as V  # noqa: E402


@pytest.fixture(scope="session")
def seeds(request) -> list[dict]:
    seeds_dir = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    if not seeds_dir.exists():
        pytest.skip("../shared/seeds not present")
    return V.load_seeds(seeds_dir)
