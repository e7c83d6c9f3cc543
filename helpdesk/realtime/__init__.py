"""Socket.IO: namespaces by audience, rooms per user, organisation and ticket.

Every web process binds the one `socketio` extension here. With a Redis URL the processes
share one message queue, so an emit from any web process or RQ worker reaches every client.

- `init_app(app)` (from create_app, every process): logins/logouts and rights changes end
  sockets (`revoke`). Ticket changes reach the rooms through the outbox dispatcher
  (`helpdesk.outbox`), which calls `fanout`.
- `init_realtime(app, redis_url, async_mode)` (web processes only): serve Socket.IO.

Stable helpers for other packages: `helpdesk.realtime.emit` (emit to a user's, organisation's,
ticket's or the supervisors' room from any process), `helpdesk.realtime.access` (authorise a
staff socket, check a room), `helpdesk.realtime.presence` (who is available, busy, away; the
phone and chat channels report calls and chat load to it), `helpdesk.realtime.origins`
(`allow_origins`: other sites a namespace serves), `helpdesk.realtime.rooms` (names). See docs
in each module.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from helpdesk.extensions import socketio
from helpdesk.realtime.rooms import DESK
from helpdesk.settings import settings

_connected = False
AFTER_CALL_SECONDS = "helpdesk.after_call_seconds"


def after_call_seconds(env: Mapping[str, str] | None = None) -> int:
    """HELPDESK_AFTER_CALL_SECONDS: how long after-call work lasts before the agent is
    available again (default 120; 0: until they choose)."""
    return settings(env).after_call_seconds


def allowed_origins(host: str, port: int) -> list[str]:
    """The browser origins that may open a socket: the app's own address only."""
    hosts = {host}
    if host in ("127.0.0.1", "localhost", "0.0.0.0", "::1"):
        hosts |= {"127.0.0.1", "localhost"}
    hosts.discard("0.0.0.0")
    return sorted(f"http://{name}:{port}" for name in hosts)


def init_app(app: Flask) -> None:
    """Connect the revocation hooks (once per process)."""
    global _connected
    if _connected:
        return
    from helpdesk.realtime import revoke

    revoke.init_signals()
    _connected = True


def init_realtime(
    app: Flask,
    redis_url: str | None,
    async_mode: str = "gevent",
    cors_allowed_origins: list[str] | str | None = None,
) -> None:
    """Bind Socket.IO to `app`. `gevent` needs the process monkey-patched first (runner.web).

    `cors_allowed_origins`: the app's own addresses (default: its host and port); a namespace
    that serves other sites too registers them with `origins.allow_origins`."""
    from helpdesk.realtime import origins
    from helpdesk.realtime.desk import DeskNamespace

    settings = app.extensions["helpdesk.settings"]
    init_app(app)
    app.extensions[AFTER_CALL_SECONDS] = after_call_seconds()
    base = cors_allowed_origins or allowed_origins(settings.host, settings.port)
    origins.set_base(app, [base] if isinstance(base, str) else base)
    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=redis_url,
        cors_allowed_origins=origins.engine_check(app),
    )
    if DESK not in socketio.server.namespace_handlers:
        socketio.on_namespace(DeskNamespace(DESK))
    if redis_url and redis_url not in _kept_alive:
        _kept_alive.add(redis_url)
        socketio.start_background_task(_keep_alive, app)


_kept_alive: set[str] = set()


def _keep_alive(app: Flask) -> None:
    """This web process's heartbeat, and the reaping of dead ones' sockets (presence)."""
    import logging

    from helpdesk.channels.phone import wrap_up
    from helpdesk.realtime import presence
    from helpdesk.realtime.store import PROCESS_TTL

    while True:
        try:
            with app.app_context():
                presence.keep_alive()
                wrap_up.timed_out(app.extensions[AFTER_CALL_SECONDS])
        except Exception:
            logging.getLogger(__name__).exception("presence heartbeat failed; retrying")
        socketio.sleep(PROCESS_TTL / 3)
