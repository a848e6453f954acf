"""`nianbao schedule start|list|run-now`: the yearly re-crawl daemon and its job store."""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from typing import Any

import click

from crawler import scheduler as sch

logger = logging.getLogger(__name__)


def _fmt_time(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):  # SQLite returns raw text from a plain query
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat(timespec="minutes")
    return str(value)


@click.group("schedule")
def command() -> None:
    """Yearly re-crawls: a daemon with its jobs stored in the archive database."""


@command.command("start")
@click.pass_obj
def start(obj) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT.

    Jobs (one per portal, cron from config.yaml `schedule` or the portal's own) are synced
    into the archive database; a run missed while the daemon was down runs once now if it
    is within `misfire_grace_seconds`. On SIGTERM/SIGINT a running crawl is asked to stop
    once and checkpoints to its JOBDIR; the next crawl resumes from there.
    """
    cfg = obj.config
    config_path = sch.resolve_config_path(obj.config_path)
    stop = threading.Event()

    def _on_signal(signum, _frame) -> None:
        logger.warning("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    sched = sch.open_scheduler(cfg, config_path=config_path, profile=obj.profile, sync=True)
    try:
        for job in sched.get_jobs():
            click.echo(f"scheduled {job.id}: next run {_fmt_time(job.next_run_time)}")
        if not sched.get_jobs():
            click.echo("no portals to schedule (config has no portals, or schedules are disabled)")
        sched.resume()
        click.echo("scheduler running; SIGTERM or Ctrl-C stops it")
        while not stop.wait(1.0):
            pass
    finally:
        sched.pause()
        sch.stop_children()
        sched.shutdown(wait=True)
        for s, h in old.items():
            signal.signal(s, h)
    click.echo("scheduler stopped")


@command.command("list")
@click.pass_obj
def list_jobs(obj) -> None:
    """List scheduled jobs: next run, last run and its result (from crawl_runs)."""
    cfg = obj.config
    db_url = cfg.database_url()
    sched = sch.open_scheduler(cfg, config_path=None, profile=obj.profile, sync=False)
    try:
        jobs = {j.id: j for j in sched.get_jobs()}
    finally:
        sched.shutdown(wait=False)
    runs = sch.last_runs(db_url)
    rows: list[tuple[str, ...]] = []
    for job_id, job in sorted(jobs.items()):
        portal = job_id[len(sch.JOB_PREFIX):] if job_id.startswith(sch.JOB_PREFIX) else job_id
        last = runs.get(portal)
        rows.append((portal, str(job.trigger), _fmt_time(job.next_run_time),
                     _fmt_time(last["started_at"]) if last else "never",
                     f"{last['status']} (run {last['id']})" if last else "-"))
    stored = {r[0] for r in rows}
    for p in cfg.active_portals(obj.profile):
        if p.name in stored:
            continue
        ps = sch.portal_schedule(cfg, p)
        nxt = ps.trigger.get_next_fire_time(None, dt.datetime.now(dt.timezone.utc)) if ps.enabled else None
        last = runs.get(p.name)
        rows.append((p.name, f"{ps.trigger} (not stored: run `schedule start`)" if ps.enabled else "disabled",
                     _fmt_time(nxt), _fmt_time(last["started_at"]) if last else "never",
                     f"{last['status']} (run {last['id']})" if last else "-"))
    if not rows:
        click.echo("no jobs and no portals configured")
        return
    header = ("portal", "trigger", "next run", "last run", "result")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)))


@command.command("run-now")
@click.option("--portal", "portal_names", multiple=True, metavar="NAME",
              help="Portal to crawl (repeatable); default: every configured portal.")
@click.pass_obj
def run_now(obj, portal_names: tuple[str, ...]) -> None:
    """Crawl now, in the foreground, under the same per-portal lock as scheduled runs.

    Refused (exit 75) for a portal already being crawled by the daemon or by another
    `nianbao crawl`.
    """
    cfg = obj.config
    known = [p.name for p in obj.portals()]
    names = list(portal_names) or known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.ClickException(f"unknown portal(s): {', '.join(unknown)}; known: {', '.join(known) or 'none'}")
    if not names:
        raise click.ClickException("no portals configured")
    config_path = sch.resolve_config_path(obj.config_path)
    failed: list[str] = []
    for name in names:
        try:
            rc = sch.run_crawl_locked(config_path, name, obj.profile, kind="manual crawl (schedule run-now)")
        except sch.PortalLocked as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(sch.EXIT_LOCKED) from None
        click.echo(f"{name}: {'finished' if rc == 0 else f'failed (exit {rc})'}")
        if rc != 0:
            failed.append(name)
    if failed:
        raise SystemExit(1)
