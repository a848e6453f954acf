"""`nianbao sql`: read-only SQL over the archive's public views."""
from __future__ import annotations

import logging

import click

logger = logging.getLogger(__name__)


@click.command("sql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--max-rows", type=int, default=None, help="Print at most this many rows.")
@click.option("--timeout", type=float, default=None, help="Statement timeout in seconds (PostgreSQL).")
@click.pass_obj
def command(obj, query: str, fmt: str, max_rows: int | None, timeout: float | None) -> None:
    """Run one read-only SQL statement against the archive and print the rows.

    The public views are reports, report_cells, report_checks, documents, document_versions,
    captures and crawl_runs. Writes are refused: SQLite is opened read-only and PostgreSQL runs
    the statement in a READ ONLY transaction. The archive must exist at this version's schema
    (`nianbao db upgrade` creates or migrates it); this command never changes it.

    QUERY "-" reads the statement from standard input.

    Example: nianbao sql "SELECT report_year, count(*) FROM reports GROUP BY 1"
    """
    from storage.sql import QueryError, ReadOnlyViolation, format_result, run_readonly

    if query == "-":
        query = click.get_text_stream("stdin").read()
    url = obj.readonly_database_url()  # never creates or migrates the archive
    try:
        result = run_readonly(url, query, max_rows=max_rows, timeout_s=timeout)
    except ReadOnlyViolation as exc:
        raise click.ClickException(str(exc)) from None
    except QueryError as exc:
        raise click.ClickException(f"SQL error: {exc}") from None
    click.echo(format_result(result, fmt), nl=False)
    if result.truncated:
        click.echo(f"(stopped after {max_rows} rows)", err=True)
