"""The app as a web process serves it (`runner.web.web_app`), no access log, for
bench/chat_delivery.py.

Started as `python -m gevent.monkey --module bench.chat_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from gevent.pywsgi import WSGIServer

from helpdesk.config import load_settings
from helpdesk.runner.listener import tcp_listener
from helpdesk.runner.web import web_app


def main() -> None:
    port = int(sys.argv[1])
    settings = load_settings().with_(port=port)
    app = web_app(settings)
    WSGIServer(tcp_listener("127.0.0.1", port), app, log=None).serve_forever()


if __name__ == "__main__":
    main()
