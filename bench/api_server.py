"""The app as `helpdesk web` serves it (gevent WSGI, Socket.IO bound, message queue on
HELPDESK_REDIS_URL) without access logging, on a port several processes share (SO_REUSEPORT),
for the HTTP benchmarks (bench/_http.py).

Started as `python -m gevent.monkey --module bench.api_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from gevent.pywsgi import WSGIServer

from helpdesk import create_app
from helpdesk.config import load_settings
from helpdesk.extensions import db
from helpdesk.realtime import init_realtime
from helpdesk.runner.checkpoint import move_checkpoints_off_loop
from helpdesk.runner.listener import tcp_listener


def main() -> None:
    port = int(sys.argv[1])
    settings = load_settings()
    app = create_app(settings)
    init_realtime(app, settings.redis_url, async_mode="gevent")
    with app.app_context():
        move_checkpoints_off_loop(db.engine)
    listener = tcp_listener("127.0.0.1", port, reuse_port=True)
    WSGIServer(listener, app, log=None).serve_forever()


if __name__ == "__main__":
    main()
