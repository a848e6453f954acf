"""The archive a config names: the one place an ``Archive`` is built from config.yaml.

The CLI and the crawl runner open the archive here. Scrapy components never do: they get it
from the crawl's settings (``pipelines.archive.archive_from_settings``), which
crawler.settings fills from the same config.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.config import Config
    from storage import Archive

logger = logging.getLogger(__name__)


def open_archive(cfg: "Config", *, migrate: bool = True) -> "Archive":
    """The archive at ``archive.database`` (or NIANBAO_DATABASE_URL) with blobs under
    ``archive.blobs``; migrated to the current schema unless ``migrate=False``."""
    from storage import Archive

    return Archive(cfg.database_url(), cfg.blob_dir(), compress=cfg.archive.compress, migrate=migrate)
