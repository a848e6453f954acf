"""The archive API: crawl runs, captures, documents, versions and the rows derived from blobs.

:class:`Archive` is the one object callers hold. Its parts live in their own modules:

* storage/base.py       engine, blob store, connections and :meth:`Archive.batch`
* storage/runs.py       crawl runs
* storage/documents.py  captures, documents and versions (the capture side; hot path in
                        storage/capture.py and storage/capture_batch.py)
* storage/blob_rows.py  the ``blob`` rows indexing the content-addressed BlobStore
* storage/derived.py    extractions, reports, cells, checks, sources and canonical links
* storage/report_lookups.py  the questions processing and dedup ask of the derived rows
"""
from __future__ import annotations

import logging

from storage.blob_rows import BlobRows
from storage.capture import CaptureResult, normalize_headers
from storage.coerce import json_safe
from storage.derived import DerivedStore
from storage.documents import KINDS, CaptureStore
from storage.report_lookups import ReportLookups
from storage.runs import RUN_STATUSES, RunStore

logger = logging.getLogger(__name__)


class Archive(CaptureStore, BlobRows, DerivedStore, ReportLookups, RunStore):
    """The versioned archive: a database (SQLite file or PostgreSQL) plus a blob store.

    Thread-safe: each call takes its own connection from the engine's pool, except inside
    :meth:`batch`, which reuses one connection and transaction per thread.
    """


__all__ = ["Archive", "CaptureResult", "KINDS", "RUN_STATUSES", "normalize_headers", "json_safe"]
