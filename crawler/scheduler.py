"""Yearly re-crawls: APScheduler 3 with its job store in the archive database, plus portal locks.

* Jobs live in the archive DB (``apscheduler_jobs``, APScheduler's SQLAlchemyJobStore), one per
  portal (id ``crawl:<portal>``), so a schedule survives restarts of the daemon.
* Cron comes from ``schedule.cron`` in config.yaml (default 15 April 03:00 Asia/Shanghai, after
  the 31 January / 31 March publication deadlines) or from the portal's own ``schedule``.
* ``coalesce=True`` and ``misfire_grace_time``: a run missed while the machine was down runs
  once when the daemon starts (if within the grace window).
* Existing jobs are kept as stored when their trigger is unchanged: re-adding them would
  recompute ``next_run_time`` from *now* and silently drop the missed run.
* :func:`portal_lock` (storage/locks.py) stops a scheduled and a manual crawl of the same
  portal overlapping, across processes: ``pg_try_advisory_lock`` on PostgreSQL, an
  ``fcntl.flock``-ed file next to the database file on SQLite. The last run of each portal
  comes from the archive too (:func:`storage.runs.last_runs`).

Job functions are module-level (stored as ``crawler.scheduler:run_scheduled_crawl``) and run
the crawl in a subprocess (``python -m crawler.runner``), because Twisted's reactor starts once per process.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger

from crawler.config import Config, PortalConfig, ScheduleConfig, load_config
from storage.locks import (  # noqa: F401 - the crawl commands and tests take the locks from here
    HELD_LOCKS_ENV,
    PortalLocked,
    held_locks_env,
    portal_lock,
    portal_locks,
    sqlite_lock_path,
)
from storage.runs import last_runs  # noqa: F401 - `schedule list` reads the last runs from here

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
JOB_PREFIX = "crawl:"
# Exit code of a crawl child refused by the lock (EX_TEMPFAIL).
EXIT_LOCKED = 75


# --------------------------------------------------------------------------- running crawls

_children_lock = threading.Lock()
_children: set[subprocess.Popen] = set()
_stopping = threading.Event()


def crawl_command(config_path: str | None, portal: str, profile: str | None) -> list[str]:
    """The subprocess a scheduled crawl runs: ``python -m crawler.runner --portal NAME``.

    The runner stops gracefully on one SIGTERM (Scrapy keeps the JOBDIR; the next crawl
    of the portal resumes from it) and records the run in crawl_run.
    """
    cmd = [sys.executable, "-m", "crawler.runner"]
    if config_path:
        cmd += ["--config", config_path]
    if profile:
        cmd += ["--profile", profile]
    return cmd + ["--portal", portal]


def run_crawl_locked(config_path: str | None, portal: str, profile: str | None = None, *,
                     kind: str = "scheduled crawl", timeout: float | None = None) -> int:
    """Run one portal's crawl in a subprocess while holding its lock; returns the exit code.

    Raises :class:`PortalLocked` when another crawl of the portal is running.
    """
    cfg = load_config(config_path) if config_path else load_config()
    db_url = cfg.database_url()
    with portal_lock(db_url, portal, kind=kind):
        if _stopping.is_set():
            logger.warning("not starting %s of %s: the scheduler is stopping", kind, portal)
            return -signal.SIGTERM
        cmd = crawl_command(config_path, portal, profile)
        logger.info("%s of %s: %s", kind, portal, " ".join(cmd))
        # Own session: a Ctrl-C on the daemon's terminal must not reach the crawl twice (Scrapy
        # stops uncleanly on the second signal); stop_children() forwards exactly one SIGTERM.
        proc = subprocess.Popen(cmd, env=held_locks_env(db_url, [portal]), start_new_session=True,
                                cwd=str(cfg.base_dir))
        with _children_lock:
            _children.add(proc)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            rc = proc.wait()
        finally:
            with _children_lock:
                _children.discard(proc)
    if rc != 0:
        logger.error("%s of %s exited with %s", kind, portal, rc)
    else:
        logger.info("%s of %s finished", kind, portal)
    return rc


def run_scheduled_crawl(config_path: str | None, portal: str, profile: str | None = None) -> int:
    """APScheduler job: crawl one portal (stored as ``crawler.scheduler:run_scheduled_crawl``)."""
    try:
        return run_crawl_locked(config_path, portal, profile, kind="scheduled crawl")
    except PortalLocked as exc:
        logger.warning("%s", exc)
        return EXIT_LOCKED


def stop_children(timeout: float = 120.0) -> None:
    """Ask running crawls to stop once (Scrapy then checkpoints to JOBDIR) and wait for them."""
    _stopping.set()
    with _children_lock:
        procs = list(_children)
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.error("crawl pid %s did not stop within %ss; killing it", p.pid, timeout)
            p.kill()


# --------------------------------------------------------------------------- scheduler


@dataclass(frozen=True)
class PortalSchedule:
    portal: str
    trigger: CronTrigger
    misfire_grace_seconds: int
    enabled: bool


def portal_schedule(cfg: Config, portal: PortalConfig) -> PortalSchedule:
    """The portal's own ``schedule`` if it has one, else the global one."""
    sc: ScheduleConfig = portal.schedule or cfg.schedule
    c = sc.cron
    trigger = CronTrigger(month=c.month, day=c.day, hour=c.hour, minute=c.minute, timezone=sc.timezone)
    return PortalSchedule(portal.name, trigger, sc.misfire_grace_seconds, sc.enabled)


