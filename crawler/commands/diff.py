"""`nianbao diff`: what changed between two archived versions — text, and figure by figure."""
from __future__ import annotations

import json
import logging
from typing import Any

import click

logger = logging.getLogger(__name__)


def _v(x: Any) -> str:
    return "NULL" if x is None else str(x)


@click.command("diff")
@click.argument("refs", nargs=-1, required=True)
@click.option("--context", "-U", type=int, default=3, show_default=True, help="Lines of context in the text diff.")
@click.option("--text/--no-text", default=True, show_default=True, help="Show the text diff.")
@click.option("--cells/--no-cells", default=True, show_default=True,
              help="Show the figure-by-figure diff of the two versions' reports.")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.pass_obj
def command(obj, refs: tuple[str, ...], context: int, text: bool, cells: bool, as_json: bool) -> None:
    """Compare two versions: `nianbao diff OLD NEW`, or `nianbao diff URL` (previous vs current).

    A version is a URL (its current version), URL@N (its N-th version, -1 = last), v:VERSION_ID,
    report:REPORT_ID, or a sha256 (prefix). With one ref, it is compared with the version of the
    same URL before it. The text diff uses the stored extraction text (else re-extracts the
    body); when both versions were parsed as reports, their figures are compared cell by cell.
    """
    from pipelines.diff import diff_versions
    from storage.history import VersionNotFound, previous_version, resolve_version

    if len(refs) > 2:
        raise click.UsageError("give one or two versions")
    archive = obj.archive()
    try:
        if len(refs) == 2:
            a, b = resolve_version(archive, refs[0]), resolve_version(archive, refs[1])
        else:
            b = resolve_version(archive, refs[0])
            a = previous_version(archive, b)
            if a is None:
                raise click.ClickException(f"{b.url} has only one version ({b.sha256[:12]}); nothing to compare")
    except VersionNotFound as exc:
        raise click.ClickException(str(exc)) from None
    d = diff_versions(archive, a, b, context=context, text=text, cells=cells)
    if as_json:
        click.echo(json.dumps(d, ensure_ascii=False, default=str, indent=1))
        return
    click.echo(f"--- {a.label}\n+++ {b.label}")
    if d["identical"]:
        click.echo("identical bodies")
        return
    if text:
        click.echo(f"text ({d['text_source'][0]} vs {d['text_source'][1]}):")
        for line in d["text_diff"][2:]:
            click.echo(line)
        if not d["text_diff"]:
            click.echo("  (same text; the bodies differ only in markup or bytes)")
    if cells:
        cd = d["cell_diff"]
        if cd is None:
            click.echo("figures: not compared (" + ("neither" if d["reports"] == [None, None] else "only one") +
                       " version was parsed as a report)")
        elif not cd:
            click.echo(f"figures: all equal (reports {d['reports'][0]} and {d['reports'][1]})")
        else:
            click.echo(f"figures: {len(cd)} differ (reports {d['reports'][0]} → {d['reports'][1]}):")
            for c in cd:
                click.echo(f"  {c['change']:8} {c['section']}/{c['row_key']}/{c['column_key']}: "
                           f"{_v(c['old'])} → {_v(c['new'])}")
