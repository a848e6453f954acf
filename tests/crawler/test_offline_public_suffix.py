"""A site that sets a cookie must not make the crawler fetch the Public Suffix List."""
from __future__ import annotations

import importlib


def test_cookie_middleware_uses_bundled_suffix_list():
    import crawler.spiders.psl  # noqa: F401  (patches on import)
    from scrapy.downloadermiddlewares import cookies

    importlib.reload(crawler.spiders.psl)
    extractor = cookies._split_domain
    assert tuple(extractor.suffix_list_urls) == ()
    assert extractor("www.ly.gov.cn").suffix == "gov.cn"
