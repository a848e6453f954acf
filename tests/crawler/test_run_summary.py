"""The crawl summary counts extraction errors (the process pipeline's), and the demo's adds
those of the processing after the crawl."""
from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from rich.console import Console

from crawler.commands.demo import _extraction_errors
from crawler.runner import print_summary, summarize

STATS = {"nianbao/captures": 7, "nianbao/portal/p/captures": 7, "nianbao/errors": 1,
         "nianbao/errors_by_reason/not_found": 1, "nianbao/process/extraction_error": 3,
         "nianbao/process/report": 2}


def _result(processed: bool = True) -> dict:
    return {"run_id": 1, "status": "finished", "elapsed_s": 1.0, "processed": processed,
            "totals": summarize([STATS]), "portals": {"p": summarize([STATS], portal="p")}}


def test_totals_count_extraction_errors():
    assert summarize([STATS, STATS])["extraction_errors"] == 6
    assert "extraction_errors" not in summarize([STATS], portal="p")   # recorded for the run only


def test_print_summary_says_how_many_bodies_could_not_be_extracted():
    con = Console(record=True, width=100)
    print_summary(_result(), con)
    text = con.export_text()
    assert "extraction errors while crawling: 3" in text and "errors by reason: not_found 1" in text
    con = Console(record=True, width=100)
    print_summary(_result(processed=False), con)   # --no-process: nothing was extracted
    assert "extraction errors" not in con.export_text()


def test_demo_adds_the_errors_of_the_processing_after_the_crawl():
    stats = SimpleNamespace(errors=Counter({"extraction: pdf": 2, "blob_corrupt": 1}))
    assert _extraction_errors(_result(), stats) == (5, {"extraction: pdf": 2})
    assert _extraction_errors(_result(), None) == (3, {})
