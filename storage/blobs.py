"""Content-addressed blob store: bytes on disk keyed by their sha256.

Layout: ``<root>/ab/abcd…`` (raw) or ``<root>/ab/abcd….gz`` (gzip-compressed): one level of
256 shards, as git does; a second level would cost a mkdir per blob for the first ~65k blobs,
which dominated the cost of recording a crawl. The suffix says how a file is stored, so the store can be read without the database. Writes are
atomic (temp file in the same directory, fsync, ``os.replace``); reads re-hash the bytes and
raise :class:`BlobCorrupt` naming the sha256 when they no longer match, so a damaged file is
never served as valid. Keys are validated as 64 hex characters, so no key can name a path
outside the store.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[0-9a-f]{64}$")
GZ_SUFFIX = ".gz"
# Compressing already-compressed formats (PDF streams, images, docx/xlsx zips) wastes CPU and
# rarely saves space: keep the raw bytes unless gzip saves at least this fraction.
MIN_SAVING = 0.10
# Bodies smaller than this are stored raw: the gzip header costs more than it saves.
MIN_COMPRESS_SIZE = 256
# Formats that are compressed already (zip: docx/xlsx/wps; images; gzip; 7z; rar): not worth
# the CPU of trying. PDFs are tried: many keep their text streams uncompressed.
COMPRESSED_MAGIC = (b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


def _load_syncfs():
    """libc's syncfs(2) (Linux): flush one file system with a single call, or None."""
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.syncfs
        fn.argtypes = [ctypes.c_int]
        return fn
    except (OSError, AttributeError):
        return None


_SYNCFS = _load_syncfs()
_TMP_SEQ = itertools.count()  # next() on itertools.count is atomic under the GIL


class BlobCorrupt(Exception):
    """A blob whose stored bytes do not hash to its key (or that is missing/undecodable)."""

    def __init__(self, sha256: str, reason: str) -> None:
        super().__init__(f"blob {sha256} is corrupt: {reason}")
        self.sha256 = sha256
        self.reason = reason


