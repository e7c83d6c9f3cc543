"""`helpdesk web`: one web process, Flask pages and API plus Socket.IO, on gevent.

gevent must patch the standard library before anything else imports it, so the process is
started as `python -m gevent.monkey --module helpdesk.cli web` (patch first, then import the
app); `helpdesk web` typed by hand re-executes itself that way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from helpdesk.config import Settings

PATCHED_ARGV = ["-m", "gevent.monkey", "--module", "helpdesk.cli", "web"]


def web_argv() -> list[str]:
    return [sys.executable, *PATCHED_ARGV]


def is_patched() -> bool:
    from gevent import monkey

    return bool(monkey.is_module_patched("socket"))


def exec_patched() -> None:
    """Replace this process (same pid) by the monkey-patched web process."""
    argv = web_argv()
    os.execv(argv[0], argv)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def web_app(settings: Settings) -> Flask:
    """The app as every web process serves it (helpdesk web, gunicorn's wsgi entry, the HTTP
    benchmarks): Socket.IO bound to the Redis message queue, the outbox dispatched by a
    background greenlet instead of inside requests, queued calls' tickets made after the IVR's
    reply (channels/phone/later.py), SQLite checkpoints and write-lock waits off the loop,
    PostgreSQL's answers awaited as one watcher each (postgresql_waits.py), and
    the search index's word list loaded before the first request needs it."""
    from helpdesk import create_app
    from helpdesk.channels.phone import later
    from helpdesk.extensions import db
    from helpdesk.outbox.dispatcher import start_background
    from helpdesk.realtime import init_realtime
    from helpdesk.runner.checkpoint import move_checkpoints_off_loop
    from helpdesk.runner.postgresql_waits import cooperative_waits
    from helpdesk.runner.sqlite_writes import cooperative_writes
    from helpdesk.search.segment import tokenizer

    app = create_app(settings)
    init_realtime(app, settings.redis_url, async_mode="gevent")
    start_background(app)
    later.start_background(app)
    with app.app_context():
        cooperative_writes(db.engine)  # these two only do something on a SQLite file
        move_checkpoints_off_loop(db.engine)
        cooperative_waits(db.engine)  # and this one on PostgreSQL
    # jieba's dictionary, loaded lazily, cost the first ticket or comment after a start 0.6 s
    # of CPU on the loop (2-10 s on a loaded machine), during which no socket of the process
    # was served: bench/console_fanout.py's p99 was that stall. Loaded here, it is also in the
    # start-up heap the callers freeze.
    tokenizer()
    return app


def run_web() -> None:
    """Serve until SIGINT or SIGTERM. Expects the process to be monkey-patched already."""
    from gevent import pywsgi

    from helpdesk.config import load_settings
    from helpdesk.runner.heap import freeze_startup_heap
    from helpdesk.runner.listener import tcp_listener

    settings = load_settings()
    app = web_app(settings)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # What socketio.run does for gevent, on our own listener (TCP_NODELAY, see listener.py).
    # The Socket.IO middleware already wraps app.wsgi_app, so the plain WSGI server serves both.
    server = pywsgi.WSGIServer(tcp_listener(settings.host, settings.port), app)
    freeze_startup_heap()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
