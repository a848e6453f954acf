"""`nianbao db`: the archive's schema (migrations) and integrity."""
from __future__ import annotations

import logging

import click

logger = logging.getLogger(__name__)


@click.group("db")
def command() -> None:
    """Manage the archive database: migrations and integrity checks."""


@command.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
@click.pass_obj
def upgrade_cmd(obj, revision: str) -> None:
    """Create or migrate the archive schema (also done automatically on first use)."""
    archive = obj.archive(migrate=False)
    before = archive.schema_version()
    after = archive.upgrade_schema(revision)
    if before == after:
        click.echo(f"archive schema already at {after}")
    else:
        click.echo(f"archive schema upgraded from {before or 'empty'} to {after}")


@command.command("current")
@click.pass_obj
def current_cmd(obj) -> None:
    """Show the archive's schema version and the version this code expects."""
    from storage.db import head_revision

    archive = obj.archive(migrate=False)
    cur, head = archive.schema_version(), head_revision()
    state = "up to date" if cur == head else "needs `nianbao db upgrade`"
    click.echo(f"current: {cur or 'empty'}  head: {head}  ({state})")


@command.command("check")
@click.pass_obj
def check_cmd(obj) -> None:
    """Verify every stored blob against its sha256; exit 1 if any is corrupt or missing."""
    archive = obj.archive()
    bad = archive.verify_blobs()
    n = archive.blob_count()
    for sha, reason in sorted(bad.items()):
        click.echo(f"CORRUPT {sha}: {reason}")
    click.echo(f"{n} blobs checked, {len(bad)} corrupt or missing")
    orphans = archive.orphan_blobs()
    if orphans:
        click.echo(f"{len(orphans)} blob files are not referenced by the database (harmless: left by an "
                   f"interrupted write)")
    if bad:
        raise SystemExit(1)
