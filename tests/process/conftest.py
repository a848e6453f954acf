"""Fixtures for the process/dedup tests: a real archive (SQLite file or PostgreSQL) filled
through Archive.record_capture, exactly as a crawl fills it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage import Archive

T0 = dt.datetime(2024, 2, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def archive(db_url: str, tmp_path: Path):
    a = Archive(db_url, tmp_path / "blobs", compress=True)
    yield a
    a.close()


class Filler:
    """Records captures into the archive like the crawler does."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.run_id = archive.start_run(["test"], kind="crawl")
        self.n = 0

    def capture(self, url: str, body: bytes, content_type: str = "text/plain; charset=utf-8",
                portal: str = "p1", minutes: int | None = None, title: str | None = None):
        self.n += 1
        at = T0 + dt.timedelta(minutes=self.n if minutes is None else minutes)
        return self.archive.record_capture(run_id=self.run_id, url=url, status=200, body=body,
                                           headers={"Content-Type": content_type}, fetched_at=at,
                                           portal=portal, title=title, is_report=True)


@pytest.fixture
def filler(archive: Archive) -> Filler:
    return Filler(archive)
