"""config.yaml: loaded and validated once; errors name the offending key.

Every section forbids unknown keys, so a typo (``databse:``) is an error, not a silent default.
Without a ./config.yaml (and no --config / NIANBAO_CONFIG) the packaged default is used: the
repository's config.yaml itself, shipped as package data (crawler/default_config.yaml is a
link to it), so the sample network and the profiles work outside the source tree too.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = "config.yaml"
#: the shipped default configuration (package data): portals, profiles, documented settings
PACKAGED_CONFIG = Path(__file__).resolve().parent / "default_config.yaml"


def _http_url(v: str) -> str:
    """An absolute http(s) URL with a host (a crawl can start from nothing else)."""
    parts = urlsplit(v.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{v!r} is not an http(s) URL with a host (e.g. https://www.example.gov.cn/)")
    return v.strip()


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArchiveConfig(_Strict):
    database: str = "sqlite:///archive/nianbao.sqlite"
    blobs: str = "archive/blobs"
    compress: bool = True


class CronConfig(_Strict):
    """APScheduler cron fields; the default is 15 April 03:00, after both legal deadlines."""

    month: str | int = 4
    day: str | int = 15
    hour: str | int = 3
    minute: str | int = 0


class ScheduleConfig(_Strict):
    timezone: str = "Asia/Shanghai"
    cron: CronConfig = Field(default_factory=CronConfig)
    misfire_grace_seconds: int = Field(default=7 * 24 * 3600, ge=0)
    enabled: bool = True


class CrawlConfig(_Strict):
    user_agent: str = "nianbao/0.1 (research crawler for government information-disclosure annual reports)"
    obey_robots: bool = True
    concurrent_requests: int = Field(default=16, ge=1)
    concurrent_per_domain: int = Field(default=4, ge=1)
    download_delay: float = Field(default=0.25, ge=0)
    autothrottle: bool = True
    autothrottle_target_concurrency: float = Field(default=2.0, gt=0)
    download_timeout: int = Field(default=60, ge=1)
    max_download_size: int = Field(default=50 * 1024 * 1024, ge=1024)
    retries: int = Field(default=3, ge=0)
    depth_limit: int = Field(default=8, ge=0)
    max_pages_per_portal: int = Field(default=20000, ge=1)
    job_dir: str | None = "archive/jobs"
    conditional_get: bool = True
    progress: bool = True


class PortalConfig(_Strict):
    name: str
    start_urls: list[HttpUrlStr] = Field(min_length=1)
    allowed_domains: list[str] = Field(min_length=1)
    agency: str | None = None
    region_code: str | None = None
    cms: str = "auto"               # a listing idiom of crawler/spiders/cms/, or auto (all)
    list_api: HttpUrlStr | None = None
    deny: list[str] = Field(default_factory=list)
    schedule: ScheduleConfig | None = None

    @field_validator("cms")
    @classmethod
    def _known_cms(cls, v: str) -> str:
        from crawler.spiders import cms

        if v not in cms.names():
            raise ValueError(f"unknown cms {v!r}; known: {', '.join(cms.names())}")
        return v

    @field_validator("region_code")
    @classmethod
    def _six_digits(cls, v: str | None) -> str | None:
        if v is not None and not (len(str(v)) == 6 and str(v).isdigit()):
            raise ValueError("region_code must be a 6-digit GB/T 2260 code")
        return None if v is None else str(v)


class Config(_Strict):
    archive: ArchiveConfig = Field(default_factory=ArchiveConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    portals: list[PortalConfig] = Field(default_factory=list)
    profiles: dict[str, list[PortalConfig]] = Field(default_factory=dict)

    # where the file was read from; relative paths in it resolve against this directory
    base_dir: Path = Field(default=Path("."), exclude=True)

    def database_url(self) -> str:
        url = os.environ.get("NIANBAO_DATABASE_URL") or self.archive.database
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith("sqlite:////") and ":memory:" not in url:
            url = prefix + str((self.base_dir / url[len(prefix):]).resolve())
        return url

    def blob_dir(self) -> Path:
        p = Path(self.archive.blobs)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def resolve_path(self, value: str | None) -> Path | None:
        if value is None:
            return None
        p = Path(value)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def active_portals(self, profile: str | None = None) -> list[PortalConfig]:
        if profile is None:
            return list(self.portals)
        if profile not in self.profiles:
            raise ConfigError(f"unknown profile {profile!r}; known: {', '.join(sorted(self.profiles)) or 'none'}")
        return list(self.profiles[profile])

    def portal(self, name: str, profile: str | None = None) -> PortalConfig:
        for p in self.active_portals(profile):
            if p.name == name:
                return p
        raise ConfigError(f"unknown portal {name!r}")


def _format_errors(path: str, err: ValidationError) -> str:
    lines = [f"invalid config {path}:"]
    for e in err.errors():
        key = ".".join(str(x) for x in e["loc"])
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def load_config(path: str | os.PathLike | None = None, *, required: bool = False) -> Config:
    """Load and validate config.yaml (or NIANBAO_CONFIG).

    A missing ./config.yaml gives the packaged default, with relative paths (the archive)
    under the current directory; a missing file named explicitly is an error.
    """
    explicit = path is not None or "NIANBAO_CONFIG" in os.environ
    path = Path(path or os.environ.get("NIANBAO_CONFIG") or DEFAULT_CONFIG)
    if not path.exists():
        if explicit or required:
            raise ConfigError(f"config file not found: {path}")
        logger.info("no %s; using the packaged default config (`nianbao init` writes one to edit)", path)
        return _read(PACKAGED_CONFIG, base_dir=Path.cwd())
    return _read(path, base_dir=path.resolve().parent)


def _read(path: Path, *, base_dir: Path) -> Config:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config {path} is not UTF-8: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: top level must be a mapping, got {type(data).__name__}")
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(str(path), exc)) from None
    cfg.base_dir = base_dir
    return cfg
