"""What changed between two archived versions: the text diff and the figure-by-figure diff.

Versions are :class:`storage.history.VersionRef` (resolved by ``storage.history``). Text diffs
use the stored extraction text when there is one, else extract the blob again
(``pipelines.extract.extract_bytes``), else decode it. When both bodies were parsed as
reports, the figure-by-figure diff compares their cells (section, row_key, column_key).
"""
from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from charset_normalizer import from_bytes

from pipelines.extract import extract_bytes
from storage.history import VersionRef, report_for_sha

logger = logging.getLogger(__name__)


def version_text(archive: Any, sha256: str, url: str | None = None) -> tuple[str, str]:
    """(text, where it came from: 'extraction' | 'extract_bytes' | 'decoded')."""
    try:
        ext = archive.get_extraction(sha256)
    except Exception as exc:  # a derived-row problem must not block the diff
        logger.warning("extraction of %s unreadable: %s", sha256, exc)
        ext = None
    if ext and ext.get("text"):
        return ext["text"], "extraction"
    data = archive.read_blob(sha256)
    x = extract_bytes(data, url=url)  # never raises: an unreadable body has no text
    if x.text:
        return x.text, "extract_bytes"
    best = from_bytes(data).best()
    if best is not None:
        return str(best), "decoded"
    return data.decode("utf-8", "replace"), "decoded"


def text_diff(a: str, b: str, a_label: str = "a", b_label: str = "b", context: int = 3) -> list[str]:
    """Unified diff of two texts, line by line (lines stripped of trailing blanks)."""
    al = [line.rstrip() for line in a.splitlines()]
    bl = [line.rstrip() for line in b.splitlines()]
    return list(difflib.unified_diff(al, bl, a_label, b_label, n=context, lineterm=""))


def _cell_key(c: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(c["section"]), str(c["row_key"]), str(c["column_key"]))


def cell_diff(a_cells: Iterable[Mapping[str, Any]], b_cells: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Figure-by-figure differences: changed, added (only in b) and removed (only in a) cells."""
    a = {_cell_key(c): c for c in a_cells}
    b = {_cell_key(c): c for c in b_cells}
    out = []
    for key in sorted(set(a) | set(b)):
        ca, cb = a.get(key), b.get(key)
        if ca is not None and cb is not None:
            same = ca.get("value") == cb.get("value") if (ca.get("value") is not None or cb.get("value") is not None) \
                else (ca.get("printed") or "") == (cb.get("printed") or "")
            if same:
                continue
            change = "changed"
        else:
            change = "added" if ca is None else "removed"
        out.append({"section": key[0], "row_key": key[1], "column_key": key[2], "change": change,
                    "old": None if ca is None else ca.get("value"), "new": None if cb is None else cb.get("value"),
                    "old_printed": None if ca is None else ca.get("printed"),
                    "new_printed": None if cb is None else cb.get("printed")})
    return out


def diff_versions(archive: Any, a: VersionRef, b: VersionRef, *, context: int = 3, text: bool = True,
                  cells: bool = True) -> dict[str, Any]:
    """Text diff and (when both bodies were parsed as reports) the figure-by-figure diff."""
    out: dict[str, Any] = {"a": a.to_dict(), "b": b.to_dict(), "identical": a.sha256 == b.sha256}
    if text:
        ta, sa_ = version_text(archive, a.sha256, a.url)
        tb, sb = version_text(archive, b.sha256, b.url)
        out["text_source"] = [sa_, sb]
        out["text_diff"] = [] if out["identical"] else text_diff(ta, tb, a.label, b.label, context)
    if cells:
        ra, rb = report_for_sha(archive, a.sha256), report_for_sha(archive, b.sha256)
        out["reports"] = [ra and ra["id"], rb and rb["id"]]
        out["cell_diff"] = cell_diff(ra["cells"], rb["cells"]) if ra is not None and rb is not None else None
    return out


__all__ = ["version_text", "text_diff", "cell_diff", "diff_versions"]
