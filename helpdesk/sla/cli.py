"""`helpdesk sla check | reconcile | show | publish | versions | diff | rollback | holiday`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click


@click.group("sla")
def sla() -> None:
    """SLA policies, the business calendar and the timers."""


@sla.command("check")
def check() -> None:
    """Validate policies.yaml and the calendar year files; list years without holiday data."""
    from helpdesk.cli import app_context
    from helpdesk.extensions import db
    from helpdesk.routing.loader import DEFAULT_FOLDER
    from helpdesk.sla import checks
    from helpdesk.sla.calendar_store import entered_years

    entered = None
    try:
        with app_context():
            entered = entered_years(db.session())  # the years entered in the operations console
    except Exception as exc:  # the files can be checked without a database
        click.echo(f"warning: the days entered in the console were not read: {exc}", err=True)
    errors, warnings = checks.check_all(DEFAULT_FOLDER, entered=entered)
    for warning in warnings:
        click.echo(f"warning: {warning}")
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(1)
    click.echo("ok: SLA policies and calendar files are valid")


@sla.command("reconcile")
def reconcile() -> None:
    """Re-create every pending timer Redis lost (the worker runs this every minute)."""
    from helpdesk import redis_connections
    from helpdesk.cli import app_context
    from helpdesk.extensions import db
    from helpdesk.sla import timers

    with app_context():
        redis = redis_connections.connection()
        if redis is None:
            raise click.UsageError("set HELPDESK_REDIS_URL: the timers live in that Redis")
        result = timers.reconcile(db.session(), redis)
    click.echo(f"{result.pending} pending timers, {result.restored} restored")


@sla.command("show")
@click.argument("number")
def show(number: str) -> None:
    """A ticket's SLA clock: policy, due times and timer stages."""
    from sqlalchemy import select

    from helpdesk.cli import app_context
    from helpdesk.errors import NotFound
    from helpdesk.extensions import db
    from helpdesk.sla.models import SlaStage, TicketSla
    from helpdesk.tickets import service

    with app_context():
        try:
            ticket = service.get_by_number(db.session(), number)
        except NotFound as exc:
            raise click.ClickException(str(exc)) from None
        clock = db.session.get(TicketSla, ticket.id)
        if clock is None:
            raise click.ClickException(f"{number} has no SLA clock")
        click.echo(f"{number}: policy {clock.policy} ({clock.calendar}), overdue={clock.overdue}")
        for target in ("first_response", "next_update", "resolution"):
            click.echo(f"  {target:15} due {getattr(clock, target + '_due')}")
        stages = db.session.scalars(
            select(SlaStage).where(SlaStage.ticket_id == ticket.id).order_by(SlaStage.fire_at)
        )
        for s in stages:
            click.echo(f"  {s.target}/{s.step}#{s.cycle}: {s.state} at {s.fire_at}")


@sla.group("holiday")
def holiday() -> None:
    """The business calendar's days entered by hand (the /admin/calendar page for scripts)."""


@holiday.command("add")
@click.argument("year", type=int)
@click.argument("first")
@click.argument("last", required=False, default="")
@click.option("--name", required=True, help="e.g. 春节, 国庆节, 春节调休")
@click.option("--workday", is_flag=True, help="A 调休 working day (a Saturday or Sunday).")
def holiday_add(year: int, first: str, last: str, name: str, workday: bool) -> None:
    """Enter a holiday FIRST[..LAST] or one 调休 working day of YEAR."""
    from helpdesk.people.cli import _actor
    from helpdesk.sla import calendar_edit
    from helpdesk.sla.calendar_store import HOLIDAY, WORKDAY

    with _edit() as session:
        kind = WORKDAY if workday else HOLIDAY
        days = calendar_edit.add_days(session, _actor(), year, first, last, kind, name)
        click.echo(f"entered {len(days)} day(s) of {year}: {days[0]}..{days[-1]} {kind} {name}")


