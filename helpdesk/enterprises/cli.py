"""`helpdesk enterprise merge KEEP DROP`: the enterprise page's merge for scripts. Each record
is named by its credit code (or number); the merge is logged with the CLI as its actor."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import click

from helpdesk.people.cli import _actor


def _service() -> AbstractContextManager[tuple[Any, Any]]:
    from helpdesk.console_forms import service_session
    from helpdesk.enterprises import service

    return service_session(service)


@click.group()
def enterprise() -> None:
    """Enterprises (the /admin/enterprises page for scripts)."""


@enterprise.command()
@click.argument("keep")
@click.argument("drop")
def merge(keep: str, drop: str) -> None:
    """Move everything of DROP to KEEP; DROP stays as a pointer to KEEP."""
    with _service() as (session, service):
        kept = service.find(session, keep)
        if kept is None:
            raise click.ClickException(f"no enterprise {keep!r}")
        counts = service.merge(session, _actor(), kept, service.find(session, drop))
        click.echo(
            f"merged {drop} into {kept.uscc} ({kept.name}): {counts['tickets']} tickets, "
            f"{counts['contacts']} contacts, {counts['portal_users']} portal accounts, "
            f"{counts['calls']} calls moved"
        )
