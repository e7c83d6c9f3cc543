"""The app with Socket.IO on gevent, no access log, for bench/chat_delivery.py.

Started as `python -m gevent.monkey --module bench.chat_server PORT` so gevent patches first.
"""

from __future__ import annotations

import sys

from helpdesk import create_app
from helpdesk.config import load_settings
from helpdesk.extensions import socketio
from helpdesk.realtime import init_realtime


def main() -> None:
    port = int(sys.argv[1])
    settings = load_settings().with_(port=port)
    app = create_app(settings)
    init_realtime(app, settings.redis_url, async_mode="gevent")
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)


if __name__ == "__main__":
    main()
