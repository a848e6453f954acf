"""The README, docs/ and the READMEs under the code send no reader outside the repository."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", ".git", "site", "build", "dist"}
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _docs() -> list[Path]:
    out = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for p in sorted(REPO.rglob("README.md")):
        if not SKIP_DIRS & set(p.relative_to(REPO).parts) and p not in out:
            out.append(p)
    return out


def test_there_are_docs_to_check():
    names = {str(p.relative_to(REPO)) for p in _docs()}
    assert {"README.md", "docs/ARCHITECTURE.md", "docs/report-template.md", "pipelines/parse/README.md"} <= names


def test_no_doc_points_outside_the_repo():
    bad = []
    for p in _docs():
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.\./shared|shared/(spec|seeds|corpus|DESIGN)", line):
                bad.append(f"{p.relative_to(REPO)}:{n}: {line.strip()}")
    assert bad == []


def test_relative_links_resolve_inside_the_repo():
    bad = []
    for p in _docs():
        for target in LINK.findall(p.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue   # http(s), mailto
            dest = (p.parent / target).resolve()
            if not dest.is_relative_to(REPO) or not dest.exists():
                bad.append(f"{p.relative_to(REPO)} -> {target}")
    assert bad == []
