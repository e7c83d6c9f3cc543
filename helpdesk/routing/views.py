"""/admin/rules: the active rule set, the last reload's status, and explain for any ticket."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.routing import loader, queries, service

blueprint = Blueprint("routing", __name__)


@blueprint.get("/admin/rules")
@login_required
def rules_page() -> ResponseReturnValue:
    if not permissions.can_supervise(current_user):
        abort(403)
    session = db.session()
    directory = service.directory_snapshot(session)
    source = loader.source()
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
    return render_template(
        "routing/admin_rules.html",
        source=source,
        ruleset=ruleset,
        number=number,
        explained=explained,
        records=records,
        lookup_error=error,
    )
