"""/admin/system (issue 13 item 9): settings seen, not hidden; retry of a failed job."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.config import Settings
from helpdesk.oplog.record import record_change
from helpdesk.people.views import admin_required
from helpdesk.redis_connections import connection
from helpdesk.system import health
from helpdesk.web import db_session

blueprint = Blueprint("system", __name__)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["helpdesk.settings"]
    return settings


@blueprint.get("/admin/system")
@admin_required
def system_page() -> ResponseReturnValue:

    settings = _settings()
    return render_template(
        "system/page.html",
        settings=health.settings_shown(settings),
        versions=health.versions(settings),
        health=health.health(connection()),
    )


@blueprint.post("/admin/system/failed/<queue>/<job_id>/retry")
@admin_required
def retry_job(queue: str, job_id: str) -> ResponseReturnValue:

    redis = connection()
    if redis is None or not health.retry(redis, queue, job_id):
        flash(_("That job is no longer among the failed ones: it was retried or removed."), "error")
        return redirect(url_for("system.system_page"), 303)
    session = db_session()
    record_change(session, current_user._get_current_object(), "job.retried", "job", 0,
                  job_id, None, {"queue": queue})  # fmt: skip
    session.commit()
    flash(_("The job is back on its queue."), "success")
    return redirect(url_for("system.system_page"), 303)
