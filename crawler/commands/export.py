"""`nianbao export`: the public views as files, with a manifest."""
from __future__ import annotations

import logging
from pathlib import Path

import click

logger = logging.getLogger(__name__)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet", "warc"]), default="csv",
              show_default=True, help="File format (warc: the captured responses as WARC 1.1).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write into (created if needed).")
@click.option("--view", "views", multiple=True, help="Export only this view (repeatable).")
@click.option("--run-id", type=int, default=None, help="WARC: only the captures of this crawl run.")
@click.pass_obj
def command(obj, fmt: str, out_dir: Path, views: tuple[str, ...], run_id: int | None) -> None:
    """Export every public view (or --view ones) plus manifest.json to --out.

    The manifest lists each file with its row count and sha256, the schema version and the
    time of the export. The archive must exist at this version's schema (`nianbao db
    upgrade`); export never changes it.
    """
    from storage.export import PUBLIC_VIEWS, export

    for v in views:
        if v not in PUBLIC_VIEWS:
            raise click.BadParameter(f"unknown view {v!r}; one of {', '.join(PUBLIC_VIEWS)}", param_hint="--view")
    archive = obj.readonly_archive()  # never creates or migrates it
    try:
        manifest = export(archive, out_dir, fmt, views=list(views) or None, run_id=run_id)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        archive.close()
    for f in manifest["files"]:
        rows = "" if f["rows"] is None else f"{f['rows']} rows"
        click.echo(f"{out_dir / f['file']}  {rows}")
    click.echo(f"{out_dir / 'manifest.json'}")
