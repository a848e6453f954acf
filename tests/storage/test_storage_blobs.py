"""BlobStore: content addressing, atomic writes, compression, verified reads, safe keys."""
from __future__ import annotations

import hashlib
import os

import pytest

from storage import BlobCorrupt, BlobStore
from storage.blobs import BlobMissing


def test_put_get_roundtrip_sharded_and_idempotent(tmp_path):
    store = BlobStore(tmp_path, compress=True)
    data = ("政府信息公开工作年度报告 " * 200).encode()
    sha = hashlib.sha256(data).hexdigest()
    first = store.put(data)
    assert first.sha256 == sha and first.new and first.compression == "gzip" and first.stored_size < len(data)
    path, comp = store.locate(sha)
    assert path == tmp_path / sha[:2] / (sha + ".gz") and comp == "gzip"
    again = store.put(data)
    assert not again.new
    assert store.get(sha) == data and store.get(sha.upper()) == data
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha + ".gz"]  # no temp files left
    assert list(store.iter_keys()) == [sha]


def test_incompressible_or_small_bodies_are_stored_raw(tmp_path):
    store = BlobStore(tmp_path, compress=True)
    noise = os.urandom(5000)
    assert store.put(noise).compression is None
    assert store.put(b"tiny").compression is None
    plain = BlobStore(tmp_path / "plain", compress=False)
    assert plain.put(b"a" * 10000).compression is None


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "g" * 64, "/" + "a" * 63, "a" * 64 + "/..", ""])
def test_keys_that_are_not_sha256_are_rejected(tmp_path, key):
    store = BlobStore(tmp_path)
    with pytest.raises(ValueError):
        store.get(key)
    with pytest.raises(ValueError):
        store.put(b"x", key)


def test_corrupt_and_missing_blobs_raise_naming_the_sha(tmp_path):
    store = BlobStore(tmp_path, compress=False)
    blob = store.put(b"original bytes" * 50)
    path, _ = store.locate(blob.sha256)
    path.write_bytes(b"flipped bytes!" * 50)
    with pytest.raises(BlobCorrupt, match=blob.sha256):
        store.get(blob.sha256)
    assert store.verify_all() == {blob.sha256: store.verify(blob.sha256)}
    gz = BlobStore(tmp_path / "gz", compress=True).put(b"z" * 5000)
    gzpath, _ = BlobStore(tmp_path / "gz").locate(gz.sha256)
    gzpath.write_bytes(b"not gzip at all")
    with pytest.raises(BlobCorrupt, match="decompress"):
        BlobStore(tmp_path / "gz").get(gz.sha256)
    with pytest.raises(BlobMissing):
        store.get("0" * 64)


def test_already_compressed_formats_are_not_recompressed(tmp_path):
    store = BlobStore(tmp_path, compress=True)
    fake_docx = b"PK\x03\x04" + b"a" * 5000  # would compress well, but zip containers are skipped
    assert store.put(fake_docx).compression is None
    assert store.put(b"%PDF-1.4 " + b"stream " * 1000).compression == "gzip"
