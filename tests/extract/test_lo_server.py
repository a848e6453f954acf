"""The run's one LibreOffice (unoserver): reused across conversions, restarted when dead,
gone with its parent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.extract import lo_server
from pipelines.extract.doc import convert_with_soffice, pad_ole
from pipelines.extract.docx import extract_docx

ROOT = Path(__file__).resolve().parents[2]
WPS = ROOT / "crawler" / "sampleweb" / "site" / "rendered" / "seed000" / "seed000.wps"

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie counts as gone
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_server_is_available_here():
    assert lo_server.available(), "python3-uno (LibreOffice's Python bridge) and unoserver are needed"


def test_one_server_for_many_conversions_and_a_new_one_after_a_death():
    data = pad_ole(WPS.read_bytes())[0]
    try:
        a = extract_docx(convert_with_soffice(data, ".doc", infilter="MS Word 97"))
        pid = lo_server.pid()
        assert pid is not None and len(a.tables) == 3
        b = extract_docx(convert_with_soffice(data, ".doc", infilter="MS Word 97"))
        assert lo_server.pid() == pid and [t.rows for t in b.tables] == [t.rows for t in a.tables]
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        c = extract_docx(convert_with_soffice(data, ".doc", infilter="MS Word 97"))
        assert lo_server.pid() not in (None, pid) and [t.rows for t in c.tables] == [t.rows for t in a.tables]
    finally:
        lo_server.shutdown()
    assert lo_server.pid() is None


_CHILD = r"""
import sys, time
from pipelines.extract import lo_server
from pipelines.extract.doc import convert_with_soffice, pad_ole
data = pad_ole(open(sys.argv[1], "rb").read())[0]
convert_with_soffice(data, ".doc", infilter="MS Word 97")
print(lo_server.pid(), flush=True)
time.sleep(600)
"""


def test_server_dies_with_its_parent():
    p = subprocess.Popen([sys.executable, "-c", _CHILD, str(WPS)], stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        server = int(p.stdout.readline())
        office = _children(server)
        assert office, "the server runs soffice"
        p.kill()  # no atexit: only PR_SET_PDEATHSIG can end the server
        p.wait(10)
        deadline = time.monotonic() + 30
        while any(_alive(x) for x in [server] + office) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not any(_alive(x) for x in [server] + office)
    finally:
        if p.poll() is None:
            p.kill()
