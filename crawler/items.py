"""The item the spider yields: one per fetch (page, listing page, attachment or failure)."""
from __future__ import annotations

import scrapy


class DocumentItem(scrapy.Item):
    """One fetched document, as the archive pipeline records it (capture + blob).

    ``error`` is None for a usable response, else a short reason: 'not_found', 'antibot_wall',
    'robots', 'oversize', 'timeout', 'connection', 'http_<status>', … A failure still becomes
    a capture so a crawl run says exactly what it could not get and why.
    """

    url = scrapy.Field()            # the URL requested (before redirects)
    final_url = scrapy.Field()      # the URL that answered (after 301/302/meta refresh)
    status = scrapy.Field()         # HTTP status, None when nothing answered
    headers = scrapy.Field()        # dict[str, str] of response headers
    body = scrapy.Field()           # bytes | None
    fetched_at = scrapy.Field()     # aware datetime (UTC)
    error = scrapy.Field()          # None or a reason string
    portal = scrapy.Field()         # portal name from config.yaml
    referer = scrapy.Field()        # the page that linked to it
    anchor = scrapy.Field()         # anchor text of the link that led here
    title = scrapy.Field()          # page title (HTML) or anchor text (attachments)
    is_report = scrapy.Field()      # discovery's verdict
    report_year = scrapy.Field()    # int | None
    agency = scrapy.Field()         # str | None (from the title) or the portal's agency
    region_code = scrapy.Field()    # the portal's region code, if configured
    kind = scrapy.Field()           # 'page' | 'listing' | 'attachment' | 'api'
    depth = scrapy.Field()          # link depth from a start URL

    # filled by the archive pipeline from Archive.record_capture's result
    capture_kind = scrapy.Field()   # new_version | identical_revisit | not_modified | error
    capture_id = scrapy.Field()
    sha256 = scrapy.Field()
