"""Listing idioms of Chinese government CMSs, one module each.

Each module exposes a mixin whose ``discover_*`` method reads a response and returns
:class:`~crawler.spiders.base.link.Link` objects for the listing pages and documents that
idiom hides from plain link extraction (JavaScript pagination, XML data proxies, JSON list APIs).
"""
