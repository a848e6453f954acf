"""The blob side of the Archive: the ``blob`` rows that index the content-addressed BlobStore."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from storage.base import ArchiveBase
from storage.blobs import check_key, sha256_hex
from storage.coerce import utcnow
from storage.tables import T_BLOB, insert_ignore

logger = logging.getLogger(__name__)


def require_blob(conn: sa.Connection, sha: str) -> None:
    """KeyError unless the archive holds the blob (derived rows refer to it)."""
    if conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is None:
        raise KeyError(f"blob {sha} is not in the archive")


class BlobRows(ArchiveBase):
    """read / store / verify blobs; a row always implies its file (the file is written first)."""

    def read_blob(self, sha256: str) -> bytes:
        """The verified bytes of a stored body; raises BlobCorrupt when they do not match."""
        return self.blobs.get(sha256)

    def has_blob(self, sha256: str) -> bool:
        sha = check_key(sha256)
        with self._ro() as conn:
            return conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is not None

    def blob_count(self) -> int:
        """How many distinct bodies the archive holds."""
        with self._ro() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_BLOB)).scalar_one()

    def put_blob(self, data: bytes, content_type: str | None = None) -> str:
        """Store bytes that did not come from a capture (e.g. an imported file); returns sha256."""
        sha = sha256_hex(data)
        with self._tx() as conn:
            self._store_blob(conn, sha, data, content_type)
        return sha

    def _store_blob(self, conn: sa.Connection, sha: str, body: bytes, content_type: str | None) -> bool:
        """Write the blob file (first) and its row; True when the archive did not have it."""
        if conn.execute(sa.select(T_BLOB.c.sha256).where(T_BLOB.c.sha256 == sha)).first() is not None:
            return False
        stored = self.blobs.put(body, sha)
        res = insert_ignore(conn, T_BLOB, {
            "sha256": sha, "size": stored.size, "stored_size": stored.stored_size,
            "compression": stored.compression, "content_type": content_type, "created_at": utcnow(),
        }, ["sha256"], returning=T_BLOB.c.sha256)
        return res.first() is not None

    def verify_blobs(self) -> dict[str, str]:
        """Check every blob the database references; {sha256: reason} for corrupt or missing ones."""
        with self.engine.connect() as conn:
            keys = list(conn.execute(sa.select(T_BLOB.c.sha256).order_by(T_BLOB.c.sha256)).scalars())
        bad = self.blobs.verify_all(keys)
        for sha, reason in bad.items():
            logger.error("blob %s: %s", sha, reason)
        return bad

    def orphan_blobs(self) -> list[str]:
        """Blob files no database row refers to (left by an interrupted batch; harmless)."""
        with self.engine.connect() as conn:
            keys = set(conn.execute(sa.select(T_BLOB.c.sha256)).scalars())
        return [k for k in self.blobs.iter_keys() if k not in keys]
