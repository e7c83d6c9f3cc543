"""`helpdesk rules check | explain | simulate`: rule folders, offline and against the directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from helpdesk.routing.engine import Decision
from helpdesk.routing.schema import RuleLoadError
from helpdesk.yamlcheck import errors as yamlcheck


@click.group("rules")
def rules() -> None:
    """Routing rules: check a folder, explain a decision, simulate a draft."""


def _app_context():
    from helpdesk import create_app

    return create_app().app_context()


@rules.command("check")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
def check(folder: Path | None) -> None:
    """Validate FOLDER (default: the active rule folder). Exit status 1 on any error."""
    from helpdesk.routing import loader
    from helpdesk.routing.checks import organisation_errors

    folder = folder or loader.rules_folder()
    try:
        ruleset = loader.compile_folder(folder)
    except RuleLoadError as exc:
        _fail(exc.errors)
    try:
        with _app_context():
            from helpdesk.extensions import db
            from helpdesk.routing.service import directory_snapshot

            known = frozenset(directory_snapshot(db.session()).organisations)
    except Exception as exc:  # no database here: the file checks still stand
        click.echo(f"note: organisations not checked, the directory is unavailable ({exc})")
    else:
        ref = loader.Reference.hangzhou()
        errors = organisation_errors(ruleset, known, ref.districts)
        if errors:
            _fail(errors)
    click.echo(
        f"ok: {len(ruleset.rules)} rules in {len(ruleset.files)} files, version {ruleset.version}"
    )


def _fail(errors: list) -> None:
    for error in sorted(errors):
        click.echo(str(error), err=True)
    click.echo(yamlcheck.count(errors), err=True)
    sys.exit(1)


@rules.command("explain")
@click.argument("number", required=False)
@click.option("--category", help="e.g. finance/guarantee")
@click.option("--district", help="e.g. 330109")
@click.option("--channel", default="portal", show_default=True)
@click.option("--type", "ticket_type", default="request", show_default=True)
@click.option("--priority", default="normal", show_default=True)
@click.option("--subject", default="")
@click.option("--folder", type=click.Path(path_type=Path), help="rules to use (default: active)")
def explain(
    number: str | None,
    category: str | None,
    district: str | None,
    channel: str,
    ticket_type: str,
    priority: str,
    subject: str,
    folder: Path | None,
) -> None:
    """Every rule considered for a ticket (NUMBER, or the facts given) and the final target."""
    from helpdesk import clock
    from helpdesk.extensions import db
    from helpdesk.routing import loader, queries, service
    from helpdesk.routing.facts import TicketFacts
    from helpdesk.tickets.service import get_by_number

    if not number and not (category and district):
        raise click.UsageError("give a ticket number, or --category and --district")
    with _app_context():
        session = db.session()
        directory = service.directory_snapshot(session)
        source = loader.source(folder)
        ruleset = source.reload(frozenset(directory.organisations))
        if ruleset is None:
            _fail(list(source.last_error.errors) if source.last_error else [])
            return
        if number:
            ticket = get_by_number(session, number)
            facts = service.ticket_facts(session, ticket)
            load = service.load_snapshot(
                session, ticket.enterprise_id, exclude=ticket.id, directory=directory
            )
            for record in queries.trace_for(ticket, session):
                click.echo(
                    f"recorded {record.at.astimezone(clock.HANGZHOU):%Y-%m-%d %H:%M}: "
                    f"rule {record.rule} → "
                    f"{record.organisation} ({record.via}), rules {record.ruleset}"
                )
        else:
            facts = TicketFacts(
                category=category or "",
                district=district or "",
                channel=channel,
                at=clock.now(),
                type=ticket_type,
                priority=priority,
                subject=subject,
            )
            load = service.load_snapshot(session, None, directory=directory)
        decision = ruleset.decide(facts, directory, load, explain=True)
    click.echo(f"rules {ruleset.version} ({len(ruleset.rules)} rules) from {source.folder}")
    click.echo(
        f"ticket: {facts.category} in {facts.district} by {facts.channel}, {facts.type}, "
        f"{facts.priority}, arrived {facts.at.astimezone(clock.HANGZHOU):%Y-%m-%d %H:%M}"
    )
    click.echo(format_decision(decision))


def format_decision(decision: Decision) -> str:
    lines = ["rules considered, highest priority first:"]
    for c in decision.trace:
        mark = {"matched": "MATCHED", "no match": "no", "not reached": "-"}[c.outcome]
        lines.append(f"  {mark:8} {c.priority:>5}  {c.rule:28} {c.reason}")
    lines.append("organisations tried:")
    for a in decision.attempts:
        lines.append(f"  {a.organisation:20} {a.source:10} {a.outcome}")
    person = f", person {decision.person}" if decision.person else ""
    lines.append(
        f"→ {decision.organisation or 'nobody (stays new)'}{person}"
        f" by rule {decision.rule or '-'} via {decision.via}"
    )
    return "\n".join(lines)


@rules.command("simulate")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--since", default="30d", show_default=True, help="how far back: 30d, 12h")
def simulate(folder: Path, since: str) -> None:
    """Replay recent tickets through the draft rules in FOLDER: what would go elsewhere."""
    from helpdesk import clock
    from helpdesk.extensions import db
    from helpdesk.routing import loader, service, simulation

    delta = simulation.parse_since(since)
    if delta is None:
        raise click.BadParameter(
            "use a number of days or hours, e.g. 30d or 12h", param_hint="since"
        )
    with _app_context():
        session = db.session()
        directory = service.directory_snapshot(session)
        try:
            draft = loader.compile_folder(folder, organisations=frozenset(directory.organisations))
        except RuleLoadError as exc:
            _fail(exc.errors)
        result = simulation.replay(session, draft, delta)
    click.echo(
        f"replayed {result.tickets} tickets since "
        f"{result.since.astimezone(clock.HANGZHOU):%Y-%m-%d %H:%M}"
        f" through {folder} (rules {draft.version}); today's directory and load"
    )
    click.echo(f"  {result.tickets - result.moved} would go where they went")
    click.echo(f"  {result.moved} would go elsewhere:")
    for (before, after), count in result.moves.most_common():
        examples = ", ".join(result.examples[(before, after)])
        click.echo(f"    {count:5}  {before} → {after}  (e.g. {examples})")
    click.echo("  by rule:")
    for name, count in result.by_rule.most_common():
        click.echo(f"    {count:5}  {name}")


def _actor() -> str:
    from helpdesk.people.cli import _actor as actor

    return actor()


@rules.command("publish")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def publish_file(file: Path) -> None:
    """Publish FILE as the rule file of the same name: the next version, after the checks of
    `rules check`. Every web process and worker follows within seconds."""
    from helpdesk.extensions import db
    from helpdesk.routing import publish, service
    from helpdesk.yamldocs import service as versions

    with _app_context():
        session = db.session()
        known = frozenset(service.directory_snapshot(session).organisations)
        try:
            row = publish.publish(
                session, _actor(), file.name, file.read_text(encoding="utf-8"), known
            )
        except publish.PublishError as exc:
            _fail(exc.errors)
        except versions.Unchanged:
            click.echo(f"{file.name} is the version in force: nothing to publish", err=True)
            sys.exit(1)
        session.commit()
        publish.forget()
        click.echo(f"published rules version {row.number} ({file.name}, {row.digest[:12]})")


@rules.command("versions")
def list_versions() -> None:
    """Every published version of the rules, newest first: who, when, which file."""
    from helpdesk.extensions import db
    from helpdesk.routing import publish
    from helpdesk.yamldocs import cli as doc_cli

    with _app_context():
        doc_cli.print_versions(
            db.session(), publish.KIND, "nothing published yet: the rule folder is in force"
        )


@rules.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
def diff_versions(old: int, new: int) -> None:
    """The changes from version OLD to version NEW."""
    from helpdesk.extensions import db
    from helpdesk.routing import publish
    from helpdesk.yamldocs import cli as doc_cli

    with _app_context():
        doc_cli.print_diff(db.session(), publish.KIND, old, new)


@rules.command("rollback")
@click.argument("number", type=int)
def rollback(number: int) -> None:
    """Publish version NUMBER again, as the next version."""
    from helpdesk.extensions import db
    from helpdesk.routing import publish, service

    with _app_context():
        session = db.session()
        known = frozenset(service.directory_snapshot(session).organisations)
        try:
            row = publish.rollback(session, _actor(), number, known)
        except LookupError:
            raise click.ClickException(f"there is no rules version {number}") from None
        except publish.PublishError as exc:
            _fail(exc.errors)
        session.commit()
        publish.forget()
        click.echo(f"published rules version {row.number}: version {number} again")
