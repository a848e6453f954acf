"""Every command and subcommand has help text (sqlite-utils style)."""
from __future__ import annotations

import click
from click.testing import CliRunner

from crawler.cli import main


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, path + [name])


def test_every_command_has_help():
    runner = CliRunner()
    seen = 0
    for path, cmd in _walk(main, []):
        assert (cmd.help or "").strip(), f"nianbao {' '.join(path)} has no help text"
        res = runner.invoke(main, path + ["--help"])
        assert res.exit_code == 0, (path, res.output)
        assert "Usage:" in res.output
        seen += 1
    assert seen > 1


def test_top_level_help_lists_commands():
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    for name in main.commands:
        assert name in res.output
