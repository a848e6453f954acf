"""The versioned archive: blob store, database, public SQL views, export."""
from storage.archive import Archive, CaptureResult
from storage.blobs import BlobCorrupt, BlobMissing, BlobStore

__all__ = ["Archive", "BlobCorrupt", "BlobMissing", "BlobStore", "CaptureResult"]
