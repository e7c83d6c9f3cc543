"""/archive: supervisors and admins download the archive of tickets closed in a period
(helpdesk.retention.archive), and read the retention policy in force."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from helpdesk import clock
from helpdesk.audit.jobs import audit_files
from helpdesk.auth.permissions import can_supervise
from helpdesk.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.retention import archive
from helpdesk.retention.config import retention_config
from helpdesk.web import db_session

blueprint = Blueprint("retention", __name__)
# the archive's refusals (helpdesk.retention.archive), in the page's language
_REFUSALS = (
    ("ends before", _l("The period ends before it starts.")),
    ("not sealed", _l("Some steps of these tickets are not sealed yet; try again in a minute.")),
    ("no checkpoint", _l("The traceability chain has no checkpoint yet; try again in a minute.")),
)


def _refusal(exc: InvalidInput) -> str:
    return next((str(text) for phrase, text in _REFUSALS if phrase in exc.message), exc.message)


def _day(name: str) -> date:
    raw = (request.args.get(name) or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Enter the period's first and last day."), field=name) from None


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    today = clock.local_today_date()
    month = today.replace(day=1)
    args = {
        "from": request.args.get("from") or month.isoformat(),
        "to": request.args.get("to") or today.isoformat(),
    }
    return render_template(
        "retention/archive.html", config=retention_config(), args=args, error=error
    ), status


@blueprint.get("/archive")
@login_required
def archive_page() -> ResponseReturnValue:
    if not can_supervise(current_user):
        abort(403)
    return _page()


@blueprint.get("/archive/export.zip")
@login_required
def archive_export() -> ResponseReturnValue:
    if not can_supervise(current_user):
        abort(403)
    try:
        first, last = _day("from"), _day("to")
        if last > clock.local_today_date():
            raise InvalidInput(_("The period cannot end in the future."), field="to")
        # sealed and committed, then checked in one snapshot that the body is read from
        body = archive.download(db_session(), db.engine, audit_files(), first, last)
    except InvalidInput as exc:
        db_session().rollback()
        return _page(_refusal(exc), 400)
    filename = f"archive-{first:%Y%m%d}-{last:%Y%m%d}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    # streamed as it is built, batch by batch, from its snapshot (no request context needed);
    # the server closes `body` (and its transaction) when the response ends
    return Response(body, mimetype="application/zip", headers=headers)
