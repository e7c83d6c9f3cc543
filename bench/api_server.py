"""The app as `helpdesk web` serves it (`runner.web.web_app`: gevent WSGI, Socket.IO bound,
message queue on HELPDESK_REDIS_URL, the outbox dispatched in the background) without access
logging, on a port several processes share (SO_REUSEPORT), for the HTTP benchmarks
(bench/_http.py).

Started as `python -m gevent.monkey --module bench.api_server PORT` so gevent patches first.

With BENCH_PROBES=1 it also answers /_bench/... (bench/probes.py): SQL statements counted
(in requests and in the background dispatcher apart) and a cProfile of the server's CPU,
started and stopped by the benchmark around its measured part. The counting costs CPU, so
runs that report CPU per ticket leave it off.

The server's clock runs from a Tuesday 10:00 in Hangzhou (WORKING_HOURS), whatever the hour
of the run: the routing rules take another path after hours (the on-duty queue, no load
figures read), so a benchmark run in the evening would measure something else.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from gevent.pywsgi import WSGIServer

from helpdesk import clock
from helpdesk.config import load_settings
from helpdesk.runner.listener import tcp_listener
from helpdesk.runner.web import web_app

WORKING_HOURS = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


def run_clock_in_working_hours() -> None:
    """helpdesk.clock.now() moves with real time from WORKING_HOURS."""
    offset = WORKING_HOURS - datetime.now(UTC)
    clock.now = lambda: datetime.now(UTC) + offset


def main() -> None:
    port = int(sys.argv[1])
    run_clock_in_working_hours()
    app = web_app(load_settings())
    wsgi = app
    if os.environ.get("BENCH_PROBES"):
        from bench.probes import with_probes

        wsgi = with_probes(app)
    listener = tcp_listener("127.0.0.1", port, reuse_port=True)
    WSGIServer(listener, wsgi, log=None).serve_forever()


if __name__ == "__main__":
    main()