class BlobMissing(BlobCorrupt):
    """A blob the archive references but whose file is not in the store."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    stored_size: int
    compression: str | None  # None or "gzip"
    new: bool  # False when the blob was already in the store


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_key(sha256: str) -> str:
    """Return the normalised key or raise ValueError: only 64 hex characters are keys."""
    if not isinstance(sha256, str):
        raise ValueError(f"blob key must be a str, got {type(sha256).__name__}")
    key = sha256.lower()
    if not _KEY.match(key):
        raise ValueError(f"invalid blob key {sha256!r}: expected 64 hex characters")
    return key


class BlobStore:
    """sha256 → bytes on the local file system."""

    def __init__(self, root: str | os.PathLike, *, compress: bool = True, fsync: bool = True) -> None:
        self.root = Path(root).resolve()
        self.compress = compress
        self.fsync = fsync
        self.root.mkdir(parents=True, exist_ok=True)
        self._dirs: set[Path] = set()  # shard directories known to exist

    # -- paths ---------------------------------------------------------------------------
    def path_for(self, sha256: str) -> Path:
        """The raw-file path of a key (the compressed file adds ``.gz``)."""
        key = check_key(sha256)
        return self.root / key[:2] / key

    def locate(self, sha256: str) -> tuple[Path, str | None] | None:
        """Where the blob is stored and how, or None when it is not in the store."""
        raw = self.path_for(sha256)
        gz = raw.with_name(raw.name + GZ_SUFFIX)
        if gz.exists():
            return gz, "gzip"
        if raw.exists():
            return raw, None
        return None

    def exists(self, sha256: str) -> bool:
        return self.locate(sha256) is not None

    # -- write ---------------------------------------------------------------------------
    def encode(self, data: bytes) -> tuple[bytes, str | None]:
        """The bytes to store and their compression, per the store's policy."""
        if self.compress and len(data) >= MIN_COMPRESS_SIZE and not data.startswith(COMPRESSED_MAGIC):
            packed = gzip.compress(data, compresslevel=6, mtime=0)
            if len(packed) <= len(data) * (1 - MIN_SAVING):
                return packed, "gzip"
        return data, None

    def put(self, data: bytes, sha256: str | None = None, *, assume_absent: bool = False) -> StoredBlob:
        """Store ``data`` (idempotent); a given ``sha256`` must be the data's hash.

        ``assume_absent`` skips the existence check (two stat calls) when the caller knows the
        blob is new; writing it again is harmless, the replace is atomic and the bytes equal.
        """
        key = sha256_hex(data)
        if sha256 is not None and check_key(sha256) != key:
            raise ValueError(f"data hashes to {key}, not {sha256}")
        found = None if assume_absent else self.locate(key)
        if found is not None:
            path, compression = found
            return StoredBlob(key, len(data), path.stat().st_size, compression, new=False)
        stored, compression = self.encode(data)
        raw = self.path_for(key)
        target = raw.with_name(raw.name + GZ_SUFFIX) if compression else raw
        self._atomic_write(target, stored)
        return StoredBlob(key, len(data), len(stored), compression, new=True)

    def put_many(self, items: Mapping[str, bytes], *, threads: int = 8) -> dict[str, StoredBlob]:
        """Store many new blobs with two file-system flushes instead of one fsync per file.

        Each body is written to a temp file (compression in a thread pool: zlib releases the
        GIL), one ``syncfs`` makes them all durable, then each is renamed into place and a
        second ``syncfs`` makes the renames durable. The result is as durable as ``put`` per
        file, at a fraction of the cost for a crawl batch. Without syncfs it falls back to put.
        """
        if not self.fsync or _SYNCFS is None or len(items) < 2:
            return {sha: self.put(data, sha, assume_absent=True) for sha, data in items.items()}
        for sha, data in items.items():
            if sha256_hex(data) != check_key(sha):
                raise ValueError(f"data for {sha} hashes to {sha256_hex(data)}")

        def write_tmp(sha: str) -> tuple[str, str, Path, StoredBlob]:
            data = items[sha]
            stored, compression = self.encode(data)
            raw = self.path_for(sha)
            target = raw.with_name(raw.name + GZ_SUFFIX) if compression else raw
            tmp = self._write_tmp(target, stored, fsync=False)
            return sha, tmp, target, StoredBlob(sha, len(data), len(stored), compression, new=True)

        with ThreadPoolExecutor(max_workers=max(1, min(threads, len(items)))) as pool:
            done = list(pool.map(write_tmp, sorted(items)))
        try:
            self._syncfs()
            for _, tmp, target, _ in done:
                os.replace(tmp, target)
            self._syncfs()
        except BaseException:
            for _, tmp, _, _ in done:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
            raise
        return {sha: blob for sha, _, _, blob in done}

    def _syncfs(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) != 0:
                import ctypes

                err = ctypes.get_errno()
                raise OSError(err, f"syncfs failed on {self.root}: {os.strerror(err)}")
        finally:
            os.close(fd)

    def _write_tmp(self, target: Path, data: bytes, *, fsync: bool) -> str:
        """Write ``data`` to a temp file beside ``target``; the caller renames it into place."""
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        # a temp name unique to this write (thread idents are reused once a thread ends, and a
        # batch renames its temp files only after all are written), in the target's directory
        tmp = f"{parent}/.tmp-{target.name}-{os.getpid()}-{next(_TMP_SEQ)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        os.close(fd)
        return tmp

    def _atomic_write(self, target: Path, data: bytes) -> None:
        tmp = self._write_tmp(target, data, fsync=self.fsync)
        try:
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    # -- read ----------------------------------------------------------------------------
    def get(self, sha256: str) -> bytes:
        """The verified bytes of a blob; raises BlobCorrupt (BlobMissing) otherwise."""
        key = check_key(sha256)
        found = self.locate(key)
        if found is None:
            raise BlobMissing(key, "not in the blob store")
        path, compression = found
        stored = path.read_bytes()
        if compression == "gzip":
            try:
                data = gzip.decompress(stored)
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise BlobCorrupt(key, f"cannot decompress {path.name}: {exc}") from None
        else:
            data = stored
        actual = sha256_hex(data)
        if actual != key:
            logger.error("blob %s is corrupt: content hashes to %s", key, actual)
            raise BlobCorrupt(key, f"content hashes to {actual}")
        return data

    def verify(self, sha256: str) -> str | None:
        """None when the blob is intact, else the reason it is not."""
        try:
            self.get(sha256)
        except BlobCorrupt as exc:
            return exc.reason
        return None

    def iter_keys(self) -> Iterator[str]:
        """Every key present on disk (temp files and foreign files are skipped)."""
        for path in sorted(self.root.glob("??/*")):
            name = path.name[: -len(GZ_SUFFIX)] if path.name.endswith(GZ_SUFFIX) else path.name
            if _KEY.match(name) and path.parent.name == name[:2]:
                yield name

    def verify_all(self, keys: list[str] | None = None) -> dict[str, str]:
        """Check every blob (or the given keys); returns {sha256: reason} for the bad ones."""
        bad: dict[str, str] = {}
        for key in keys if keys is not None else self.iter_keys():
            reason = self.verify(key)
            if reason is not None:
                bad[key] = reason
        return bad
