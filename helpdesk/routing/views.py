"""/admin/rules: the rules in force as readable rules, their published versions and diffs,
explain for any ticket; for administrators also the editor (check, simulate over past
tickets, publish) and rollback. Supervisors read; everyone else gets 403."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from helpdesk.auth import permissions
from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.people.views import admin_required
from helpdesk.routing import loader, publish, queries, service, simulation
from helpdesk.routing.schema import RuleError
from helpdesk.yamldocs import views as yamldocs_views
from helpdesk.yamldocs.models import DocumentVersion

blueprint = Blueprint("routing", __name__)

MAX_TEXT = 2_000_000  # characters in one rule file (1,000 rules are about 200,000)
DEFAULT_DAYS = 30
MAX_DAYS = 366


def _restore(session: Session, actor: Any, number: int) -> DocumentVersion:
    known = frozenset(service.directory_snapshot(session).organisations)
    return publish.rollback(session, actor, number, known)


DOCUMENT = yamldocs_views.Document(
    kind=publish.KIND,
    page="routing.rules_page",
    version_page="routing.rule_version",
    rollback="routing.rollback_rules",
    title=lambda n: _("Rules version %(n)s", n=n),
    back_label=lambda: _("Back to the routing rules"),
    shipped=loader.rules_folder,
    restore=_restore,
    failure=publish.PublishError,
    forget=publish.forget,
)


def _viewer() -> None:
    if not permissions.can_supervise(current_user):
        abort(403)


@blueprint.get("/admin/rules")
@login_required
def rules_page() -> ResponseReturnValue:
    _viewer()
    session = db.session()
    directory = service.directory_snapshot(session)
    source = publish.active_source(session)
    ruleset = source.current(frozenset(directory.organisations))
    number = (request.args.get("ticket") or "").strip()
    explained = records = None
    error = None
    if number:
        from helpdesk.tickets.service import get_by_number

        try:
            ticket = get_by_number(session, number)
        except NotFound as exc:
            error = str(exc)
        else:
            explained = service.decide(session, ticket, explain=True)
            records = queries.trace_for(ticket, session)
    _in_force, files = publish.current_files(session)
    return render_template(
        "routing/admin_rules.html",
        source=source,
        ruleset=ruleset,
        number=number,
        explained=explained,
        records=records,
        lookup_error=error,
        files=sorted(files),
        **yamldocs_views.listing(session, DOCUMENT),
        may_edit=permissions.can_publish_configuration(current_user),
    )


def _editor(name: str, text: str, base: int | None, status: int = 200, **extra: object):
    lines = text.split("\n")
    errors: list[RuleError] = list(extra.pop("errors", []) or [])  # type: ignore[call-overload]
    marked = {e.line for e in errors if e.file == name}
    return render_template(
        "routing/rule_edit.html",
        name=name,
        text=text,
        base=base,
        lines=lines,
        errors=errors,
        marked=marked,
        days=extra.pop("days", DEFAULT_DAYS),
        **extra,
    ), status


@blueprint.get("/admin/rules/edit/<rule_file>")
@admin_required
def edit_rule_file(rule_file: str) -> ResponseReturnValue:
    name = rule_file
    number, files = publish.current_files(db.session())
    if name not in files:
        abort(404)
    return _editor(name, files[name], number)


@blueprint.post("/admin/rules/edit/<rule_file>")
@admin_required
def edit_rule_file_post(rule_file: str) -> ResponseReturnValue:
    name = rule_file
    session = db.session()
    _in_force, files = publish.current_files(session)
    if name not in files:
        abort(404)
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    action = request.form.get("action") or "check"
    base = _int(request.form.get("base"))
    days_raw = (request.form.get("days") or str(DEFAULT_DAYS)).strip()
    days = _int(days_raw)
    problems = []
    if "\x00" in text:
        problems.append(_("The text contains a NUL character, which cannot be stored."))
    if len(text) > MAX_TEXT:
        problems.append(_("The file is too long (at most %(n)d characters).", n=MAX_TEXT))
    if days is None or not 1 <= days <= MAX_DAYS:
        problems.append(_("Days: a whole number from 1 to %(n)d.", n=MAX_DAYS))
        days = DEFAULT_DAYS
    if problems:
        return _editor(name, text, base, 422, problems=problems, days=days_raw)
    known = frozenset(service.directory_snapshot(session).organisations)
    edited = publish.with_edit(files, name, text)
    try:
        draft = publish.check(edited, known)
    except publish.PublishError as exc:
        return _editor(name, text, base, 422, errors=exc.errors, days=days)
    if action == "publish":
        return yamldocs_views.publish(
            DOCUMENT,
            lambda: publish.publish(session, current_user._get_current_object(), name, text,
                                    known, base=base),
            lambda message, status: _editor(name, text, base, status, problems=[message],
                                            days=days),
            lambda n: _("Rules version %(n)d published; every process follows within seconds.",
                        n=n),
        )  # fmt: skip
    replay = None
    if action == "simulate":
        replay = simulation.replay(session, draft, simulation.parse_since(f"{days}d"))  # type: ignore[arg-type]
    return _editor(name, text, base, checked=True, draft=draft, replay=replay, days=days)


def _int(raw: str | None) -> int | None:
    try:
        return int((raw or "").strip())
    except ValueError:
        return None


@blueprint.get("/admin/rules/versions/<id:number>")
@login_required
def rule_version(number: int) -> ResponseReturnValue:
    _viewer()
    return yamldocs_views.version_page(DOCUMENT, number)


@blueprint.post("/admin/rules/versions/<id:number>/rollback")
@admin_required
def rollback_rules(number: int) -> ResponseReturnValue:
    return yamldocs_views.rollback(DOCUMENT, number)
