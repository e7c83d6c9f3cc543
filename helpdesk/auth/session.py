"""Who is asking: a Flask-Login session cookie, or a bearer API token for integrations."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import select

from helpdesk import reference_version
from helpdesk.auth import lifetime, tokens
from helpdesk.auth.models import User
from helpdesk.auth.passwords import check_password
from helpdesk.extensions import db, login_manager


def init_auth(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    lifetime.init_signals()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's user, on every request and socket event, while the login still stands."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not lifetime.still_valid(user):
        return None
    return user


VERDICT = "helpdesk.token_verdict"


@login_manager.request_loader
def user_from_token(req) -> User | None:
    """`Authorization: Bearer hd_...` for API integrations; the token itself is never stored.
    None when it is refused (unknown, revoked, expired, out of its scope): `token_verdict`
    says why."""
    verdict = token_verdict()
    if verdict is None or verdict.user_id is None:
        return None
    return reference_version.get(db.session(), User, verdict.user_id, "users")


def token_verdict() -> tokens.Verdict | None:
    """The presented token's verdict for this request, checked once per request."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    # Kept in the request's environ, not `g`: an app context (and its `g`) can outlive requests.
    verdict = request.environ.get(VERDICT)
    if verdict is None:
        verdict = tokens.check(db.session(), header[7:].strip(), request.method, request.path)
        request.environ[VERDICT] = verdict
    return verdict


def authenticate(login: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(User.login == login)).first()
    if user is None or not user.active or not check_password(user.password_hash, password):
        return None
    return user


def is_token_request() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")
