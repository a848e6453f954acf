"""`nianbao history URL|REPORT_ID`: every version and capture of a document, with dates and sha256."""
from __future__ import annotations

import json
import logging
from typing import Any

import click

logger = logging.getLogger(__name__)


def _t(v: Any) -> str:
    return "-" if v is None else str(v)[:19].replace("T", " ")


def _size(n: Any) -> str:
    if n is None:
        return "-"
    n = int(n)
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return lines


def format_document(h: dict[str, Any]) -> list[str]:
    d = h["document"]
    lines = [f"{d['url']}", f"  portal {d.get('portal') or '-'}; first seen {_t(d['first_seen_at'])}; "
                            f"last seen {_t(d['last_seen_at'])}; {d['version_count']} version(s), "
                            f"{d['capture_count']} capture(s)"]
    if d.get("gone_at"):
        lines.append(f"  GONE at run {d['gone_run_id']} ({_t(d['gone_at'])}) — kept in the archive")
    if d.get("moved_to_url"):
        lines.append(f"  moved to {d['moved_to_url']}")
    for u in h.get("moved_from") or []:
        lines.append(f"  moved here from {u}")
    lines.append("  versions:")
    rows = [(str(v["version_number"]), str(v["version_id"]), _t(v["first_captured_at"]), _t(v["last_captured_at"]),
             str(v["capture_count"]), _size(v["size"]), v["sha256"], v.get("content_type") or "-",
             ",".join(map(str, v.get("report_ids") or [])) or "-", "current" if v.get("is_current") else "")
            for v in h["versions"]]
    lines += ["    " + x for x in _table(("#", "version", "first captured", "last captured", "captures", "size",
                                          "sha256", "type", "reports", ""), rows)]
    lines.append("  captures:")
    rows = [(str(c["id"]), _t(c["run_id"]), _t(c["fetched_at"]), _t(c["status"]), c["kind"],
             (c["sha256"] or "-")[:16], c.get("error") or "") for c in h["captures"]]
    lines += ["    " + x for x in _table(("capture", "run", "fetched", "status", "kind", "sha256", "error"), rows)]
    return lines


@click.command("history")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_obj
def command(obj, target: str, as_json: bool) -> None:
    """List the versions of a URL (or of a report's source URLs, given a REPORT_ID).

    Each version shows when it was first and last captured, its size and sha256 and the
    reports parsed from it; each capture shows its run, status and kind (new_version,
    identical_revisit, not_modified, error). Gone and moved documents are flagged.
    """
    from storage.history import document_history, report_history

    archive = obj.archive()
    if target.isdigit():
        h = report_history(archive, int(target))
        if h is None:
            raise click.ClickException(f"no report {target}")
    else:
        h = document_history(archive, target)
        if h is None:
            raise click.ClickException(f"the archive has no document {target}")
    if as_json:
        click.echo(json.dumps(h, ensure_ascii=False, default=str, indent=1))
        return
    if "report" in h:
        r = h["report"]
        click.echo(f"report {r['id']}: {r.get('title') or '-'} ({r.get('agency') or '-'}, {r.get('report_year') or '-'})")
        click.echo(f"  body {r['sha256']}; first captured {_t(r.get('captured_at'))} from {r.get('source_url')}")
        for d in h["documents"]:
            click.echo("\n".join(format_document(d)))
    else:
        click.echo("\n".join(format_document(h)))
