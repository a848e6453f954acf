"""Scrapy settings for nianbao, built from config.yaml's ``crawl:`` section.

``scrapy crawl portal -a portal=NAME`` uses this module (scrapy.cfg points here): at import it
reads config.yaml (or NIANBAO_CONFIG) and applies the same politeness settings as
``nianbao crawl``, which calls :func:`from_config` directly.
"""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False


def downloader_middlewares(conditional_get: bool = True) -> dict[str, int]:
    mws = {
        "crawler.middlewares.backoff.RetryBackoffMiddleware": 540,
        "crawler.middlewares.antibot.AntiBotWallMiddleware": 545,
    }
    if conditional_get:
        mws["crawler.middlewares.conditional.ConditionalGetMiddleware"] = 560
    return mws


def item_pipelines(process: bool = True) -> dict[str, int]:
    """Archive first (capture + blob), then processing (extract + parse) unless turned off."""
    pipes = {"pipelines.archive.ArchivePipeline": 300}
    if process:
        pipes["pipelines.process.ProcessPipeline"] = 500
    return pipes


def from_config(cfg: Any, *, process: bool = True) -> dict[str, Any]:
    """Scrapy settings for a crawl described by a ``crawler.config.Config``."""
    c = cfg.crawl
    return {
        "BOT_NAME": BOT_NAME,
        "SPIDER_MODULES": SPIDER_MODULES,
        "NEWSPIDER_MODULE": NEWSPIDER_MODULE,
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS": c.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": c.autothrottle_target_concurrency,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.5),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "DOWNLOAD_TIMEOUT": c.download_timeout,
        "DOWNLOAD_MAXSIZE": c.max_download_size,
        "DOWNLOAD_WARNSIZE": max(c.max_download_size // 2, 1),
        "RETRY_ENABLED": c.retries > 0,
        "RETRY_TIMES": c.retries,
        # 412 is an anti-bot wall, not a transient error: never retried (see middlewares/antibot)
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NIANBAO_RETRY_BACKOFF_BASE": 1.0,
        "NIANBAO_RETRY_BACKOFF_MAX": 60.0,
        "DEPTH_LIMIT": c.depth_limit,
        "NIANBAO_MAX_PAGES_PER_PORTAL": c.max_pages_per_portal,
        "NIANBAO_CONDITIONAL_GET": c.conditional_get,
        "NIANBAO_PROGRESS": c.progress,
        # the archive, for the pipelines and the conditional-GET middleware (they never read config)
        "NIANBAO_DATABASE_URL": cfg.database_url(),
        "NIANBAO_BLOB_DIR": str(cfg.blob_dir()),
        "NIANBAO_COMPRESS": cfg.archive.compress,
        # Scrapy starts CONCURRENT_ITEMS asyncio workers per response; a page yields one item
        # and a few dozen requests, so 100 (the default) is pure scheduling overhead
        "CONCURRENT_ITEMS": 16,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,   # Scrapy's code-execution HTTP server: never in a daemon
        "LOG_LEVEL": "INFO",
        "REDIRECT_MAX_TIMES": 10,
        "METAREFRESH_ENABLED": True,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": downloader_middlewares(c.conditional_get),
        "ITEM_PIPELINES": item_pipelines(process),
        "EXTENSIONS": {"crawler.middlewares.progress.ProgressExtension": 500},
    }


def _load_module_settings() -> dict[str, Any]:
    from crawler.config import ConfigError, load_config

    try:
        return from_config(load_config())
    except (ConfigError, OSError) as exc:  # a broken config must not break `scrapy list`/`--help`
        logger.warning("config.yaml not applied to Scrapy settings: %s", exc)
        return {"ROBOTSTXT_OBEY": True, "ITEM_PIPELINES": item_pipelines(),
                "DOWNLOADER_MIDDLEWARES": downloader_middlewares()}


globals().update(_load_module_settings())
