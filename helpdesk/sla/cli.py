"""`helpdesk sla check | reconcile | show`."""

from __future__ import annotations

import sys

import click


@click.group("sla")
def sla() -> None:
    """SLA policies, the business calendar and the timers."""


@sla.command("check")
def check() -> None:
    """Validate policies.yaml and the calendar year files; list years without holiday data."""
    from helpdesk.routing.loader import DEFAULT_FOLDER
    from helpdesk.sla import checks

    errors, warnings = checks.check_all(DEFAULT_FOLDER)
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
    from helpdesk.cli import app_context
    from helpdesk.extensions import db
    from helpdesk.sla import timers

    with app_context():
        redis = timers.connection()
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
