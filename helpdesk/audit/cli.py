"""`helpdesk audit verify | export | seal`."""

from __future__ import annotations

import json
import sys
from typing import IO

import click


@click.group("audit")
def audit() -> None:
    """The tamper-evident traceability log (服务追溯)."""


@audit.command("verify")
@click.option("--all", "show_all", is_flag=True, help="List every problem, not only the first.")
@click.option(
    "--no-checkpoints",
    is_flag=True,
    help="Verify a sealed chain that has no checkpoint (else that fails: deleted checkpoints).",
)
@click.option(
    "--archive",
    type=click.Path(exists=True, dir_okay=False),
    help="Verify an archive zip (helpdesk archive export) offline instead of the database.",
)
def verify(show_all: bool, no_checkpoints: bool, archive: str | None) -> None:
    """Recompute the chain, check the checkpoints in the file and the database, and replay each
    ticket's events against its row and comments; exit 1 naming what is wrong."""
    if archive:
        _verify_archive(archive, show_all)
        return
    from helpdesk.audit.jobs import audit_files
    from helpdesk.audit.verify import verify as run
    from helpdesk.cli import app_context
    from helpdesk.extensions import db

    with app_context():
        report = run(db.session(), audit_files(), require_checkpoints=not no_checkpoints)
    for message in report.checkpoint_errors:
        click.echo(f"checkpoints: {message}", err=True)
    if report.problems:
        click.echo(f"FAILED: first bad sequence number {report.first_bad}", err=True)
        for problem in report.problems if show_all else report.problems[:1]:
            click.echo(f"  {problem}", err=True)
        if not show_all and len(report.problems) > 1:
            click.echo(f"  ... and {len(report.problems) - 1} more (--all)", err=True)
    if report.admin_problems:
        first = report.admin_problems[0]
        click.echo(f"FAILED: operations log, first bad sequence number {first.seq}", err=True)
        for problem in report.admin_problems if show_all else report.admin_problems[:1]:
            click.echo(f"  {problem}", err=True)
    if report.row_problems:
        click.echo(
            f"FAILED: {len(report.row_problems)} ticket row or comment change(s) without an event",
            err=True,
        )
        for message in report.row_problems if show_all else report.row_problems[:5]:
            click.echo(f"  {message}", err=True)
        if not show_all and len(report.row_problems) > 5:
            click.echo(f"  ... and {len(report.row_problems) - 5} more (--all)", err=True)
    if not report.ok:
        sys.exit(1)
    other = (
        f"; {report.other_chain} checkpoints of another database set aside"
        if report.other_chain
        else ""
    )
    click.echo(
        f"ok: {report.checked} records verified, {report.admin_checked} operations-log records "
        f"verified, {report.checkpoints} checkpoints hold, {report.replayed} tickets replayed "
        f"against their rows, {report.anonymised} records anonymised after their retention"
        f"{other}"
    )


def _verify_archive(path: str, show_all: bool) -> None:
    from pathlib import Path

    from helpdesk.retention.archive import verify as check

    problems, checked = check(Path(path))
    if problems:
        click.echo(f"FAILED: {len(problems)} problem(s) in {path}", err=True)
        for message in problems if show_all else problems[:5]:
            click.echo(f"  {message}", err=True)
        if not show_all and len(problems) > 5:
            click.echo(f"  ... and {len(problems) - 5} more (--all)", err=True)
        sys.exit(1)
    click.echo(
        f"ok: archive {path}: {checked['tickets']} tickets and {checked['events']} events match "
        f"{checked['records']} chain records ending at the checkpoint"
    )


@audit.command("export")
@click.argument("number")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
def export(number: str, output: IO[str]) -> None:
    """A ticket's traceability record as JSON: every step with who, when and its seal."""
    from helpdesk.audit.export import trace
    from helpdesk.audit.jobs import audit_files
    from helpdesk.cli import app_context
    from helpdesk.errors import NotFound
    from helpdesk.extensions import db
    from helpdesk.tickets import service

    with app_context():
        try:
            ticket = service.get_by_number(db.session(), number)
        except NotFound as exc:
            raise click.ClickException(str(exc)) from None
        data = trace(db.session(), ticket, audit_files())
    output.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@audit.command("seal")
def seal_now() -> None:
    """Seal every event not yet sealed (the worker does this by itself)."""
    from helpdesk.audit.jobs import audit_files
    from helpdesk.audit.seal import seal
    from helpdesk.cli import app_context
    from helpdesk.extensions import db
    from helpdesk.oplog.seal import seal_changes

    with app_context():
        result = seal(db.session(), audit_files())
        admin = seal_changes(db.session(), audit_files())
    click.echo(f"sealed {result.sealed} events; chain head at seq {result.head_seq}")
    click.echo(f"sealed {admin} operations-log changes")
