"""Scrapy's cookie middleware on tldextract's bundled Public Suffix List snapshot.

By default tldextract downloads the list from publicsuffix.org the first time a site sets a
cookie: a request outside the portals being crawled (and, in tests and the offline demo, a
DNS failure with a long traceback in the log). Importing this module (crawler.spiders.portal
does) points the middleware at the snapshot shipped with tldextract.
"""
from __future__ import annotations

import logging

from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract

logger = logging.getLogger(__name__)


def use_bundled_public_suffix_list() -> None:
    if hasattr(cookies, "_split_domain"):
        cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
    else:  # a Scrapy that no longer has it: nothing to patch
        logger.debug("scrapy.downloadermiddlewares.cookies has no _split_domain; not patched")


use_bundled_public_suffix_list()
