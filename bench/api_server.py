"""The app as `helpdesk web` serves it (`runner.web.web_app`: gevent WSGI, Socket.IO bound,
message queue on HELPDESK_REDIS_URL, the outbox dispatched in the background) without access
logging, on a port several processes share (SO_REUSEPORT), for the HTTP benchmarks
(bench/_http.py).

Started as `python -m gevent.monkey --module bench.api_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from gevent.pywsgi import WSGIServer

from helpdesk.config import load_settings
from helpdesk.runner.listener import tcp_listener
from helpdesk.runner.web import web_app


def main() -> None:
    port = int(sys.argv[1])
    app = web_app(load_settings())
    listener = tcp_listener("127.0.0.1", port, reuse_port=True)
    WSGIServer(listener, app, log=None).serve_forever()


if __name__ == "__main__":
    main()