class StoreScheduler(BackgroundScheduler):
    """A BackgroundScheduler that processes jobs only while RUNNING.

    APScheduler 3 skips processing while paused but not while stopping: its thread can wake
    on ``shutdown()`` and fire due jobs into the closed executor, advancing their
    ``next_run_time`` — so a ``schedule list`` during a missed run would eat that run.
    """

    def _process_jobs(self):  # noqa: D401 - APScheduler internal hook
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


def make_scheduler(database_url: str, *, timezone: str = "Asia/Shanghai") -> BackgroundScheduler:
    """A scheduler whose job store is the archive database (table apscheduler_jobs)."""
    store = SQLAlchemyJobStore(url=database_url, tablename=JOBS_TABLE,
                               engine_options={"pool_pre_ping": True})
    return StoreScheduler(
        jobstores={"default": store},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=timezone,
    )


def _same_trigger(a: Any, b: Any) -> bool:
    return type(a) is type(b) and str(a) == str(b) and str(getattr(a, "timezone", "")) == str(getattr(b, "timezone", ""))


def sync_jobs(scheduler: BackgroundScheduler, cfg: Config, *, config_path: str | None,
              profile: str | None = None) -> dict[str, str]:
    """Make the stored jobs match the config; returns {job id: 'kept'|'added'|'updated'|'removed'}.

    The scheduler must be started (paused is fine) so that it reads the job store.
    """
    actions: dict[str, str] = {}
    wanted: dict[str, PortalSchedule] = {}
    for p in cfg.active_portals(profile):
        ps = portal_schedule(cfg, p)
        if ps.enabled:
            wanted[JOB_PREFIX + p.name] = ps
    existing = {j.id: j for j in scheduler.get_jobs() if j.id.startswith(JOB_PREFIX)}
    for job_id, job in existing.items():
        if job_id not in wanted:
            scheduler.remove_job(job_id)
            actions[job_id] = "removed"
    for job_id, ps in wanted.items():
        args = [config_path, ps.portal, profile]
        job = existing.get(job_id)
        if job is not None and _same_trigger(job.trigger, ps.trigger) and list(job.args) == args:
            if job.misfire_grace_time != ps.misfire_grace_seconds:
                scheduler.modify_job(job_id, misfire_grace_time=ps.misfire_grace_seconds)
            actions[job_id] = "kept"
            continue
        scheduler.add_job(
            run_scheduled_crawl, trigger=ps.trigger, args=args, id=job_id,
            name=f"yearly crawl of {ps.portal}", replace_existing=True, coalesce=True,
            max_instances=1, misfire_grace_time=ps.misfire_grace_seconds,
        )
        actions[job_id] = "updated" if job is not None else "added"
    return actions


def resolve_config_path(config_path: str | None) -> str | None:
    """An absolute config path for stored jobs (the daemon may later run from elsewhere)."""
    p = Path(config_path or os.environ.get("NIANBAO_CONFIG") or "config.yaml")
    return str(p.resolve()) if p.exists() else None


def open_scheduler(cfg: Config, *, config_path: str | None, profile: str | None = None,
                   sync: bool = True) -> BackgroundScheduler:
    """Start a scheduler paused on the archive's job store, optionally syncing jobs from config."""
    sched = make_scheduler(cfg.database_url(), timezone=cfg.schedule.timezone)
    sched.start(paused=True)
    if sync:
        actions = sync_jobs(sched, cfg, config_path=config_path, profile=profile)
        for job_id, action in sorted(actions.items()):
            logger.info("job %s: %s", job_id, action)
    return sched
