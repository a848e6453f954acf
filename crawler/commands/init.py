"""`nianbao init [DIR]`: write a starter config.yaml to edit."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from crawler.config import PACKAGED_CONFIG, ConfigError, load_config

logger = logging.getLogger(__name__)


@click.command("init")
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing config.yaml.")
def command(directory: Path, force: bool) -> None:
    """Write a starter config.yaml into DIRECTORY (default: the current one).

    It is the shipped default: the bundled sample network as portals (what `nianbao demo`
    crawls), a commented example of a real portal, the `luoyang` profile of real portals,
    and every setting documented. Commands run in DIRECTORY use it; the archive goes to
    DIRECTORY/archive/.
    """
    dest = directory / "config.yaml"
    if dest.exists() and not force:
        raise click.ClickException(f"{dest} already exists (use --force to overwrite it)")
    directory.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(PACKAGED_CONFIG.read_bytes())
    try:
        cfg = load_config(dest)
    except ConfigError as exc:  # the shipped file is tested; this would be a broken install
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {dest} ({len(cfg.portals)} sample portals; profiles: {', '.join(sorted(cfg.profiles))})")
    where = "" if directory.resolve() == Path.cwd() else f"cd {directory} && "
    click.echo(f"next: {where}nianbao demo      # then edit portals: in {dest.name} and run nianbao crawl")
