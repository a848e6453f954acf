"""Where the real-document corpus lives: third-party reports, seed texts and portal pages.

These files are not the project's: tests read them in place from one directory
(``NIANBAO_CORPUS``, default ``../shared`` beside the checkout) and never copy them into the
repository. Tests that need them are marked ``realdocs``. In a clone without the corpus
those tests are not run and the session says so in one line; with the corpus present a
missing file is a failure, never a skip.

Layout below the corpus directory (as in the project's shared folder)::

    seeds/*.txt                 the five seed reports as text
    corpus/MANIFEST.tsv         one row per real document (path, kind, format, body, year, ...)
    corpus/reports/...          real annual reports
    corpus/portals/<host>/...   real portal pages
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS_ENV = "NIANBAO_CORPUS"
#: labels and expected figures written by the project (test data, in the repo)
DATA = Path(__file__).resolve().parent / "data"


def corpus_dir() -> Path:
    """The corpus directory: ``$NIANBAO_CORPUS`` or ``../shared`` beside the checkout."""
    env = os.environ.get(CORPUS_ENV)
    return Path(env).expanduser().resolve() if env else (REPO.parent / "shared").resolve()


def corpus_available() -> bool:
    d = corpus_dir()
    return (d / "seeds").is_dir() or (d / "corpus").is_dir()


def corpus_path(rel: str | Path) -> Path:
    """A file of the corpus; fails the test (not skips) when the corpus lacks it."""
    p = corpus_dir() / rel
    if not p.exists():
        pytest.fail(f"real-document corpus at {corpus_dir()} has no {rel}")
    return p


def manifest() -> list[dict[str, str]]:
    """Rows of corpus/MANIFEST.tsv (paths relative to corpus/)."""
    path = corpus_path("corpus/MANIFEST.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
