"""Who is asking: a Flask-Login session cookie, or a bearer API token for integrations."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import bindparam, select

from helpdesk.auth import lifetime, token_cache
from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import check_password, hash_token
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


# Built once: constructing a statement costs more than SQLite takes to run it (every API call).
_BY_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked.is_(False),
        User.active.is_(True),
    )
)


@login_manager.request_loader
def user_from_token(req) -> User | None:
    """`Authorization: Bearer hd_...` for API integrations; the token itself is never stored."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    digest = hash_token(header[7:].strip())
    database = str(db.engine.url)
    user = token_cache.get(db.session(), database, digest)
    if user is None:
        user = db.session.scalars(_BY_TOKEN, {"digest": digest}).first()
        if user is not None:
            token_cache.remember(database, digest, user)
    return user


def authenticate(login: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(User.login == login)).first()
    if user is None or not user.active or not check_password(user.password_hash, password):
        return None
    return user


def is_token_request() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")
