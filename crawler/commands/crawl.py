"""`nianbao crawl`: crawl config portals into the archive, with a progress display and a summary."""
from __future__ import annotations

import json
import logging

import click

logger = logging.getLogger(__name__)


@click.command("crawl")
@click.option("--portal", "names", multiple=True, metavar="NAME",
              help="Crawl only this portal (repeatable). Default: every portal of the config/profile.")
@click.option("--max-pages", type=int, default=None, help="Cap on requests per portal (default crawl.max_pages_per_portal).")
@click.option("--no-process", is_flag=True, help="Archive only; extract and parse later with `nianbao process`.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy setting (advanced).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON instead of a table.")
@click.pass_obj
def command(obj, names: tuple[str, ...], max_pages: int | None, no_process: bool, sets: tuple[str, ...],
            as_json: bool) -> None:
    """Crawl portals into the archive: every fetch becomes a capture, reports are flagged.

    Polite by default (robots.txt, AutoThrottle, per-domain concurrency, size limit, retries
    with backoff; see config.yaml `crawl:`). Ctrl-C stops cleanly; the next `nianbao crawl`
    resumes from crawl.job_dir. Exit status 1 when the run did not finish.
    """
    from crawler.config import ConfigError
    from crawler.runner import parse_overrides, print_summary, run_crawl
    from crawler.scheduler import PortalLocked, portal_locks

    cfg = obj.config
    portals = obj.portals()
    if names:
        try:
            portals = [cfg.portal(n, obj.profile) for n in names]
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    if not portals:
        raise click.ClickException("no portals configured: add some under `portals:` in config.yaml "
                                   "or pick a profile (--profile luoyang)")
    try:
        overrides = parse_overrides(sets)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None
    level = logging.getLogger().getEffectiveLevel()
    overrides.setdefault("LOG_LEVEL", logging.getLevelName(level))
    try:
        # the scheduler's per-portal locks: a manual and a scheduled crawl never overlap
        with portal_locks(cfg.database_url(), [p.name for p in portals], kind="manual crawl"):
            result = run_crawl(cfg, portals, archive=obj.archive(), overrides=overrides,
                               process=not no_process, max_pages=max_pages)
    except PortalLocked as exc:  # another crawl holds the portal
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print_summary(result)
    if result["status"] != "finished":
        raise SystemExit(1)

