"""A real Socket.IO server in a thread (threading mode, websockets through simple-websocket),
people to chat with, and a clock inside working hours."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind

WORKING_MOMENT = datetime(2026, 11, 25, 10, 0, tzinfo=clock.HANGZHOU)  # a Wednesday, 10:00
PASSWORD = "secret-pass"


@pytest.fixture
def working_hours() -> Iterator[None]:
    clock.freeze(WORKING_MOMENT)
    yield
    clock.unfreeze()


@pytest.fixture
def chat_server(app: Flask, working_hours: None) -> Iterator[str]:
    """The app with Socket.IO on a free port; the chat's socket counters start empty."""
    from helpdesk.extensions import socketio
    from helpdesk.portal.limiter import limiter
    from helpdesk.realtime import init_realtime
    from helpdesk.realtime.store import MemoryStore, store_for

    app.config["WTF_CSRF_ENABLED"] = True
    init_realtime(app, None, async_mode="threading")
    namespace = app.extensions["helpdesk.chat.namespace"]
    namespace.limits = None
    # Earlier tests may have pointed the app at a Redis, where counters outlive this process.
    with app.app_context():
        namespace._limits().reset()
    # Each test starts several chats from 127.0.0.1; the flood test sets its own tight limits.
    from dataclasses import replace

    from helpdesk.channels.chat.config import KEY

    default_limits = app.extensions[KEY]
    app.extensions[KEY] = replace(default_limits, starts_per_minute=100)
    namespace.visitors.clear()
    namespace.agent_sids.clear()
    memory = store_for(None)  # presence without a Redis: no agent on line from an earlier test
    assert isinstance(memory, MemoryStore)
    memory.clear()
    limiter.reset()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        socketio.server = None
        app.config["WTF_CSRF_ENABLED"] = False
        app.extensions[KEY] = default_limits


@pytest.fixture
def centre(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")


@pytest.fixture
def agent(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.AGENT, centre, name="李娜", login="lina")


def logged_in(base: str, login: str, password: str = PASSWORD) -> requests.Session:
    """A requests session holding a real login cookie (the form's CSRF token included)."""
    import re

    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"login": login, "password": password, "csrf_token": token.group(1) if token else ""}
    response = http.post(f"{base}/login", data=data, allow_redirects=False)
    assert response.status_code in (302, 303), response.text[:300]
    return http
