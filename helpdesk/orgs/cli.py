"""`helpdesk org list | add | edit | suspend | reinstate`: the Organisations page for scripts.
Each change is logged like a page change, its actor `cli:<OS user>`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import click

from helpdesk.people.cli import _actor

KINDS = click.Choice(["service_centre", "workstation", "contact_point", "provider"])
TYPES = click.Choice(["finance", "technology", "legal", "intermediary", "expert"])


def _service() -> AbstractContextManager[tuple[Any, Any]]:
    """The app context, the session and the service; field errors become a clear exit 1."""
    from helpdesk.console_forms import service_session
    from helpdesk.orgs import service

    return service_session(service)


def _org(session: Any, service: Any, ref: str) -> Any:
    org = service.find(session, ref)
    if org is None:
        raise click.ClickException(f"no organisation {ref!r}")
    return org


def _warn(session: Any, service: Any, org: Any) -> None:
    warning = service.capacity_warning(session, org)
    if warning:
        click.echo(f"warning: {warning}", err=True)


@click.group("org")
def org() -> None:
    """Organisations: the service centre, workstations, contact points and providers."""


@org.command("list")
@click.option("--kind", type=KINDS, default=None)
def list_orgs(kind: str | None) -> None:
    """One line per organisation: code, kind, state, open/capacity, name."""
    from sqlalchemy import select

    from helpdesk.directory.models import Organisation, OrgKind

    with _service() as (session, service):
        stmt = select(Organisation).order_by(Organisation.kind, Organisation.slug)
        if kind:
            stmt = stmt.where(Organisation.kind == OrgKind(kind))
        for o in session.scalars(stmt):
            click.echo(
                f"{o.slug}\t{o.kind.value}\t{o.status.value}\t"
                f"{service.open_count(session, o.id)}/{o.capacity}\t{o.name}"
            )


def _fields(func: Any) -> Any:
    options = [
        click.option("--name", default=None),
        click.option("--kind", type=KINDS, default=None),
        click.option("--type", "provider_type", type=TYPES, default=None),
        click.option("--districts", default=None, help="Comma-separated region codes."),
        click.option("--categories", default=None, help="Comma-separated catalogue codes."),
        click.option("--capacity", default=None),
        click.option("--hours", "working_hours", default=None, help="08:30-12:00, 13:30-17:30"),
        click.option("--contact", "contact_name", default=None),
        click.option("--phone", default=None),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@org.command("add")
@click.argument("slug")
@_fields
def add(slug: str, **fields: str | None) -> None:
    """Create an organisation."""
    with _service() as (session, service):
        data = service.OrgData(
            slug=slug,
            name=fields["name"] or "",
            kind=fields["kind"] or "",
            provider_type=fields["provider_type"] or "",
            districts=service.split_list(fields["districts"] or ""),
            categories=service.split_list(fields["categories"] or ""),
            capacity=fields["capacity"] or "50",
            working_hours=fields["working_hours"] or "",
            contact_name=fields["contact_name"] or "",
            phone=fields["phone"] or "",
        )
        created = service.create(session, _actor(), data)
        click.echo(f"created {created.slug} (id {created.id}, {created.kind.value})")


@org.command("edit")
@click.argument("ref")
@click.option("--slug", default=None, help="A new code.")
@_fields
def edit(ref: str, slug: str | None, **fields: str | None) -> None:
    """Change the given fields of an organisation; the others stay."""
    with _service() as (session, service):
        o = _org(session, service, ref)
        now = service.snapshot(o)

        def given(name: str, current: Any) -> Any:
            value = fields.get(name)
            return current if value is None else value

        data = service.OrgData(
            slug=slug if slug is not None else o.slug,
            name=given("name", now["name"]),
            kind=given("kind", now["kind"]),
            provider_type=given("provider_type", now["provider_type"] or ""),
            districts=service.split_list(given("districts", now["districts"])),
            categories=service.split_list(given("categories", now["categories"])),
            capacity=given("capacity", str(now["capacity"])),
            working_hours=given("working_hours", now["working_hours"] or ""),
            contact_name=given("contact_name", now["contact_name"] or ""),
            phone=given("phone", now["phone"] or ""),
        )
        service.edit(session, _actor(), o, data, None)
        click.echo(f"saved {o.slug}")
        _warn(session, service, o)


@org.command("suspend")
@click.argument("ref")
@click.option("--reason", required=True)
def suspend(ref: str, reason: str) -> None:
    """Suspend: no new tickets are routed to it; lists its open tickets to re-route."""
    from helpdesk.directory.models import OrgStatus

    with _service() as (session, service):
        o = _org(session, service, ref)
        service.set_status(session, _actor(), o, OrgStatus.SUSPENDED, reason)
        click.echo(f"suspended {o.slug}")
        for t in service.open_tickets(session, o.id):
            click.echo(f"  open: {t.number}\t{t.status.value}\t{t.subject}")


@org.command("reinstate")
@click.argument("ref")
@click.option("--reason", required=True)
def reinstate(ref: str, reason: str) -> None:
    """Reinstate a suspended organisation: it gets new tickets again."""
    from helpdesk.directory.models import OrgStatus

    with _service() as (session, service):
        o = _org(session, service, ref)
        service.set_status(session, _actor(), o, OrgStatus.ACTIVE, reason)
        click.echo(f"reinstated {o.slug}")
