"""`helpdesk token issue | list | revoke | rotate-cti`: the API tokens page for scripts. Each
issue and revocation is logged like a page change, its actor `cli:<OS user>`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from helpdesk.people.cli import _actor


@contextmanager
def _session() -> Iterator[Any]:
    from helpdesk.auth.tokens import TokenErrors
    from helpdesk.cli import app_context
    from helpdesk.extensions import db

    with app_context() as app, app.test_request_context():  # type: ignore[attr-defined]
        try:
            yield db.session()
        except TokenErrors as exc:
            raise click.ClickException(
                "\n".join(f"{name}: {message}" for name, message in exc.errors.items())
            ) from None


@click.group("token")
def token() -> None:
    """API tokens: issue (the value is printed once), list, revoke."""


@token.command("issue")
@click.argument("login")
@click.option("--name", default="integration", show_default=True, help="What uses it.")
@click.option("--scope", type=click.Choice(["read", "write", "cti"]), default="write",
              show_default=True)  # fmt: skip
@click.option("--expires", default="", help="Last valid day, 2027-06-30; empty: never.")
def issue(login: str, name: str, scope: str, expires: str) -> None:
    """Issue a token acting as LOGIN and print it (the only time it is shown)."""
    from helpdesk.auth import tokens

    with _session() as session:
        _made, raw = tokens.issue(session, _actor(), login, name, scope, expires)
        session.commit()
    click.echo(raw)


@token.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
def list_tokens(show_all: bool) -> None:
    """One line per token: id, name, login, scope, expiry, last use, state."""
    from helpdesk.auth import tokens

    def when(at: Any) -> str:
        return at.isoformat(timespec="minutes") if at else "-"

    with _session() as session:
        for t in tokens.listing(session, include_revoked=show_all):
            click.echo(
                f"{t.id}\t{t.name}\t{t.user.login}\t{t.scope.value}\t{when(t.expires_at)}\t"
                f"{when(t.last_used_at)}\t{tokens.state(t)}"
            )


@token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (from `helpdesk token list`): refused from now on."""
    from helpdesk.auth import tokens
    from helpdesk.auth.models import ApiToken

    with _session() as session:
        found = session.get(ApiToken, token_id)
        if found is None:
            raise click.ClickException(f"no token with id {token_id}")
        if tokens.revoke(session, _actor(), found):
            session.commit()
            click.echo(f"revoked {token_id} ({found.name})")
        else:
            click.echo(f"{token_id} was already revoked")


@token.command("rotate-cti")
def rotate_cti() -> None:
    """Issue a new CTI token for the PBX, revoke the earlier ones, print the new one."""
    from helpdesk.auth import tokens

    with _session() as session:
        _made, raw = tokens.rotate_cti(session, _actor())
        session.commit()
    click.echo(raw)
