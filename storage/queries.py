"""Named queries over the public views that commands print and run.

They are user-visible on purpose (``nianbao demo`` prints the statement before its result, as
an example of what ``nianbao sql`` can ask), so they read the public views only, never the
tables, and must keep running when the tables change.
"""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Hard checks (H1-H4) are the form's own arithmetic; soft ones (X1-X3) compare with other
# years and the narrative and fail often in real reports, so the summary counts them apart.
REPORTS_BY_YEAR_SQL = """SELECT r.report_year, r.template, count(*) AS reports,
       sum(CASE WHEN EXISTS (SELECT 1 FROM report_checks k WHERE k.report_id = r.report_id
                AND k.check_id LIKE 'H%' AND k.passed = FALSE) THEN 1 ELSE 0 END) AS hard_check_failed,
       sum(CASE WHEN EXISTS (SELECT 1 FROM report_checks k WHERE k.report_id = r.report_id
                AND k.check_id LIKE 'X%' AND k.passed = FALSE) THEN 1 ELSE 0 END) AS soft_check_failed,
       sum(r.source_count) AS sources
FROM reports r
WHERE r.is_canonical
GROUP BY r.report_year, r.template
ORDER BY r.report_year, r.template"""
