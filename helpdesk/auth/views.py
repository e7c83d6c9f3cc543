"""Login and logout pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from helpdesk.auth import lifetime, permissions, throttle
from helpdesk.auth.forms import LoginForm, LogoutForm
from helpdesk.auth.session import authenticate

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL is an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("tickets.index")


def _home(user: Any) -> str:
    """Where a logged-in person starts: an enterprise on the portal, everyone else the tickets."""
    if permissions.uses_portal(user):
        return url_for("portal.index")
    return url_for("tickets.index")


# Forms sent without being logged in: a refused one there is only an expired form.
OPEN_FORMS = {"auth.login", "auth.logout", "portal.login", "portal.register"}


@blueprint.app_errorhandler(CSRFError)
def _csrf_failed(_error: CSRFError) -> ResponseReturnValue:
    """A page form sent without its token (or from another site): say so in the user's words,
    and show what they typed, which would otherwise be lost. Most often they logged out in
    another tab (the token went with the session): then say that, and lead to the login page.
    The JSON API is exempt from CSRFProtect and answers its own errors."""
    title, message = _("Not sent"), _("The form expired; please reload the page and send it again.")
    back = None
    if not current_user.is_authenticated and request.endpoint not in OPEN_FORMS:
        message = _(
            "You are logged out (perhaps in another tab), so the form was not sent. "
            "Copy what you typed below, log in again and send it again."
        )
        login_url = url_for("auth.login", next=_safe_next(_came_from()))
        back = (login_url, _("Log in again"))
    # a staff form's page keeps the helpdesk's header for the logged-out agent; the portal's
    # (and its public chat's) keep the portal's
    staff_side = not request.path.startswith(("/portal", "/chat"))
    page = render_template(
        "error.html", title=title, message=message, back=back, kept=_typed(), staff_side=staff_side
    )
    return page, 400


def _came_from() -> str | None:
    """The path of the page the form was on (the Referer), for the login's `next`."""
    parts = urlsplit(request.referrer or "")
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else None


def _typed() -> list[str]:
    """What the person wrote into the refused form: texts, not tokens, passwords or choices."""
    secret = ("csrf_token", "password", "current", "confirm", "login")
    return [
        value
        for key, value in request.form.items(multi=True)
        if not any(word in key for word in secret)
        and len(value.strip()) > 1
        and not value.isdigit()
    ]


def client_address() -> str:
    return request.remote_addr or "-"


def refused_login(template: str, form: FlaskForm, refused: throttle.Refusal) -> Response:
    """A login refused by the throttle: 429 with the wait in words and in Retry-After."""
    form.password.errors = [throttle.message(refused)]
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(refused.seconds)
    return response


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_home(current_user))
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        name, address = form.login.data or "", client_address()
        refused = throttle.refusal(name, address)
        if refused is not None:
            return refused_login("auth/login.html", form, refused)
        user = authenticate(name, form.password.data or "")
        if user is not None:
            throttle.succeeded(name, address)
            login_user(user)
            if permissions.uses_portal(user):
                return redirect(url_for("portal.index"))  # the staff pages are not its own
            return redirect(_safe_next(form.next.data))
        refused = throttle.failed(name, address)
        if refused is not None:
            return refused_login("auth/login.html", form, refused)
        # One message for a wrong password, an unknown login and a disabled account alike.
        form.password.errors = [_("Wrong login or password, or the account is disabled.")]
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    back_to = "auth.login"
    if LogoutForm().validate_on_submit():
        if permissions.uses_portal(current_user):
            back_to = "portal.index"  # where an enterprise logs in again
        lifetime.end_this_login()
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for(back_to))
