"""The printable traceability page: /tickets/<number>/trace, for staff."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from helpdesk.audit.export import trace
from helpdesk.audit.jobs import audit_files
from helpdesk.auth.permissions import can_see_internal
from helpdesk.errors import NotFound
from helpdesk.tickets import service
from helpdesk.web import db_session, is_chinese

blueprint = Blueprint("audit", __name__)

# The page's few words, kept here until they join the message catalogue.
LABELS = {
    "zh": {
        "title": "服务追溯记录", "print": "打印", "intact": "所有已封存步骤校验一致",
        "broken": "有已封存步骤校验不一致", "when": "时间", "step": "步骤", "who": "操作人",
        "status": "状态", "details": "内容", "seal": "封存", "system": "系统",
    },
    "en": {
        "title": "Service trace", "print": "Print", "intact": "every sealed step verifies",
        "broken": "a sealed step does not verify", "when": "When", "step": "Step", "who": "Who",
        "status": "Status", "details": "Details", "seal": "Seal", "system": "system",
    },
}  # fmt: skip


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
    labels = LABELS["zh" if is_chinese() else "en"]
    data = trace(db_session(), ticket, audit_files())
    return render_template("audit/trace.html", trace=data, t=labels)
