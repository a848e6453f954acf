"""Where the real-document corpus lives: third-party reports, seed texts and portal pages.

These files are not the project's: tests read them in place from one directory
(``NIANBAO_CORPUS``, default ``../shared`` beside the checkout) and never copy them into the
repository. Tests that need them are marked ``realdocs``. In a clone without the corpus
those tests are not run and the session says so in one line (tests/conftest.py); with the
corpus present a missing file is a failure, never a skip.

Layout below the corpus directory (as in the project's shared folder)::

    seeds/*.txt                 the five seed reports as text
    corpus/MANIFEST.tsv         one row per real document (path, kind, format, body, year, ...)
    corpus/reports/...          real annual reports
    corpus/portals/<host>/...   real portal pages

What the project wrote about them (hand-labelled figures, expected links) is test data and
lives in the repository under ``tests/data/``: ``seed_labels()`` reads the seeds' figures.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS_ENV = "NIANBAO_CORPUS"
#: labels and expected figures written by the project (test data, in the repo)
DATA = Path(__file__).resolve().parent / "data"
#: the five seeds' hand-labelled figures, keyed by seed file name and sha256
SEED_LABELS = DATA / "seeds" / "expected.json"
MARKER = "realdocs"

#: set by tests/conftest.py around each test: whether the running test is marked realdocs
#: (None outside a test, e.g. while collecting)
current_test_marked: bool | None = None


def corpus_dir() -> Path:
    """The corpus directory: ``$NIANBAO_CORPUS`` or ``../shared`` beside the checkout."""
    env = os.environ.get(CORPUS_ENV)
    return Path(env).expanduser().resolve() if env else (REPO.parent / "shared").resolve()


def corpus_available() -> bool:
    """True when the corpus directory holds the seeds or the corpus of real documents."""
    d = corpus_dir()
    return (d / "seeds").is_dir() or (d / "corpus").is_dir()


def corpus_path(rel: str | Path) -> Path:
    """A file of the corpus; fails the test (not skips) when the corpus lacks it.

    Called from a test that is not marked ``realdocs`` it fails too: such a test would
    break in a clone without the corpus instead of being reported in the one line.
    """
    if current_test_marked is False:
        pytest.fail(f"this test reads the real-document corpus ({rel}) but is not marked "
                    f"@pytest.mark.{MARKER}")
    p = corpus_dir() / rel
    if not p.exists():
        pytest.fail(f"real-document corpus at {corpus_dir()} has no {rel}")
    return p


def manifest() -> list[dict[str, str]]:
    """Rows of corpus/MANIFEST.tsv (paths relative to corpus/)."""
    path = corpus_path("corpus/MANIFEST.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def manifest_params(keep: Callable[[dict[str, str]], bool] = lambda row: True) -> list[Any]:
    """``pytest.param(row, id=path)`` for the manifest rows ``keep`` accepts, for parametrize.

    Collection runs before any test, so without the corpus this returns one placeholder
    param: the test is marked realdocs and is not run, rather than collected with an empty
    parameter set (which pytest would skip).
    """
    path = corpus_dir() / "corpus" / "MANIFEST.tsv"
    if not path.is_file():
        return [pytest.param(None, id="corpus-absent")]
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if keep(r)]
    return [pytest.param(r, id=r["path"]) for r in rows]


def seeds_dir() -> Path:
    """The directory of the seed report texts (``seeds/`` of the corpus).

    Every labelled seed must be there with the bytes it was labelled from (sha256 in the
    labels): a missing or changed seed fails the test here, with its name.
    """
    d = corpus_path("seeds")
    for rep in seed_labels()["reports"]:
        data = corpus_path(f"seeds/{rep['file']}").read_bytes()
        if hashlib.sha256(data).hexdigest() != rep["sha256"]:
            pytest.fail(f"seed {d / rep['file']} is not the text labelled in {SEED_LABELS.name} "
                        "(sha256 differs)")
    return d


def seed_labels() -> dict:
    """The seeds' hand-labelled figures (tests/data/seeds/expected.json; no corpus needed)."""
    return json.loads(SEED_LABELS.read_text(encoding="utf-8"))
