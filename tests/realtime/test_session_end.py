"""Ended logins against a real `helpdesk web` (gevent, the embedded Redis): a copy of the
session cookie saved before a logout, or before an administrator ended the person's sessions,
opens neither the pages, the API nor the desk socket."""

from __future__ import annotations

import time

import pytest
import requests
import socketio

from helpdesk import create_app
from helpdesk.auth import lifetime
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import OrgKind
from helpdesk.extensions import db
from realtime.live import Web, listen, login, logout

pytestmark = pytest.mark.slow


@pytest.fixture
def agent(make_org, make_user) -> User:
    return make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE, slug="centre"))


def _copy(http: requests.Session) -> requests.Session:
    thief = requests.Session()
    thief.cookies.update(http.cookies)
    return thief


def _refused_everywhere(web: Web, thief: requests.Session) -> None:
    page = thief.get(f"{web.base}/tickets", allow_redirects=False, timeout=5)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get(f"{web.base}/api/v1/tickets", timeout=5).status_code == 401
    with pytest.raises(socketio.exceptions.ConnectionError):
        listen(web.base, thief)


def test_a_cookie_saved_before_logout_opens_nothing(web: Web, agent: User) -> None:
    http = login(web.base, agent.login)
    thief = _copy(http)
    assert thief.get(f"{web.base}/api/v1/tickets", timeout=5).status_code == 200
    logout(http, web.base)
    _refused_everywhere(web, thief)


def test_end_sessions_closes_live_sockets_and_refuses_the_cookie(
    web: Web, agent: User, settings
) -> None:
    http = login(web.base, agent.login)
    listener = listen(web.base, http)
    try:
        other = create_app(settings.with_(redis_url=web.redis_url))  # the admin's process
        with other.app_context():
            user = db.session.get(User, agent.id)
            assert user is not None
            lifetime.end_sessions(user)
            started = time.monotonic()
            db.session.commit()
            db.session.remove()
        assert listener.wait_for(lambda: not listener.client.connected, 1.0)
        assert time.monotonic() - started < 1.0
    finally:
        listener.close()
    _refused_everywhere(web, http)
