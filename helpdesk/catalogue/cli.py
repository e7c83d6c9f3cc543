"""`helpdesk catalogue list | add | edit | retire | restore`: the catalogue page for scripts.
Each change is logged like a page change, its actor `cli:<OS user>`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import click

from helpdesk.people.cli import _actor


def _service() -> AbstractContextManager[tuple[Any, Any]]:
    """The app context, the session and the service; field errors become a clear exit 1."""
    from helpdesk.catalogue import service
    from helpdesk.console_forms import service_session

    return service_session(service)


def _entry(session: Any, code: str) -> Any:
    from helpdesk.directory.models import ServiceCategory

    found = session.get(ServiceCategory, code)
    if found is None:
        raise click.ClickException(f"no catalogue entry {code!r}")
    return found


@click.group("catalogue")
def catalogue() -> None:
    """The service catalogue: platforms and sub-services, names, order, retired."""


@catalogue.command("list")
def list_entries() -> None:
    """One line per entry: code, order, state, Chinese name, English name."""
    with _service() as (session, service):
        for top, subs in service.entries(session):
            for c in (top, *subs):
                state = "active" if c.active else "retired"
                click.echo(f"{c.code}\t{c.position}\t{state}\t{c.name_zh}\t{c.name_en}")


@catalogue.command("add")
@click.argument("platform")
@click.argument("code")
@click.option("--zh", "name_zh", required=True)
@click.option("--en", "name_en", required=True)
@click.option("--order", "position", default="99", show_default=True)
def add(platform: str, code: str, name_zh: str, name_en: str, position: str) -> None:
    """Add a sub-service CODE under PLATFORM (e.g. finance crowdfunding)."""
    with _service() as (session, service):
        made = service.create(session, _actor(), platform, code,
                              service.Entry(name_zh, name_en, position))  # fmt: skip
        click.echo(f"added {made.code}")


@catalogue.command("edit")
@click.argument("code")
@click.option("--zh", "name_zh", default=None)
@click.option("--en", "name_en", default=None)
@click.option("--order", "position", default=None)
def edit(code: str, name_zh: str | None, name_en: str | None, position: str | None) -> None:
    """Change the given names or order of an entry; the others stay."""
    with _service() as (session, service):
        c = _entry(session, code)
        data = service.Entry(
            name_zh if name_zh is not None else c.name_zh,
            name_en if name_en is not None else c.name_en,
            position if position is not None else str(c.position),
        )
        service.edit(session, _actor(), c, data, None)
        click.echo(f"saved {c.code}")


@catalogue.command("retire")
@click.argument("code")
def retire(code: str) -> None:
    """No longer offered for new tickets; old tickets and reports keep it."""
    with _service() as (session, service):
        service.set_active(session, _actor(), _entry(session, code), False)
        click.echo(f"retired {code}")


@catalogue.command("restore")
@click.argument("code")
def restore(code: str) -> None:
    """Offer a retired entry again."""
    with _service() as (session, service):
        service.set_active(session, _actor(), _entry(session, code), True)
        click.echo(f"restored {code}")
