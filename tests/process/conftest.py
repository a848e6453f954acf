"""Fixtures for the process/dedup tests: a real archive (SQLite file or PostgreSQL) filled
through Archive.record_capture, exactly as a crawl fills it."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest

from storage import Archive

T0 = dt.datetime(2024, 2, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def archive(db_url: str, tmp_path: Path):
    a = Archive(db_url, tmp_path / "blobs", compress=True)
    yield a
    a.close()


def as_html(text: str, title: str | None = None, pubdate: str | None = None, charset: str = "utf-8") -> bytes:
    """A TRS-style article page holding the text, one <p> per line."""
    paras = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    head = f'<meta charset="{charset}"><title>{html.escape(title or "")}</title>'
    if pubdate:
        head += f'<meta name="PubDate" content="{pubdate}">'
    doc = f"<!DOCTYPE html><html><head>{head}</head><body><div class=\"TRS_Editor\">{paras}</div></body></html>"
    return doc.encode(charset)


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
