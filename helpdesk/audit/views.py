"""The printable traceability page: /tickets/<number>/trace, for staff."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from helpdesk.audit import readable
from helpdesk.audit.export import trace
from helpdesk.audit.jobs import audit_files
from helpdesk.auth.permissions import can_see_internal
from helpdesk.errors import NotFound
from helpdesk.tickets import service
from helpdesk.web import db_session

blueprint = Blueprint("audit", __name__)


@blueprint.route("/tickets/<number>/trace")
@login_required
def trace_page(number: str) -> ResponseReturnValue:
    user = current_user._get_current_object()
    if not can_see_internal(user):
        abort(404)  # the trace holds internal steps: enterprises see the ticket page instead
    try:
        ticket = service.get_by_number(db_session(), number, user)
    except NotFound:
        abort(404)
    data = trace(db_session(), ticket, audit_files())
    shown = readable.steps(db_session(), data["steps"])
    return render_template("audit/trace.html", trace=data, steps=shown)
