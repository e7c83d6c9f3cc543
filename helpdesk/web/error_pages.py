"""Missing, refused and too-large pages in the reader's language, for every page without its
own.

Werkzeug's defaults ("404 Not Found", "403 Forbidden", in English) reached people who followed
an old link or opened another role's page: an enterprise opening a ticket that is not theirs, a
supervisor an administrator's page. The API answers JSON from its own catch-all and handlers;
the tickets, service guide, statistics and scorecard pages keep their more specific words.
A file over the app's request limit (a 5 MB scan attached to a guide or a ticket) got
werkzeug's "Request Entity Too Large"; it now says so in words, with the way back to the form.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from helpdesk.auth.models import Role


def _page(
    error: HTTPException, title: str, message: str, back: tuple[str, str] | None = None
) -> ResponseReturnValue:
    staff = current_user.is_authenticated and current_user.role != Role.ENTERPRISE
    back = back or (
        (url_for("tickets.list_view"), _("Back to the tickets"))
        if staff
        else (url_for("portal.index"), _("Back to the portal home page"))
    )
    page = render_template("error.html", title=title, message=message, back=back)
    return page, error.code or 500


def _not_found(error: HTTPException) -> ResponseReturnValue:
    return _page(error, _("Not found"), _("There is no such page. Check the address."))


def _forbidden(error: HTTPException) -> ResponseReturnValue:
    return _page(error, _("Not allowed"), _("Your role may not open this page."))


def _too_large(error: HTTPException) -> ResponseReturnValue:
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    message = _(
        "What was sent is larger than %(size)d MB, so nothing was saved. "
        "Go back and choose a smaller file.",
        size=limit,
    )
    # Back to the form the file came from, when it was one of ours.
    referrer = request.referrer or ""
    back = (referrer, _("Back")) if referrer.startswith(request.host_url) else None
    return _page(error, _("The file is too large"), message, back)


def init_app(app: Flask) -> None:
    app.register_error_handler(404, _not_found)
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(413, _too_large)
