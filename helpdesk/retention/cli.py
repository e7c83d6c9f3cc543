"""`helpdesk retention run [--dry-run]` and `helpdesk archive export --from --to FILE.zip`."""

from __future__ import annotations

from datetime import date, datetime

import click


@click.group("retention")
def retention() -> None:
    """Personal data past its retention (登记备案留档)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def run(dry_run: bool) -> None:
    """Anonymise personal data past its retention (the worker does this once a day)."""
    from helpdesk.cli import app_context
    from helpdesk.extensions import db
    from helpdesk.outbox.dispatcher import dispatch_all
    from helpdesk.retention import service
    from helpdesk.retention.config import retention_config

    with app_context():
        result = service.run(db.session(), retention_config(), dry_run=dry_run)
        if not dry_run:
            dispatch_all()
    verb = "would anonymise" if dry_run else "anonymised"
    details = ", ".join(f"{kind} {count}" for kind, count in result.counts.items())
    click.echo(f"{verb} {result.total} records ({details})")


def _day(value: str, name: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        message = f"{value!r} is not a date like 2026-11-30"
        raise click.BadParameter(message, param_hint=name) from None


@click.group("archive")
def archive() -> None:
    """Archives of closed tickets that verify offline (helpdesk audit verify --archive)."""


@archive.command("export")
@click.option("--from", "start", required=True, help="First day (Hangzhou), YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day (Hangzhou), YYYY-MM-DD.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export(start: str, end: str, file: str) -> None:
    """Write the tickets closed in the period, their events, comments and the chain's
    checkpoint to FILE (a zip)."""
    from helpdesk.audit.jobs import audit_files
    from helpdesk.cli import app_context
    from helpdesk.errors import InvalidInput
    from helpdesk.extensions import db
    from helpdesk.retention.archive import export as write

    first, last = _day(start, "--from"), _day(end, "--to")
    with app_context(), open(file, "wb") as out:
        try:
            count = write(db.session(), audit_files(), first, last, out)
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"archived {count} closed tickets to {file}")
