"""The app on gevent's WSGI server without access logging, for bench/api_create.py.

Started as `python -m gevent.monkey --module bench.api_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from gevent.pywsgi import WSGIServer

from helpdesk import create_app
from helpdesk.runner.listener import tcp_listener


def main() -> None:
    port = int(sys.argv[1])
    app = create_app()
    listener = tcp_listener("127.0.0.1", port, reuse_port=True)
    WSGIServer(listener, app, log=None).serve_forever()


if __name__ == "__main__":
    main()
