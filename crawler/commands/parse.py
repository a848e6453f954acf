"""`nianbao parse FILE_OR_URL [--json]`: extract and parse one report, print its figures."""
from __future__ import annotations

import json
import logging
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 30
MAX_BYTES = 64 * 1024 * 1024


def _load(source: str) -> tuple[bytes, str | None, str | None, str | None]:
    """(body, content_type, filename, url) of a path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        req = urllib.request.Request(source, headers={"User-Agent": "nianbao-parse/1"})
        try:
            with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:
                body = resp.read(MAX_BYTES + 1)
                ctype = resp.headers.get("Content-Type")
                final = resp.geturl()
        except Exception as exc:
            raise click.ClickException(f"cannot fetch {source}: {exc}") from None
        if len(body) > MAX_BYTES:
            raise click.ClickException(f"{source} is larger than {MAX_BYTES} bytes")
        name = final.rsplit("/", 1)[-1].split("?", 1)[0] or None
        return body, ctype, name, final
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"no such file: {source}")
    return path.read_bytes(), None, path.name, None


def _text_and_tables(body: bytes, ctype: str | None, name: str | None, url: str | None):
    """Text, tables and page metadata by the extractors processing uses (.txt included)."""
    from pipelines.extract import extract_bytes

    x = extract_bytes(body, content_type=ctype, filename=name, url=url)
    if x.error:
        raise click.ClickException(f"extraction failed: {x.error}")
    tables = [getattr(t, "rows", t) for t in (x.tables or [])]
    return x.text, tables, dict(x.metadata or {})


def _jsonable(o: Any) -> Any:
    if isinstance(o, Decimal):
        return int(o) if o == o.to_integral_value() and "." not in str(o) else float(o)
    raise TypeError(type(o).__name__)


def _fmt(v: Any) -> str:
    return "NULL" if v is None else str(v)


def _print_human(rep: dict) -> None:
    click.echo(f"agency:       {_fmt(rep['agency'])} ({rep['agency_source'] or '-'})")
    click.echo(f"report_year:  {_fmt(rep['report_year'])}")
    click.echo(f"template:     {_fmt(rep['template'])}")
    click.echo(f"title:        {_fmt(rep['title'])}")
    if rep.get("region_code"):
        click.echo(f"region:       {rep['region_code']} ({rep['admin_level']})")
    for sec, name in (("2", "二 主动公开"), ("3", "三 申请情况"), ("4", "四 复议诉讼")):
        cells = [c for c in rep["cells"] if c["section"] == sec]
        if not cells:
            continue
        click.echo(f"\nsection {name}")
        rows: dict[str, list[dict]] = {}
        for c in cells:
            rows.setdefault(c["row_key"], []).append(c)
        width = max(len(r) for r in rows)
        for row, cs in rows.items():
            vals = "  ".join(f"{c['column_key']}={_fmt(c['value'])}{'*' if c['inferred'] else ''}" for c in cs)
            click.echo(f"  {row:<{width}}  {vals}")
    checks = rep["checks"]
    failed = [c for c in checks if not c["passed"]]
    click.echo(f"\nchecks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    for c in failed:
        kind = "hard" if c["check_id"].startswith("H") else "soft"
        click.echo(f"  FAIL {c['check_id']} ({kind}) {c['scope']}: expected {_fmt(c['expected'])}, "
                   f"printed {_fmt(c['actual'])}  [{', '.join(c['cells'])}]")
    if any(c["inferred"] for c in rep["cells"]):
        click.echo("(* inferred: split from digits printed without separators)")
    for w in rep["warnings"]:
        click.echo(f"warning: {w}")


@click.command("parse")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the report dict as JSON.")
@click.option("--agency", default=None, help="Agency to use when the title prints none (source 'config').")
def command(source: str, as_json: bool, agency: str | None) -> None:
    """Extract and parse one report file or URL and print its standard figures and checks.

    Every format goes through the extractors `nianbao process` uses (a .txt in any common
    Chinese encoding too). Cells marked * were split from digits printed without separators.
    """
    from pipelines.parse import parse_report

    body, ctype, name, url = _load(source)
    text, tables, meta = _text_and_tables(body, ctype, name, url)
    hints: dict[str, Any] = {}
    if meta.get("title"):
        hints["title"] = meta["title"]
    if agency:
        hints["agency"], hints["agency_source"] = agency, "config"
    rep = parse_report(text, tables, hints).to_dict()
    if as_json:
        click.echo(json.dumps(rep, ensure_ascii=False, indent=1, default=_jsonable))
    else:
        _print_human(rep)
    sys.stdout.flush()
