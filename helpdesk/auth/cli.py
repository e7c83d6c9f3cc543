"""`helpdesk user ...`: an administrator ends a person's logins, disables them, or sets a new
password. Each of the three ends every browser login of the person (helpdesk.auth.lifetime)."""

from __future__ import annotations

import click


@click.group("user")
def user() -> None:
    """People's accounts."""


def _change(login: str, what: str) -> None:
    from sqlalchemy import select

    from helpdesk.auth import lifetime
    from helpdesk.auth.models import User
    from helpdesk.auth.passwords import hash_password
    from helpdesk.cli import app_context
    from helpdesk.extensions import db

    with app_context():
        found = db.session.scalars(select(User).where(User.login == login)).first()
        if found is None:
            raise click.ClickException(f"no user with login {login!r}")
        if what == "end-sessions":
            lifetime.end_sessions(found)
        elif what == "disable":
            found.active = False  # ends its logins too (lifetime's flush hook)
        else:
            new = click.prompt("new password", hide_input=True, confirmation_prompt=True)
            if len(new) < 8:
                raise click.ClickException("a password needs at least 8 characters")
            found.password_hash = hash_password(new)
        db.session.commit()
    click.echo(f"{login}: every login ended")


@user.command("end-sessions")
@click.argument("login")
def end_sessions(login: str) -> None:
    """End every browser login and desk socket of LOGIN now."""
    _change(login, "end-sessions")


@user.command("disable")
@click.argument("login")
def disable(login: str) -> None:
    """Disable LOGIN's account and end its logins."""
    _change(login, "disable")


@user.command("password")
@click.argument("login")
def password(login: str) -> None:
    """Set a new password for LOGIN (asked for twice) and end its logins."""
    _change(login, "password")