@holiday.command("remove")
@click.argument("year", type=int)
@click.argument("day")
def holiday_remove(year: int, day: str) -> None:
    """Remove one entered DAY of YEAR."""
    from helpdesk.people.cli import _actor
    from helpdesk.sla import calendar_edit

    with _edit() as session:
        calendar_edit.remove_day(session, _actor(), year, day)
        click.echo(f"removed {day}")


@holiday.command("list")
@click.argument("year", type=int)
def holiday_list(year: int) -> None:
    """The entered days of YEAR, one per line: date, kind, name."""
    from sqlalchemy import select

    from helpdesk.sla.models import CalendarDay

    with _edit() as session:
        rows = session.scalars(
            select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
        )
        for row in rows:
            click.echo(f"{row.day}\t{row.kind}\t{row.name}")


@contextmanager
def _edit() -> Iterator[Any]:
    """The app and a request context (messages in the installation's language); field errors
    become a clear exit 1."""
    from helpdesk.cli import app_context
    from helpdesk.console_forms import FieldErrors
    from helpdesk.errors import DomainError
    from helpdesk.extensions import db

    with app_context() as app, app.test_request_context():  # type: ignore[attr-defined]
        try:
            yield db.session()
        except FieldErrors as exc:
            lines = [f"{name}: {message}" for name, message in exc.errors.items()]
            raise click.ClickException("\n".join(lines)) from None
        except DomainError as exc:
            raise click.ClickException(exc.message) from None


@sla.command("publish")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def publish(file: Path) -> None:
    """Save FILE as the SLA policies (policies.yaml), the next version, after the checks the
    /admin/sla page runs. New tickets in every process follow within seconds."""
    from helpdesk.people.cli import _actor
    from helpdesk.sla import policy_edit, policy_store, service

    text = file.read_text(encoding="utf-8").replace("\r\n", "\n")
    with _edit() as session:
        number, old = policy_store.current_text(session, service.sla_folder() / policy_store.FILE)
        policy_edit.validate_file(text, service.policy_source().day_lengths)
        if text == old:
            click.echo(f"nothing changed: version {number or 'the file'} stays in force")
            return
        before, after = _changed_values(old, text)
        row = policy_store.save(session, _actor(), text, service.sla_folder(), before, after,
                                number)  # fmt: skip
        session.commit()
        policy_store.forget()
        click.echo(f"published SLA policies version {row.number} ({row.digest[:12]})")


def _changed_values(old: str, new: str) -> tuple[dict[str, str], dict[str, str]]:
    """The targets and ladder steps that differ, as the page records them (before, after)."""
    from helpdesk.sla import policy_edit

    a = {k: f.text for k, f in policy_edit.fields_of(old).items()}
    b = {k: f.text for k, f in policy_edit.fields_of(new).items()}
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return {k: a.get(k, "") for k in keys}, {k: b.get(k, "") for k in keys}


@sla.command("versions")
def versions() -> None:
    """Every saved version of the SLA policies, newest first: who, when, what."""
    from helpdesk.sla import policy_store
    from helpdesk.yamldocs import cli as doc_cli

    with _edit() as session:
        doc_cli.print_versions(
            session, policy_store.KIND, "nothing saved yet: the shipped policies.yaml is in force"
        )


@sla.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
def diff(old: int, new: int) -> None:
    """The changes from version OLD to version NEW."""
    from helpdesk.sla import policy_store
    from helpdesk.yamldocs import cli as doc_cli

    with _edit() as session:
        doc_cli.print_diff(session, policy_store.KIND, old, new)


@sla.command("rollback")
@click.argument("number", type=int)
def rollback(number: int) -> None:
    """Save version NUMBER again, as the next version."""
    from helpdesk.people.cli import _actor
    from helpdesk.sla import policy_store, service

    with _edit() as session:
        try:
            row = policy_store.rollback(session, _actor(), number, service.sla_folder())
        except LookupError:
            raise click.ClickException(f"there is no SLA policies version {number}") from None
        except policy_store.RollbackError as exc:
            raise click.ClickException(
                f"version {number} no longer passes the checks: {exc}"
            ) from None
        session.commit()
        policy_store.forget()
        click.echo(f"published SLA policies version {row.number}: version {number} again")
