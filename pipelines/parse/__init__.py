"""Report parsing: the standard figures of sections 二, 三, 四 and their checks.

    from pipelines.parse import parse_report
    p = parse_report(text, tables=None, hints=None)
    p.to_dict()   # {agency, agency_source, report_year, template, ..., cells, checks, warnings}

`cross_year_checks(current, previous)` gives the soft X1/X2 checks between two report dicts
of the same agency in consecutive years.
"""
from pipelines.parse.checks import cross_year_checks
from pipelines.parse.model import Cell, Check, ParsedReport
from pipelines.parse.report import PARSER_VERSION, parse_report

__all__ = ["parse_report", "ParsedReport", "Cell", "Check", "cross_year_checks", "PARSER_VERSION"]
