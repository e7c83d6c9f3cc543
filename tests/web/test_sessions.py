"""Sessions that end: a copy of the session cookie saved before a logout, a password change, a
disabled account or an administrator's "end sessions" gets nothing afterwards; logins end when
idle and at their absolute lifetime; the CSRF token changes at login."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from helpdesk import clock
from helpdesk.auth import lifetime
from helpdesk.auth.models import User
from helpdesk.auth.passwords import hash_password
from helpdesk.extensions import db
from web.helpers import csrf_token, login, page, password

COOKIE = "session"


def _alone(app: Flask, send: Callable[..., TestResponse], *args: Any, **kw: Any) -> TestResponse:
    """One request in its own app context. The test's context (the `session` fixture's) would
    otherwise be shared by every request, and with it Flask-Login's user cached in `g`."""
    with app.app_context():
        return send(*args, **kw)


def _login(app: Flask, client: FlaskClient, user: User) -> None:
    with app.app_context():
        login(client, user)


def _logout(app: Flask, client: FlaskClient) -> None:
    assert _alone(app, client.post, "/logout").status_code == 302


def _saved_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """Another client holding a copy of the cookie (what an attacker who saved it would send)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief


def _still_in(app: Flask, client: FlaskClient) -> bool:
    pages = _alone(app, client.get, "/tickets").status_code == 200
    api = _alone(app, client.get, "/api/v1/tickets").status_code == 200
    assert pages == api, "the pages and the API disagree about the session"
    return pages


def test_a_cookie_saved_before_logout_gets_nothing_after_it(
    app: Flask, client: FlaskClient, agent: User
) -> None:
    _login(app, client, agent)
    saved = _saved_cookie(client)
    assert _still_in(app, _replay(app, saved))
    _logout(app, client)
    thief = _replay(app, saved)
    assert _alone(app, thief.get, "/tickets").headers["Location"].startswith("/login")
    response = _alone(app, thief.get, "/api/v1/tickets")
    assert response.status_code == 401
    assert response.json is not None and response.json["error"]["code"] == "unauthenticated"


def test_a_logout_ends_that_login_only(app: Flask, client: FlaskClient, agent: User) -> None:
    other_browser = app.test_client()
    _login(app, client, agent)
    _login(app, other_browser, agent)
    _logout(app, client)
    assert not _still_in(app, client)
    assert _still_in(app, other_browser)


def _user(user_id: int) -> User:
    found = db.session.get(User, user_id)
    assert found is not None
    return found


@pytest.mark.parametrize("change", ["password", "disable", "end_sessions"])
def test_password_change_disabling_and_end_sessions_end_every_login(
    app: Flask, client: FlaskClient, agent: User, change: str
) -> None:
    other_browser = app.test_client()
    _login(app, client, agent)
    _login(app, other_browser, agent)
    saved = _saved_cookie(client)
    with app.app_context():
        user = _user(agent.id)
        if change == "password":
            user.password_hash = hash_password("a-new-pass-1")
        elif change == "disable":
            user.active = False
        else:
            lifetime.end_sessions(user)
        db.session.commit()
    assert not _still_in(app, client)
    assert not _still_in(app, other_browser)
    assert not _still_in(app, _replay(app, saved))
    if change == "end_sessions":  # the person may log in again at once
        _login(app, client, agent)
        assert _still_in(app, client)


def test_the_admin_command_ends_sessions(app: Flask, client: FlaskClient, agent: User) -> None:
    from helpdesk.cli import main

    _login(app, client, agent)
    saved = _saved_cookie(client)
    runner = CliRunner()
    settings = app.extensions["helpdesk.settings"]
    env = {
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_INSTANCE_PATH": str(settings.instance_path),
    }
    result = runner.invoke(main, ["user", "end-sessions", agent.login], env=env)
    assert result.exit_code == 0, result.output
    assert agent.login in result.output
    assert not _still_in(app, _replay(app, saved))
    missing = runner.invoke(main, ["user", "end-sessions", "nobody-here"], env=env)
    assert missing.exit_code != 0 and "nobody-here" in missing.output


def test_an_idle_login_ends(app: Flask, client: FlaskClient, agent: User) -> None:
    idle = app.extensions["helpdesk.settings"].session_idle_seconds
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _login(app, client, agent)
    for _ in range(3):  # used just inside the idle limit, three times: still in
        clock.advance(timedelta(seconds=idle - 5))
        assert _still_in(app, client)
    saved = _saved_cookie(client)
    clock.advance(timedelta(seconds=idle))
    assert not _still_in(app, client)
    assert not _still_in(app, _replay(app, saved))


def test_a_login_ends_at_its_lifetime_however_busy(
    app: Flask, client: FlaskClient, agent: User
) -> None:
    settings = app.extensions["helpdesk.settings"]
    step = timedelta(seconds=settings.session_idle_seconds // 2)
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _login(app, client, agent)
    started = clock.now()
    while clock.now() + step < started + timedelta(seconds=settings.session_lifetime_seconds):
        clock.advance(step)
        assert _still_in(app, client)
    clock.advance(step)
    assert not _still_in(app, client)


def test_a_cookie_without_the_login_marks_is_refused(app: Flask, agent: User) -> None:
    """A session signed before this change (only Flask-Login's user id) counts for nothing."""
    old = app.test_client()
    with old.session_transaction() as sess:
        sess["_user_id"] = str(agent.id)
        sess["_fresh"] = True
    assert not _still_in(app, old)


def test_settings_come_from_the_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from helpdesk.config import load_settings

    env = {
        "HELPDESK_INSTANCE_PATH": str(tmp_path),
        "HELPDESK_SESSION_IDLE_MINUTES": "15",
        "HELPDESK_SESSION_HOURS": "8",
    }
    settings = load_settings(env)
    assert (settings.session_idle_seconds, settings.session_lifetime_seconds) == (900, 28800)
    with pytest.raises(ValueError, match="HELPDESK_SESSION_HOURS"):
        load_settings({**env, "HELPDESK_SESSION_HOURS": "0"})


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.usefixtures("csrf_on")
def test_the_csrf_token_changes_at_login(app: Flask, client: FlaskClient, agent: User) -> None:
    with app.app_context():
        before = csrf_token(page(client, "/login"))
    data = {"login": agent.login, "password": password(), "csrf_token": before}
    assert _alone(app, client.post, "/login", data=data).status_code == 302
    with app.app_context():
        after = csrf_token(page(client, "/tickets/new"))
    assert after != before
    # A token planted before login cannot act for the logged-in user.
    assert _alone(app, client.post, "/logout", data={"csrf_token": before}).status_code == 400
    assert _still_in(app, client)
    assert _alone(app, client.post, "/logout", data={"csrf_token": after}).status_code == 302
