"""Socket.IO: namespaces by audience, rooms per user, organisation and ticket.

Every web process binds the one `socketio` extension here. With a Redis URL the processes
share one message queue, so an emit from any web process or RQ worker reaches every client.
"""

from __future__ import annotations

from flask import Flask

from helpdesk.extensions import socketio
from helpdesk.realtime.desk import DeskNamespace
from helpdesk.realtime.rooms import DESK


def allowed_origins(host: str, port: int) -> list[str]:
    """The browser origins that may open a socket: the app's own address only."""
    hosts = {host}
    if host in ("127.0.0.1", "localhost", "0.0.0.0", "::1"):
        hosts |= {"127.0.0.1", "localhost"}
    hosts.discard("0.0.0.0")
    return sorted(f"http://{name}:{port}" for name in hosts)


def init_realtime(app: Flask, redis_url: str | None, async_mode: str = "gevent") -> None:
    """Bind Socket.IO to `app`. `gevent` needs the process monkey-patched first (runner.web)."""
    settings = app.extensions["helpdesk.settings"]
    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=redis_url,
        cors_allowed_origins=allowed_origins(settings.host, settings.port),
    )
    if DESK not in socketio.server.namespace_handlers:
        socketio.on_namespace(DeskNamespace(DESK))
