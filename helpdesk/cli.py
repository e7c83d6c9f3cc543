"""The `helpdesk` command: one group, verbs added by each area."""

from __future__ import annotations

import sys

import click

from helpdesk.config import load_settings


@click.group()
def main() -> None:
    """杭州市中小商贸流通企业公共服务平台 helpdesk."""
    from helpdesk.settings import SettingsError, reset, settings

    reset()  # a command reads the environment it starts in (CliRunner's env= in tests too)
    try:
        settings()  # every verb starts from valid settings, or stops here naming the variable
    except SettingsError as exc:
        click.echo(f"helpdesk: {exc}", err=True)
        sys.exit(2)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration, then load districts and the service catalogue."""
    from helpdesk import schema

    settings = load_settings()
    schema.upgrade(settings.database_url)
    with app_context(check_schema=True):
        from helpdesk.directory.reference import ensure_reference_data
        from helpdesk.extensions import db as database

        ensure_reference_data(database.session())
        database.session.commit()
    click.echo(f"database at {schema.current_revision(settings.database_url)}")


@db.command("current")
def db_current() -> None:
    """Print the database's revision and the code's."""
    from helpdesk import schema

    url = load_settings().database_url
    click.echo(f"database: {schema.current_revision(url)}  code: {schema.head_revision(url)}")


@main.command()
@click.option("--demo", is_flag=True, required=True, help="Load the demo platform.")
@click.option("--tickets", default=300, show_default=True, help="How many demo tickets.")
def seed(demo: bool, tickets: int) -> None:
    """Load demo data (idempotent)."""
    from helpdesk.demo import DEMO_PASSWORD, seed_demo
    from helpdesk.extensions import db as database

    with app_context():
        created = seed_demo(database.session(), tickets=tickets)
        database.session.commit()
    if created:
        click.echo(f"demo data loaded; every demo user's password is {DEMO_PASSWORD}")
    else:
        click.echo("demo data already present; nothing changed")


class app_context:
    """Build the app from the environment and push its context for a CLI verb."""

    def __init__(self, check_schema: bool = True) -> None:
        from helpdesk import create_app
        from helpdesk.schema import SchemaBehind

        try:
            self.app = create_app(check_schema=check_schema)
        except SchemaBehind as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        self.ctx = self.app.app_context()

    def __enter__(self) -> object:
        self.ctx.push()
        return self.app

    def __exit__(self, *exc: object) -> None:
        self.ctx.pop()


from helpdesk.runner.commands import serve, web, worker  # noqa: E402 - verbs of the group above

main.add_command(serve)
main.add_command(web)
main.add_command(worker)

from helpdesk.routing.cli import rules as _rules  # noqa: E402

main.add_command(_rules)

from helpdesk.audit.cli import audit as _audit  # noqa: E402
from helpdesk.sla.cli import sla as _sla  # noqa: E402

main.add_command(_audit)
main.add_command(_sla)

from helpdesk.retention.cli import archive as _archive  # noqa: E402
from helpdesk.retention.cli import retention as _retention  # noqa: E402

main.add_command(_retention)
main.add_command(_archive)


from helpdesk.integrations.cli import token as _token  # noqa: E402
from helpdesk.people.cli import user as _user  # noqa: E402

main.add_command(_user)
main.add_command(_token)

from helpdesk.orgs.cli import org as _org  # noqa: E402

main.add_command(_org)

from helpdesk.catalogue.cli import catalogue as _catalogue  # noqa: E402

main.add_command(_catalogue)

from helpdesk.enterprises.cli import enterprise as _enterprise  # noqa: E402

main.add_command(_enterprise)

from helpdesk.channels.phone.cli import agi as _agi  # noqa: E402
from helpdesk.channels.phone.cli import ivr as _ivr  # noqa: E402

main.add_command(_ivr)
main.add_command(_agi)

if __name__ == "__main__":
    main()
