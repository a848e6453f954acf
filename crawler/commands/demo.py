"""`nianbao demo`: the main job end to end on the bundled sample portal network, offline."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import click

from storage.queries import REPORTS_BY_YEAR_SQL

logger = logging.getLogger(__name__)

DEFAULT_PORT = 18765
# The summary printed at the end: a named query over the public views, kept in storage.
DEMO_SQL = REPORTS_BY_YEAR_SQL


def _sample_portals(cfg, net) -> list:
    """The config's default portals when they point at the sample network, else the network's own."""
    from crawler.config import PortalConfig

    hosts = {urlsplit(p["start_urls"][0]).hostname for p in net.portals}
    ours = [p for p in cfg.portals
            if all(urlsplit(u).hostname in hosts and urlsplit(u).port == net.port for u in p.start_urls)]
    if ours and len(ours) == len(cfg.portals):
        return ours
    return [PortalConfig.model_validate(p) for p in net.portals]


def _serve(port: int, explicit: bool, console):
    """The sample network on ``port``; on a free port instead when that one is busy and was not asked for."""
    from crawler.sampleweb import SampleNetwork

    try:
        return SampleNetwork(port=port)
    except OSError as exc:
        if explicit:
            raise click.ClickException(f"cannot serve the sample network on port {port}: {exc} "
                                       "(another demo running? try another --port, or --port 0)") from None
        net = SampleNetwork(port=0)
        console.print(f"port {port} is busy ({exc.strerror or exc}); serving the sample network on "
                      f"free port {net.port} instead", soft_wrap=True)
        return net


def _extraction_errors(result: dict, stats) -> tuple[int, dict[str, int]]:
    """Extraction errors of this demo: those found while crawling plus those of the processing after."""
    during = int(result["totals"].get("extraction_errors", 0))
    after = {k: v for k, v in (stats.errors if stats else {}).items() if k.startswith("extraction")}
    return during + sum(after.values()), after


@click.command("demo")
@click.option("--port", type=int, default=None,
              help=f"Port of the sample network (default: the one config.yaml's portals use, else {DEFAULT_PORT}; "
                   "a free one when that is busy). 0: any free port.")
@click.option("--no-process", is_flag=True, help="Crawl and archive only.")
@click.pass_obj
def command(obj, port: int | None, no_process: bool) -> None:
    """Serve the sample portal network on loopback, crawl it into the archive, process, summarise.

    The network (127.0.0.11-15) holds reports in HTML, PDF, scanned PDF, DOCX, DOC, WPS and XLS
    behind TRS, Hanweb, JSON-API and plain listings, plus traps (notices titled like reports,
    an endless calendar, redirects, 404s, a 412 anti-bot wall, robots.txt, an oversize file).
    Nothing leaves the machine. Run it twice: the second crawl only revisits.
    """
    from rich.console import Console

    from crawler.runner import print_summary, run_crawl

    console = Console()
    cfg = obj.config
    explicit = port is not None
    if port is None:
        ports = {urlsplit(u).port for p in cfg.portals for u in p.start_urls
                 if (urlsplit(u).hostname or "").startswith("127.0.0.")}
        port = ports.pop() if len(ports) == 1 else DEFAULT_PORT
    archive = obj.archive()
    net = _serve(port, explicit, console)
    with net:
        portals = _sample_portals(cfg, net)
        console.print(f"[bold]sample network[/] on 127.0.0.11-15:{net.port}: "
                      f"{len(net.truth['reports'])} report documents on {len(portals)} portals")
        result = run_crawl(cfg, portals, archive=archive, process=not no_process)
    print_summary(result, console)
    stats = None
    if not no_process:
        from pipelines.process import process_archive

        stats = process_archive(archive, portals={p.name: p for p in portals})
        console.print(f"processed {stats.processed} remaining blobs: {stats.reports} reports, "
                      f"{stats.not_reports} other documents, {sum(stats.errors.values())} errors, "
                      f"{stats.duplicates_linked} duplicates linked")
    from storage.sql import format_result, run_readonly

    if not no_process:
        n, after = _extraction_errors(result, stats)
        detail = "".join(f", {k.removeprefix('extraction: ')} {v}" for k, v in sorted(after.items()))
        console.print(f"{n} extraction errors" + (f" (after the crawl{detail})" if after else ""), soft_wrap=True)

    click.echo(f"\nnianbao sql \"{' '.join(DEMO_SQL.split())}\"")
    res = run_readonly(cfg.database_url(), DEMO_SQL)
    click.echo(format_result(res, "table"))
    click.echo(f"\narchive: {cfg.database_url()}  blobs: {cfg.blob_dir()}")
    click.echo("next: nianbao sql \"SELECT agency, report_year, title FROM reports ORDER BY 2 DESC\"")
    if result["status"] != "finished":
        raise SystemExit(1)
