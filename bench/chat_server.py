"""The app with Socket.IO on gevent, no access log, for bench/chat_delivery.py.

Started as `python -m gevent.monkey --module bench.chat_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from gevent.pywsgi import WSGIServer

from helpdesk import create_app
from helpdesk.config import load_settings
from helpdesk.realtime import init_realtime
from helpdesk.runner.listener import tcp_listener


def main() -> None:
    port = int(sys.argv[1])
    settings = load_settings().with_(port=port)
    app = create_app(settings)
    init_realtime(app, settings.redis_url, async_mode="gevent")
    WSGIServer(tcp_listener("127.0.0.1", port), app, log=None).serve_forever()


if __name__ == "__main__":
    main()
