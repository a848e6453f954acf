from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def fx(tmp_path_factory) -> dict[str, Path]:
    """Generated report fixtures in every format (LibreOffice runs once per session)."""
    import extract_fixtures as fixtures

    return fixtures.build_all(tmp_path_factory.mktemp("extract_fx"))
