"""`helpdesk user add | edit | disable | enable | passwd | end-sessions | list`: the People
page for scripts. Each change is logged like a page change, its actor `cli:<OS user>`."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import click


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry (containers)
        return "cli"


def _service() -> AbstractContextManager[tuple[Any, Any]]:
    """The app context, the session and the service; field errors become a clear exit 1."""
    from helpdesk.console_forms import service_session
    from helpdesk.people import service

    return service_session(service)


def _person(session: Any, service: Any, login: str) -> Any:
    user = service.find(session, login)
    if user is None:
        raise click.ClickException(f"no user with login {login!r}")
    return user


def _password_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Initial password (prompted when absent); the person must change it at next login.",
    )(func)


@click.group("user")
def user() -> None:
    """People: staff, provider staff and enterprise users."""


ROLES = click.Choice(["agent", "supervisor", "provider", "enterprise", "admin"])


@user.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option("--role", type=ROLES, required=True)
@click.option("--org", "organisation", default="", help="Organisation slug or id.")
@click.option("--enterprise", default="", help="Enterprise USCC (enterprise users).")
@click.option("--skills", default="", help="Comma-separated service catalogue codes.")
@click.option("--extension", default="")
@click.option("--languages", default="zh", show_default=True, help="Comma-separated: zh, en.")
@_password_option
def add(login: str, password: str, **fields: str) -> None:
    """Create a person."""
    with _service() as (session, service):
        data = service.PersonData(
            login=login,
            name=fields["name"],
            role=fields["role"],
            organisation=fields["organisation"],
            enterprise=fields["enterprise"],
            skills=service.split_list(fields["skills"]),
            extension=fields["extension"],
            languages=service.split_list(fields["languages"]),
        )
        created = service.create(session, _actor(), data, password)
        click.echo(f"created {created.login} (id {created.id}, {created.role.value})")


@user.command("edit")
@click.argument("login")
@click.option("--login", "new_login", default=None, help="A new login.")
@click.option("--name", default=None)
@click.option("--role", type=ROLES, default=None)
@click.option("--org", "organisation", default=None, help="Organisation slug or id; '' for none.")
@click.option("--enterprise", default=None)
@click.option("--skills", default=None)
@click.option("--extension", default=None, help="'' removes it.")
@click.option("--languages", default=None)
def edit(login: str, new_login: str | None, **fields: str | None) -> None:
    """Change the given fields of a person; the others stay."""
    with _service() as (session, service):
        person = _person(session, service, login)
        now = service.snapshot(person)
        data = service.PersonData(
            login=new_login if new_login is not None else person.login,
            name=_given(fields["name"], now["name"]),
            role=_given(fields["role"], now["role"]),
            organisation=_given(fields["organisation"], now["organisation"] or ""),
            enterprise=_given(fields["enterprise"], now["enterprise"] or ""),
            skills=service.split_list(_given(fields["skills"], now["skills"])),
            extension=_given(fields["extension"], now["extension"] or ""),
            languages=service.split_list(_given(fields["languages"], now["languages"])),
        )
        service.edit(session, _actor(), person, data, None)
        click.echo(f"saved {person.login}")


def _given(value: Any, current: Any) -> Any:
    return current if value is None else value


@user.command("disable")
@click.argument("login")
def disable(login: str) -> None:
    """Disable a person: they cannot log in, and whatever they have open is ended."""
    with _service() as (session, service):
        service.set_active(session, _actor(), _person(session, service, login), False)
        click.echo(f"disabled {login}")


@user.command("enable")
@click.argument("login")
def enable(login: str) -> None:
    """Re-enable a disabled person."""
    with _service() as (session, service):
        service.set_active(session, _actor(), _person(session, service, login), True)
        click.echo(f"enabled {login}")


@user.command("passwd")
@click.argument("login")
@_password_option
def passwd(login: str, password: str) -> None:
    """Set a new password; the person must change it at next login."""
    with _service() as (session, service):
        service.reset_password(session, _actor(), _person(session, service, login), password)
        click.echo(f"password of {login} reset; they must change it at next login")


@user.command("end-sessions")
@click.argument("login")
def end_sessions(login: str) -> None:
    """End everything the person has open now."""
    with _service() as (session, service):
        ended = service.end_all_sessions(session, _actor(), _person(session, service, login))
        click.echo(f"ended {ended} live connection(s) of {login}")


@user.command("list")
@click.option("--role", type=ROLES, default=None)
@click.option("--all", "show_all", is_flag=True, help="Include disabled people.")
def list_people(role: str | None, show_all: bool) -> None:
    """One line per person: login, role, name, organisation, extension, state."""
    from sqlalchemy import select

    from helpdesk.auth.models import Role, User

    with _service() as (session, _service_module):
        stmt = select(User).order_by(User.login)
        if role:
            stmt = stmt.where(User.role == Role(role))
        if not show_all:
            stmt = stmt.where(User.active.is_(True))
        for person in session.scalars(stmt):
            org = person.organisation.slug if person.organisation else "-"
            state = "active" if person.active else "disabled"
            click.echo(
                f"{person.login}\t{person.role.value}\t{person.name}\t{org}\t"
                f"{person.extension or '-'}\t{state}"
            )
