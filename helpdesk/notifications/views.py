"""/notifications: a person's kept alerts, newest first; "mark all read" clears the header's
count. Staff and provider staff (enterprises get none)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.notifications import service
from helpdesk.web import db_session

blueprint = Blueprint("notifications", __name__)


def _desk_user() -> int:
    if not permissions.can_see_notifications(current_user):
        abort(404)
    return int(current_user.id)


@blueprint.get("/notifications")
@login_required
def page() -> ResponseReturnValue:
    user_id = _desk_user()
    items = service.recent(db_session(), user_id)
    return render_template("notifications/page.html", items=items)


@blueprint.post("/notifications/read")
@login_required
def read() -> ResponseReturnValue:
    user_id = _desk_user()
    service.mark_all_read(db_session(), user_id)
    db_session().commit()
    return redirect(url_for("notifications.page"))


def unread() -> int:
    """The header's count: 0 for visitors and enterprises (one COUNT on the person's index)."""
    if not permissions.can_see_notifications(current_user):
        return 0
    return service.unread_count(db_session(), int(current_user.id))
