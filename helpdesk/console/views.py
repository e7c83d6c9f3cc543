"""The three live pages. Each renders a shell with the words and names its script needs; the
data comes from the JSON routes (api.py) and the `/desk` socket."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.console.words import page_words
from helpdesk.directory import queries as directory
from helpdesk.realtime import access
from helpdesk.web import db_session, is_chinese
from helpdesk.web.labels import TABLES

blueprint = Blueprint("console", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _names() -> dict[str, Any]:
    ref = directory.reference(db_session())
    zh = is_chinese()

    def pick(entry: Any) -> str:
        return str(entry.name_zh if zh else entry.name_en)

    return {
        "district": {code: pick(e) for code, e in ref.regions.items()},
        "category": {code: pick(e) for code, e in ref.categories.items()},
        **{kind: {k: str(v) for k, v in table.items()} for kind, table in TABLES.items()},
    }


def _page(
    template: str, title: str, pop: dict[str, Any] | None = None, **context: Any
) -> ResponseReturnValue:
    user = _me()
    boot = {
        "pop": pop,
        "user": {"id": user.id, "name": user.name, "role": user.role.value},
        "organisation_id": user.organisation_id,
        "names": _names(),
        "words": page_words(),
        "api": url_for("api.desk_tickets").rsplit("/desk/", 1)[0],
        "login": url_for("auth.login"),
    }
    return render_template(template, title=title, boot=boot, **context)


@blueprint.get("/console")
@login_required
def console() -> ResponseReturnValue:
    user = _me()
    if permissions.works_at_provider_desk(user):
        return redirect(url_for("console.provider"))
    if not permissions.can_open_staff_pages(user):
        abort(403)
    from helpdesk.channels.chat.views import agent_desk
    from helpdesk.channels.phone import service as phone

    session = db_session()
    call = phone.current_call(session, user)  # its pop again, after the agent went elsewhere
    pop = phone.screen_pop(session, call) if call else None
    return _page("console/console.html", _("Agent console"), chat=agent_desk(user), pop=pop)


@blueprint.get("/wallboard")
@login_required
def wallboard() -> ResponseReturnValue:
    if not access.is_watcher(_me()):
        abort(403)
    from helpdesk.sla.calendar_store import missing_years

    # from 1 November, next year's holidays must be in (issue 13 item 6)
    return _page("wallboard/wallboard.html", _("Wallboard"), missing=missing_years(db_session()))


@blueprint.get("/provider")
@login_required
def provider() -> ResponseReturnValue:
    if not permissions.works_at_provider_desk(_me()):
        abort(403)
    return _page("provider/desk.html", _("Provider desk"))
