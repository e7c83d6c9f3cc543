"""The app on gevent's WSGI server without access logging, for bench/api_create.py.

Started as `python -m gevent.monkey --module bench.api_server PORT` so gevent patches first.
"""

from __future__ import annotations

import socket
import sys

from gevent.pywsgi import WSGIServer

from helpdesk import create_app


def main() -> None:
    port = int(sys.argv[1])
    app = create_app()
    # SO_REUSEPORT lets several of these processes share the port; the kernel spreads clients.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    WSGIServer(listener, app, log=None).serve_forever()


if __name__ == "__main__":
    main()
