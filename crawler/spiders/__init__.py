"""nianbao's spiders: `portal` (generic, config-driven) and the CMS bases in base/.

Importing this package also makes Scrapy's cookie middleware use tldextract's bundled Public
Suffix List snapshot: by default tldextract downloads the list from publicsuffix.org the first
time a site sets a cookie, which is a request outside the portals being crawled (and, in
tests and the offline demo, a DNS failure with a long traceback in the log).
"""
from __future__ import annotations

import logging

from tldextract import TLDExtract

logger = logging.getLogger(__name__)


def _use_bundled_public_suffix_list() -> None:
    try:
        from scrapy.downloadermiddlewares import cookies
    except ImportError:  # pragma: no cover - Scrapy is a hard dependency
        return
    if hasattr(cookies, "_split_domain"):
        cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
    else:  # a Scrapy that no longer has it: nothing to patch
        logger.debug("scrapy.downloadermiddlewares.cookies has no _split_domain; not patched")


_use_bundled_public_suffix_list()
