"""`helpdesk serve`: the whole system in one command, and nothing left running afterwards.

Order of life: embedded Redis (unless HELPDESK_REDIS_URL) → database (on the embedded default:
migrate, reference data, demo on first run) → children (web, worker) → watch. Ctrl-C or SIGTERM
stops the children, then Redis, and exits 0. A child that dies on its own (the embedded Redis
too, on its port, empty: the worker then restores the timers) is started again after a pause
that grows with each crash; one that crashes too often stops the rest and exits 1
(runner.supervision). Children run in their own process groups, so a terminal's Ctrl-C reaches
only this supervisor, which stops them in order; the kernel kills them if it is killed.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType

import click

from helpdesk.config import Settings
from helpdesk.runner.children import spawn
from helpdesk.runner.embedded_redis import EmbeddedRedisError, embedded_redis_server
from helpdesk.runner.supervision import Child, GaveUp, Supervisor
from helpdesk.runner.web import web_argv
from helpdesk.settings import environ

START_TIMEOUT = 90.0


class Stop(Exception):
    """Raised by the SIGINT/SIGTERM handler to unwind everything in order."""


class _Signals:
    """First SIGINT/SIGTERM raises Stop; later ones are ignored while we shut down."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.previous: dict[int, object] = {}

    def __enter__(self) -> _Signals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
            raise Stop

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def run_serve(settings: Settings, *, default_database: bool) -> int:
    """Run until stopped; returns the exit code."""
    with _Signals():
        try:
            return _serve(settings, default_database)
        except Stop:
            click.echo("helpdesk serve: stopped")
            return 0
        except EmbeddedRedisError as exc:
            click.echo(f"helpdesk serve: {exc}", err=True)
            return 2


def _serve(settings: Settings, default_database: bool) -> int:
    if not _port_free(settings.host, settings.port):
        click.echo(
            f"helpdesk serve: {settings.host}:{settings.port} is in use; "
            "stop what listens there or set HELPDESK_PORT",
            err=True,
        )
        return 2
    with ExitStack() as stack:
        supervisor = Supervisor()
        if settings.redis_url is None:
            server = stack.enter_context(embedded_redis_server(settings.instance_path))
            redis_url = server.url
            click.echo(f"helpdesk serve: embedded Redis at {redis_url}")
            redis_child = Child("redis", server.relaunch, stopped_by_supervisor=False)
            redis_child.process = server.process
            supervisor.add(redis_child, start=False)
        else:
            redis_url = settings.redis_url
        demo = _prepare_database(settings, default_database)
        if demo is None:
            return 2

        env = dict(
            environ(),
            HELPDESK_REDIS_URL=redis_url,
            HELPDESK_INSTANCE_PATH=str(settings.instance_path),
            PYTHONUNBUFFERED="1",
        )
        stack.callback(supervisor.stop_all)
        for name, argv in (
            ("web", web_argv()),
            ("worker", [sys.executable, "-m", "helpdesk.cli", "worker"]),
        ):
            supervisor.add(Child(name, _launcher(argv, env)))

        failure = _wait_listening(settings, supervisor)
        if failure is None:
            _banner(settings, demo)
            try:
                supervisor.watch()
            except GaveUp as exc:
                failure = str(exc)
        click.echo(f"helpdesk serve: {failure}; stopping the rest", err=True)
        return 1
    raise AssertionError("unreachable")  # pragma: no cover


def _launcher(argv: list[str], env: dict[str, str]) -> Callable[[], subprocess.Popen[bytes]]:
    return lambda: spawn(argv, env=env, death_signal=signal.SIGKILL)


def _prepare_database(settings: Settings, default_database: bool) -> bool | None:
    """On the embedded default, migrate and seed the demo once. Returns whether the demo data
    is there (True/False), or None when the database is behind and we must not start."""
    from helpdesk import create_app, schema
    from helpdesk.extensions import db

    if not default_database:
        try:
            schema.ensure_current(settings.database_url)
        except schema.SchemaBehind as exc:
            click.echo(f"helpdesk serve: {exc}", err=True)
            return None
        return False

    schema.upgrade(settings.database_url)
    app = create_app(settings)
    with app.app_context():
        from helpdesk.demo import seed_demo
        from helpdesk.directory.reference import ensure_reference_data

        ensure_reference_data(db.session())
        db.session.commit()
        if seed_demo(db.session()):
            click.echo("helpdesk serve: first run, demo data loaded")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return True


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_listening(settings: Settings, supervisor: Supervisor) -> str | None:
    """Wait until the web port accepts connections; otherwise say what went wrong."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if (dead := supervisor.first_dead()) is not None:
            code = dead.process.returncode if dead.process is not None else None
            return f"the {dead.name} process exited while starting (code {code})"
        try:
            with socket.create_connection((host, settings.port), timeout=0.5):
                return None
        except OSError:
            time.sleep(0.1)
    return f"the web process was not listening after {START_TIMEOUT:.0f} s"


def _banner(settings: Settings, demo: bool) -> None:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    lines = ["", f"  helpdesk is running at http://{host}:{settings.port}/  (Ctrl-C stops it)"]
    if demo:
        from helpdesk.demo import DEMO_PASSWORD, DEMO_USERS

        lines.append(f"  demo logins, password {DEMO_PASSWORD} for each:")
        for login, name, role, _org, note in DEMO_USERS:
            lines.append(f"    {login:<12} {role.value:<10} {name}, {note}")
    click.echo("\n".join([*lines, ""]))
