"""One LibreOffice for the run (unoserver), for the Word files the direct reader cannot read.

Starting LibreOffice costs over a second per file; unoserver keeps one headless soffice up
and converts over XML-RPC on loopback. unoserver's server needs LibreOffice's Python bridge
(``uno``, Debian's python3-uno), which lives in the system Python, not in this
environment: the server runs under the first Python that can ``import uno`` (NIANBAO_UNO_PYTHON,
/usr/bin/python3, LibreOffice's own), with unoserver taken from this environment. It is
started on first need, serves one conversion at a time, is killed and restarted when a
conversion hangs past its timeout, and dies with this process (atexit; PR_SET_PDEATHSIG
for a killed parent, on which unoserver stops soffice). Where no such Python exists,
:func:`available` is false and callers start LibreOffice per file.
"""
from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .base import ExtractionFailed

logger = logging.getLogger(__name__)

START_TIMEOUT = 60.0
_LOCK = threading.Lock()


class Unavailable(ExtractionFailed):
    """The server could not be started (callers start LibreOffice per file instead)."""

_SERVER: "_Server | None" = None
_FAILED: str | None = None  # why the server could not start (not tried again this run)


@functools.lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python interpreter that can import LibreOffice's ``uno`` module."""
    cands = [os.environ.get("NIANBAO_UNO_PYTHON"), "/usr/bin/python3", "/usr/lib/libreoffice/program/python",
             shutil.which("python3")]
    for exe in filter(None, cands):
        if not os.access(exe, os.X_OK):
            continue
        try:
            r = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return exe
    return None


def available() -> bool:
    """A persistent LibreOffice can be run here (NIANBAO_LO_SERVER=0 turns it off)."""
    if os.environ.get("NIANBAO_LO_SERVER", "1") == "0" or _FAILED:
        return False
    try:
        import unoserver  # noqa: F401
    except ImportError:
        return False
    return bool((shutil.which("soffice") or shutil.which("libreoffice")) and uno_python())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pdeathsig() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Server:
    def __init__(self) -> None:
        import unoserver

        self.tmp = tempfile.TemporaryDirectory(prefix="nianbao_unoserver_")
        self.port, uno_port = _free_port(), _free_port()
        exe = shutil.which("soffice") or shutil.which("libreoffice")
        env = dict(os.environ, PYTHONPATH=str(Path(unoserver.__file__).resolve().parents[1]),
                   HOME=self.tmp.name)
        cmd = [uno_python(), "-m", "unoserver.server", "--interface", "127.0.0.1", "--uno-interface", "127.0.0.1",
               "--port", str(self.port), "--uno-port", str(uno_port), "--executable", exe,
               "--user-installation", str(Path(self.tmp.name, "profile"))]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=env, start_new_session=True, preexec_fn=_pdeathsig)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace")[-300:] if self.proc.stderr else ""
                self.close()
                raise Unavailable(f"LibreOffice server did not start: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.close()
            raise Unavailable(f"LibreOffice server did not start within {START_TIMEOUT:.0f}s")
        logger.info("LibreOffice server (unoserver) up on 127.0.0.1:%d", self.port)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def convert(self, data: bytes, target: str, infilter: str | None, timeout: float) -> bytes:
        from unoserver.client import UnoClient

        box: dict = {}

        def run() -> None:
            try:
                box["out"] = UnoClient(port=str(self.port)).convert(indata=data, convert_to=target,
                                                                    infiltername=infilter)
            except Exception as e:  # xmlrpc Fault, connection errors
                box["err"] = e

        t = threading.Thread(target=run, daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            self.close()
            raise ExtractionFailed(f"LibreOffice conversion timed out after {timeout:.0f}s")
        if "err" in box:
            raise ExtractionFailed(f"LibreOffice could not convert the file: {box['err']}"[:400])
        out = box.get("out")
        if not out:
            raise ExtractionFailed("LibreOffice produced nothing")
        return bytes(out)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.tmp.cleanup()


def convert(data: bytes, target: str = "docx", infilter: str | None = None, timeout: float = 120) -> bytes:
    """Convert with the run's LibreOffice server (started on first use, restarted if dead)."""
    global _SERVER, _FAILED
    with _LOCK:
        if _SERVER is None or not _SERVER.alive():
            if _SERVER is not None:
                logger.warning("LibreOffice server died; starting a new one")
                _SERVER.close()
            try:
                _SERVER = _Server()
            except Unavailable as e:
                _FAILED = str(e)
                raise
            atexit.register(shutdown)
        return _SERVER.convert(data, target, infilter, timeout)


def shutdown() -> None:
    global _SERVER
    with _LOCK:
        server, _SERVER = _SERVER, None
    if server is not None:
        server.close()


def pid() -> int | None:
    """The server process's id (None when none runs)."""
    return _SERVER.proc.pid if _SERVER is not None and _SERVER.alive() else None
