"""A real web process for socket tests: `helpdesk web` (gevent, Socket.IO, the Redis message
queue on the embedded redis-server) on the test database, and real python-socketio clients."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from helpdesk.config import Settings
from helpdesk.runner.embedded_redis import embedded_redis

DESK = "/desk"
PASSWORD = "secret-pass"  # tests/conftest.py's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Web:
    base: str
    redis_url: str
    env: dict[str, str]
    log: Path
    pid: int = 0


@pytest.fixture(scope="session")
def rt_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_redis(tmp_path_factory.mktemp("rt-redis")) as url:
        yield url


@contextmanager
def run_web(settings: Settings, redis_url: str, log: Path) -> Iterator[Web]:
    """`helpdesk web` in a subprocess on the session's (migrated) database and `redis_url`;
    several may run at once (each on its own port), sharing Socket.IO through that Redis."""
    port = free_port()
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=settings.database_url,
        HELPDESK_REDIS_URL=redis_url,
        HELPDESK_INSTANCE_PATH=str(settings.instance_path),
        HELPDESK_HOST="127.0.0.1",
        HELPDESK_PORT=str(port),
        HELPDESK_CHAT_HOURS="always",  # chat tests run at any hour
        HELPDESK_PHONE_HOURS="always",  # and so do the phone queue's
        HELPDESK_CHAT_RATE="600/300/100",  # many starts from 127.0.0.1 in one minute
        PYTHONUNBUFFERED="1",
    )
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gevent.monkey", "--module", "helpdesk.cli", "web"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"web exited: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/login", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        process.kill()
        raise AssertionError("web did not start")
    try:
        yield Web(base, redis_url, env, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def web(
    app: Any, settings: Settings, rt_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Web]:
    """`helpdesk web` in a subprocess, on the session's (migrated) database."""
    with run_web(settings, rt_redis, tmp_path_factory.mktemp("web") / "web.log") as running:
        yield running


@pytest.fixture
def fresh_presence(web: Web) -> Iterator[None]:
    """User ids come back after the database is emptied: forget earlier tests' presence and
    socket registrations in the shared Redis."""
    from redis import Redis

    from helpdesk.realtime.store import PRESENCE_USERS

    redis = Redis.from_url(web.redis_url)
    redis.delete(
        PRESENCE_USERS, *redis.keys("helpdesk:rt:presence:*"), *redis.keys("helpdesk:rt:sockets:*")
    )
    yield
    redis.close()


def login(base: str, login_name: str, password: str = PASSWORD) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {
        "login": login_name,
        "password": password,
        "csrf_token": token.group(1) if token else "",
    }
    response = http.post(f"{base}/login", data=data, allow_redirects=False, timeout=5)
    assert response.status_code in (302, 303), response.text[:300]
    return http


def csrf_of(http: requests.Session, base: str) -> str:
    page = http.get(f"{base}/tickets/new", timeout=5).text
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def logout(http: requests.Session, base: str) -> None:
    token = csrf_of(http, base)
    response = http.post(f"{base}/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code in (302, 303)


@dataclass
class Listener:
    """A real Socket.IO client on /desk recording every event with its arrival time."""

    client: socketio.Client
    events: list[tuple[float, str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def named(self, name: str) -> list[Any]:
        with self.lock:
            return [data for _, n, data in self.events if n == name]

    def wait_for(self, check: Callable[[], Any], timeout: float = 3.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.02)
        return None

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def listen(base: str, http: requests.Session | None) -> Listener:
    client = socketio.Client(http_session=http, reconnection=False)
    listener = Listener(client)

    def record(event: str, *args: Any) -> None:
        with listener.lock:
            listener.events.append((time.monotonic(), event, args[0] if args else None))

    client.on("*", record, namespace=DESK)
    client.connect(base, namespaces=[DESK], transports=["websocket"], wait_timeout=10)
    listener.wait_for(lambda: listener.named("ready"))
    return listener
