"""The crawl summary: counts, revisits and errors by reason from a crawl's Scrapy stats.

The archive pipeline stores it as the stats of a run it started itself; crawler.runner builds
the same summary, per portal and in total, for the runs it starts. It lives here, below both.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Iterable, Mapping

logger = logging.getLogger(__name__)

COUNTERS = {
    "captures": "captures",
    "pages": "pages",
    "attachments": "attachments",
    "reports": "reports",
    "new_versions": "new_version",
    "identical_revisits": "identical_revisit",
    "not_modified": "not_modified",
    "new_blobs": "new_blobs",
    "errors": "errors",
    "gone": "gone",
    "trap_blocked": "trap_blocked",
    "write_failed": "write_failed",
}
# totals only (full stats keys): Scrapy's, and bodies the process pipeline could not extract
SCRAPY_COUNTERS = {"bytes": "downloader/response_bytes", "requests": "downloader/request_count",
                   "extraction_errors": "nianbao/process/extraction_error"}


def summarize(stats_list: Iterable[Mapping[str, Any]], portal: str | None = None) -> dict[str, Any]:
    """Counts, revisits and errors by reason from crawler stats (one portal's, or the totals)."""
    prefix = f"nianbao/portal/{portal}/" if portal else "nianbao/"
    out: dict[str, Any] = dict.fromkeys(list(COUNTERS) + ([] if portal else list(SCRAPY_COUNTERS)), 0)
    reasons: Counter[str] = Counter()
    for st in stats_list:
        for key, skey in COUNTERS.items():
            out[key] += int(st.get(prefix + skey, 0) or 0)
        if not portal:
            for key, skey in SCRAPY_COUNTERS.items():
                out[key] += int(st.get(skey, 0) or 0)
        for k, v in st.items():
            if k.startswith(prefix + "errors_by_reason/"):
                reasons[k.rsplit("/", 1)[1]] += int(v)
    out["revisits"] = out["identical_revisits"] + out["not_modified"]
    out["errors_by_reason"] = dict(sorted(reasons.items()))
    return out
