"""Browser logins that end, for every copy of the session cookie and not only the browser's.

The session cookie is signed, not stored: a copy saved before a logout would otherwise keep
working. So each login's session carries what the server checks on every request and every
socket connect (Flask-Login's user loader):

- the user's session generation at login: bumped on a password change, when the account is
  disabled, and by an administrator's "end sessions", it ends every login of the person;
- the login's random key (helpdesk.realtime.revoke's): a logout records it as ended, so that
  login ends everywhere while the person's other browsers stay logged in;
- when it began and when it was last used: the absolute lifetime and the idle timeout
  (HELPDESK_SESSION_HOURS, HELPDESK_SESSION_IDLE_MINUTES).

At login the CSRF token is replaced, so a token seen before login is worthless after it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import user_logged_in
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth import keystore, token_cache
from helpdesk.auth.models import ApiToken, User
from helpdesk.realtime.revoke import LOGIN_KEY

log = logging.getLogger(__name__)

GENERATION = "auth_gen"
STARTED = "auth_at"
SEEN = "auth_seen"
CSRF_FIELD = "csrf_token"  # Flask-WTF's session key for the raw token
SEEN_PRECISION = 60  # refresh "last used" at most once a minute: not a new cookie per request


def _limits() -> tuple[int, int]:
    settings = current_app.extensions["helpdesk.settings"]
    return settings.session_idle_seconds, settings.session_lifetime_seconds


def _ended_key(login_key: str) -> str:
    return f"ended-login:{login_key}"


def _now() -> int:
    return int(clock.now().timestamp())


def _on_login(sender: Flask, user: User, **extra: Any) -> None:
    session.pop(CSRF_FIELD, None)  # a fresh token at the next form
    g.pop(CSRF_FIELD, None)  # Flask-WTF's copy of the old one, signed, for this request
    now = _now()
    session[GENERATION] = user.session_generation
    session[STARTED] = now
    session[SEEN] = now


def keep_this_login(user: User) -> None:
    """After the person changed their own password: their other logins end (the generation
    was bumped), this browser's stays in."""
    session[GENERATION] = user.session_generation


def end_this_login() -> None:
    """Logout: this login ends wherever its cookie is replayed (called before logout_user, whose
    signal makes helpdesk.realtime.revoke forget the login key)."""
    login_key = session.get(LOGIN_KEY)
    if login_key:
        _idle, lifetime = _limits()
        keystore.put(_ended_key(str(login_key)), "1", lifetime)
    for name in (GENERATION, STARTED, SEEN, CSRF_FIELD):
        session.pop(name, None)


def still_valid(user: User) -> bool:
    """Whether this request's session still stands for `user`; refreshes its "last used"."""
    generation, started, seen = session.get(GENERATION), session.get(STARTED), session.get(SEEN)
    login_key = session.get(LOGIN_KEY)
    if not isinstance(started, int) or not isinstance(seen, int) or not login_key:
        return False  # a cookie from before sessions ended, or forged without the secret
    idle, lifetime = _limits()
    now = _now()
    why = None
    if generation != user.session_generation:
        why = "sessions ended"
    elif now - started >= lifetime:
        why = "lifetime over"
    elif now - seen >= idle:
        why = "idle"
    elif keystore.get(_ended_key(str(login_key))) is not None:
        why = "logged out"
    if why is not None:
        log.info("session of user %s refused: %s", user.id, why)
        return False
    if now - seen >= SEEN_PRECISION:
        session[SEEN] = now
    return True


def end_sessions(user: User) -> None:
    """End every browser login of `user` (committed by the caller; sockets end after it)."""
    user.session_generation = (user.session_generation or 0) + 1


@event.listens_for(Session, "before_flush")
def _password_or_disable_ends_sessions(session_: Session, _context: object, _objs: object) -> None:
    """A new password or a disabled account ends every login, whichever code made the change.
    Any change to a person or a token also forgets the bearer tokens this process remembers
    (helpdesk.auth.token_cache): a revoked token or a disabled user is refused at once here."""
    changed = (*session_.new, *session_.dirty, *session_.deleted)
    if any(isinstance(obj, User | ApiToken) for obj in changed):
        token_cache.forget_all()
    for obj in session_.dirty:
        if not isinstance(obj, User):
            continue
        state = inspect(obj)
        new_password = state.attrs.password_hash.history.has_changes()
        disabled = state.attrs.active.history.has_changes() and not obj.active
        if (new_password or disabled) and not state.attrs.session_generation.history.has_changes():
            end_sessions(obj)


def init_signals() -> None:
    user_logged_in.connect(_on_login, weak=False)
