"""`nianbao process`: re-derive text, reports, figures, checks and duplicate links from the
stored blobs, offline (no network)."""
from __future__ import annotations

import datetime as dt
import json
import logging

import click

logger = logging.getLogger(__name__)


def _parse_since(_ctx, _param, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from pipelines.dates import utc_datetime

    try:
        return utc_datetime(value)
    except ValueError:
        raise click.BadParameter("expected a date like 2024-04-15 (or an ISO datetime)") from None


@click.command("process")
@click.option("--all", "all_", is_flag=True, help="Every stored document version (after a parser/extractor upgrade).")
@click.option("--since", callback=_parse_since, metavar="DATE",
              help="Only versions first captured on or after DATE (YYYY-MM-DD).")
@click.option("--re-extract", is_flag=True,
              help="Extract again even when an extraction by the current extractor version is stored.")
@click.option("--no-dedup", is_flag=True, help="Skip linking duplicate reports to their canonical report.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def command(obj, all_: bool, since: dt.datetime | None, re_extract: bool, no_dedup: bool, as_json: bool) -> None:
    """Re-derive everything from stored blobs, without network access.

    Without options: the blobs no extraction of the current extractor version exists for
    (what an interrupted or processing-disabled crawl left), and reports parsed only by an
    older parser version. Re-running is idempotent: the same rows come out. Errors (corrupt blobs, hostile files) are counted by reason; the run
    carries on and is recorded as a crawl run of kind 'process'.
    """
    if all_ and since is not None:
        raise click.UsageError("--all and --since exclude each other")
    from pipelines.process import process_archive

    archive = obj.archive()
    cfg = obj.config
    portals = {p.name: p for p in cfg.portals}
    for profile in cfg.profiles.values():
        for p in profile:
            portals.setdefault(p.name, p)

    def progress(i: int, n: int, res) -> None:
        if not as_json and (i % 100 == 0 or i == n):
            click.echo(f"  {i}/{n} blobs", err=True)

    stats = process_archive(archive, since=since, all=all_, portals=portals, link_duplicates=not no_dedup,
                            force_extract=re_extract, progress=progress)
    d = stats.to_dict()
    if as_json:
        d["run_id"] = stats.run_id
        click.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    click.echo(f"processed {stats.processed} blobs ({stats.versions} document versions) in {stats.seconds:.1f}s"
               f"{f', run {stats.run_id}' if stats.run_id else ''}")
    click.echo(f"  reports:            {stats.reports}")
    click.echo(f"  not reports:        {stats.not_reports}")
    click.echo(f"  extractions reused: {stats.extractions_reused}")
    click.echo(f"  errors:             {sum(stats.errors.values())}")
    for reason, n in stats.errors.most_common():
        click.echo(f"    {n:6d}  {reason}")
    if not no_dedup:
        click.echo(f"  duplicates linked:  {stats.duplicates_linked} (in {stats.duplicate_groups} groups)")
