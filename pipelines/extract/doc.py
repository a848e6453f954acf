"""DOC and WPS (and RTF): read directly (wordbin, milliseconds), else LibreOffice headless ->
DOCX -> the DOCX extractor; antiword as the last resort.

The direct reader gives the text and table grids LibreOffice would; what it does not
understand (Word 6/95, encryption, nested tables, damage) goes through LibreOffice: the
run's one LibreOffice server (lo_server) where it can run, else a LibreOffice per file.

Each conversion gets its own LibreOffice profile directory (-env:UserInstallation), so
conversions can run in parallel threads without fighting over a profile lock; a timeout
kills a hung soffice. WPS writes OLE files a few bytes short of a 512-byte sector
multiple, which LibreOffice rejects: they are zero-padded first.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

from .base import Extraction, ExtractionFailed, PageInfo, Table, clean_line, count_chars, rectangular
from .limits import ANTIWORD_TIMEOUT, SOFFICE_TIMEOUT

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# two conversions at a time: each soffice takes ~150 MB and a core
_SOFFICE_SLOTS = threading.BoundedSemaphore(int(os.environ.get("NIANBAO_SOFFICE_SLOTS", "2")))


def pad_ole(data: bytes) -> tuple[bytes, bool]:
    """Zero-pad an OLE compound file to a 512-byte multiple (WPS writes them short)."""
    if data.startswith(OLE_MAGIC) and len(data) % 512:
        return data + b"\x00" * (512 - len(data) % 512), True
    return data, False


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run(cmd: list[str], timeout: int, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run in its own process group so a timeout kills soffice's children too."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def check_ole(data: bytes) -> None:
    """Reject files whose OLE header is invalid (LibreOffice would import them as text)."""
    if not data.startswith(OLE_MAGIC):
        return
    if len(data) < 1536 or data[28:30] != b"\xfe\xff" or data[30:32] not in (b"\x09\x00", b"\x0c\x00"):
        raise ExtractionFailed("unreadable Word/WPS file: corrupt OLE compound file header")
    if "WordDocument".encode("utf-16-le") not in data:
        raise ExtractionFailed("unreadable Word/WPS file: no WordDocument stream in the OLE file")


def convert_with_soffice(
    data: bytes, suffix: str, target: str = "docx", timeout: int = SOFFICE_TIMEOUT, infilter: str | None = None
) -> bytes:
    """Convert bytes with LibreOffice; raises ExtractionFailed with the reason.

    DOCX targets go to the run's LibreOffice server when one can run (lo_server), else a
    LibreOffice is started for this file.
    """
    from . import lo_server

    if target == "docx" and lo_server.available():
        try:
            return lo_server.convert(data, "docx", infilter, timeout)
        except lo_server.Unavailable as e:
            logger.warning("%s; starting LibreOffice per file", e)
    exe = soffice_binary()
    if not exe:
        raise ExtractionFailed("LibreOffice (soffice) is not installed")
    with _SOFFICE_SLOTS, tempfile.TemporaryDirectory(prefix="nianbao_lo_") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        prof = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        cmd = [exe, f"-env:UserInstallation={prof.as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck"]
        if infilter:  # never let LibreOffice fall back to importing a broken file as text
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(out), str(src)]
        try:
            res = _run(cmd, timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise ExtractionFailed(f"LibreOffice conversion timed out after {timeout}s") from None
        produced = list(out.glob("*")) if out.exists() else []
        if not produced:
            err = (res.stderr or b"").decode("utf-8", "replace").strip()[-300:]
            raise ExtractionFailed(f"LibreOffice could not convert the file (rc={res.returncode}) {err}".strip())
        return produced[0].read_bytes()


def antiword_extract(data: bytes, timeout: int = ANTIWORD_TIMEOUT) -> tuple[str, list[Table]]:
    """Text via antiword; its |-separated table rows become tables."""
    exe = shutil.which("antiword")
    if not exe:
        raise ExtractionFailed("antiword is not installed")
    with tempfile.TemporaryDirectory(prefix="nianbao_aw_") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        env = dict(os.environ, ANTIWORDHOME=os.environ.get("ANTIWORDHOME", "/usr/share/antiword"))
        try:
            res = subprocess.run([exe, "-m", "UTF-8.txt", str(src)], capture_output=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise ExtractionFailed(f"antiword timed out after {timeout}s") from None
    if res.returncode != 0:
        raise ExtractionFailed(f"antiword failed: {(res.stderr or b'').decode('utf-8', 'replace').strip()[:200]}")
    lines: list[str] = []
    tables: list[Table] = []
    cur: list[list[str]] = []
    for raw in res.stdout.decode("utf-8", "replace").splitlines():
        s = raw.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cur.append([clean_line(c) for c in s[1:-1].split("|")])
            continue
        if not s and cur:  # antiword puts blank lines between some rows of one table
            continue
        if cur:
            grid = rectangular(cur)
            if grid:
                tables.append(Table(rows=grid))
                lines.extend("\t".join(c for c in r if c) for r in grid)
            cur = []
        s = clean_line(raw)
        if s:
            lines.append(s)
    if cur:
        grid = rectangular(cur)
        if grid:
            tables.append(Table(rows=grid))
            lines.extend("\t".join(c for c in r if c) for r in grid)
    return "\n".join(lines), tables


def read_fast(data: bytes) -> Extraction:
    """A Word 97-2003 body read directly (wordbin); raises wordbin.Unsupported."""
    from . import wordbin

    doc = wordbin.read(data)
    text = "\n".join(wordbin.lines(doc))
    if not count_chars(text):
        raise wordbin.Unsupported("no text in the main document")
    tables = [Table(rows=g) for g in (rectangular(body[0]) for kind, body in doc.blocks if kind == "t") if g]
    meta = {"title": doc.title, "author": doc.author, "created": doc.created, "modified": doc.modified}
    return Extraction(format="doc", extractor="wordbin", text=text, tables=tables,
                      pages=[PageInfo(1, count_chars(text))], metadata=meta)


def extract_doc(data: bytes) -> Extraction:
    from . import wordbin
    from .docx import extract_docx

    data, padded = pad_ole(data)
    warnings = ["OLE file padded to a 512-byte multiple (WPS)"] if padded else []
    rtf = data.startswith(b"{\\rtf")
    suffix = ".rtf" if rtf else ".doc"
    check_ole(data)
    if not rtf:
        try:
            x = read_fast(data)
            x.warnings = warnings
            return x
        except (wordbin.Unsupported, struct.error, IndexError, ValueError, KeyError) as e:
            # a damaged structure is LibreOffice's to judge: it repairs some
            reason = str(e) if isinstance(e, wordbin.Unsupported) else f"damaged Word structure: {type(e).__name__}: {e}"
            logger.info("Word binary reader: %s; converting with LibreOffice", reason)
            warnings.append(f"read through LibreOffice ({reason})")
    lo_error = None
    try:
        docx_bytes = convert_with_soffice(data, suffix, infilter=None if rtf else "MS Word 97")
        x = extract_docx(docx_bytes)
        x.format = "doc"
        x.extractor = "libreoffice+python-docx"
        x.warnings = warnings + x.warnings
        if count_chars(x.text) or suffix == ".rtf":
            return x
        lo_error = "LibreOffice produced an empty document"
    except ExtractionFailed as e:
        lo_error = str(e)
    logger.info("LibreOffice failed (%s); trying antiword", lo_error)
    try:
        text, tables = antiword_extract(data)
    except ExtractionFailed as e:
        raise ExtractionFailed(f"unreadable Word/WPS file: {lo_error}; {e}") from None
    if not count_chars(text):
        raise ExtractionFailed(f"unreadable Word/WPS file: {lo_error}; antiword found no text")
    warnings.append(f"LibreOffice failed ({lo_error}); text by antiword")
    return Extraction(
        format="doc", extractor="antiword", text=text, tables=tables,
        pages=[PageInfo(1, count_chars(text))], warnings=warnings,
    )
