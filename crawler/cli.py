"""The `nianbao` command: a thin CLI over the library.

Each subcommand lives in its own module under crawler/commands/ and exposes a click
command (or group) named ``command``; this file only wires them together.
"""
from __future__ import annotations

import importlib
import logging
import sys
from functools import cached_property

import click

from crawler.config import Config, ConfigError, load_config
from storage.optional import MissingExtra

logger = logging.getLogger(__name__)

# Module names under crawler.commands, in the order --help lists them.
COMMAND_MODULES = [
    "init", "demo", "crawl", "process", "parse", "schedule",
    "sql", "export", "history", "diff", "db",
]


class AppContext:
    """What every command gets through ``ctx.obj``: the config (loaded once) and the archive."""

    def __init__(self, config_path: str | None, profile: str | None) -> None:
        self.config_path = config_path
        self.profile = profile
        self._archive = None

    @cached_property
    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    def archive(self, *, migrate: bool = True):
        """The archive named by the config, migrated to the current schema on first use."""
        if self._archive is None:
            from crawler.archive import open_archive

            self._archive = open_archive(self.config, migrate=migrate)
        return self._archive

    def readonly_database_url(self) -> str:
        """The archive's database URL, checked to exist at this code's schema.

        For commands that only read (sql, export): nothing is created or migrated; a missing
        archive or another schema revision is an error telling the user what to run.
        """
        from storage.db import SchemaNotReady, require_schema

        url = self.config.database_url()
        try:
            require_schema(url)
        except SchemaNotReady as exc:
            raise click.ClickException(str(exc)) from None
        return url

    def readonly_archive(self):
        """The existing archive (see :meth:`readonly_database_url`), opened without migrating."""
        from crawler.archive import open_archive

        self.readonly_database_url()
        return open_archive(self.config, migrate=False)

    def portals(self):
        try:
            return self.config.active_portals(self.profile)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


class _Group(click.Group):
    """A feature whose optional dependency is missing ends in one line naming the extra."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MissingExtra as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar="NIANBAO_CONFIG", default=None, metavar="FILE",
              help="Config file (default ./config.yaml; env NIANBAO_CONFIG).")
@click.option("--profile", default=None, help="Use the portals of this config profile (e.g. luoyang).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.version_option(package_name="nianbao")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, profile: str | None, verbose: int) -> None:
    """nianbao: crawl, archive and parse Chinese government information-disclosure annual reports.

    Every fetch is kept in a versioned archive (SQLite by default, PostgreSQL by URL);
    researchers query it with `nianbao sql` or export it.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext(config_path, profile)


for _name in COMMAND_MODULES:
    main.add_command(importlib.import_module(f"crawler.commands.{_name}").command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
