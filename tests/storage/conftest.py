"""Fixtures for the storage tests: an Archive on each backend (real SQLite file, real PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage import Archive


@pytest.fixture
def archive(db_url: str, tmp_path: Path):
    a = Archive(db_url, tmp_path / "blobs")
    yield a
    a.close()
