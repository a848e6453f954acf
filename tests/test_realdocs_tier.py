"""The real-document tier (tests/conftest.py + tests/realdocs.py), run on small test files.

Without the corpus the realdocs tests are not run and one line says how many; with it they
all run, and a missing file or an unmarked reader is a failure, never a skip.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import realdocs

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent

#: a conftest for the inner run that is the project's own (loaded under another name)
CONFTEST = f'''
import importlib.util, sys
sys.path.insert(0, {str(TESTS)!r})
_spec = importlib.util.spec_from_file_location("nianbao_tests_conftest", {str(TESTS / "conftest.py")!r})
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
globals().update({{k: v for k, v in vars(_mod).items() if not k.startswith("__")}})
'''

TESTS_SRC = '''
import pytest
import realdocs

@pytest.mark.realdocs
def test_reads_a_corpus_file():
    assert realdocs.corpus_path("seeds/a.txt").read_text(encoding="utf-8") == "x"

@pytest.mark.realdocs
def test_missing_file():
    realdocs.corpus_path("seeds/none.txt")

@pytest.mark.realdocs
@pytest.mark.parametrize("row", realdocs.manifest_params())
def test_each_manifest_row(row):
    assert row["path"]

def test_unmarked_reader():
    realdocs.corpus_path("seeds/a.txt")

def test_plain():
    pass
'''

LINE = "real-document corpus not found at"


def _run(pytester: pytest.Pytester, monkeypatch, corpus: Path):
    monkeypatch.setenv(realdocs.CORPUS_ENV, str(corpus))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_tier=TESTS_SRC)
    pytester.makeini("[pytest]\nmarkers =\n    realdocs: reads the real-document corpus\n")
    return pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")


def test_without_corpus_one_line_and_the_rest_runs(pytester, monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = _run(pytester, monkeypatch, empty)
    out = res.stdout.lines
    lines = [ln for ln in out if LINE in ln]
    assert lines == [f"{LINE} {empty}: 3 tests not run; see README"], out
    res.assert_outcomes(passed=1, failed=1, deselected=3)   # the unmarked reader fails
    assert not any("skipped" in ln for ln in out), out
    assert any("is not marked @pytest.mark.realdocs" in ln for ln in out), out


def test_with_corpus_nothing_skipped_and_a_missing_file_fails(pytester, monkeypatch, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "seeds").mkdir(parents=True)
    (corpus / "seeds" / "a.txt").write_text("x", encoding="utf-8")
    (corpus / "corpus").mkdir()
    (corpus / "corpus" / "MANIFEST.tsv").write_text("path\tkind\nreports/r.pdf\treport\nportals/h/p.html\tportal_page\n",
                                                    encoding="utf-8")
    res = _run(pytester, monkeypatch, corpus)
    out = res.stdout.lines
    assert not any(LINE in ln for ln in out), out
    # read, 2 manifest rows and the plain test pass; the missing file and the unmarked reader fail
    res.assert_outcomes(passed=4, failed=2)
    text = "\n".join(out)
    assert f"real-document corpus at {corpus} has no seeds/none.txt" in text
    assert "is not marked @pytest.mark.realdocs" in text


def test_repo_seed_labels_cover_the_five_seeds():
    labels = realdocs.seed_labels()
    reps = labels["reports"]
    assert [r["file"][:3] for r in reps] == ["000", "001", "002", "003", "004"]
    assert all(len(r["sha256"]) == 64 for r in reps)
    assert labels["columns"]["section3"][-1] == labels["columns"]["section4"][-1] == "total"
    assert all(len(v) == 7 for r in reps for v in r["section3"].values())
    json.dumps(labels)  # plain JSON data, no corpus needed


@pytest.mark.realdocs
def test_corpus_seeds_are_the_labelled_texts(seeds_dir):
    # seeds_dir checks every labelled seed's sha256; the texts are real reports
    assert sorted(p.name for p in seeds_dir.glob("*.txt")) == sorted(r["file"] for r in realdocs.seed_labels()["reports"])
