"""`helpdesk web` as bench/phone_queue.py runs it: the same process, answering
/_bench/timeline before the app sees it: when (time.time(), this process) each queued call
was committed, by call record id (the moment "the IVR queues the call" that issue 12's
target counts from). With BENCH_PROFILE=1 also bench/probes.py's /_bench/... paths (a CPU
sampling profiler) and, in the timeline, when each IVR request arrived, committed and left,
and when the offer sender read and emitted each listing.

    python -m gevent.monkey --module bench.phone_queue_web
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from helpdesk.runner import web

timeline: list[tuple[float, str, int]] = []  # (when, what, how many calls or 0)


def _timed(what: str, function: Callable[..., Any], size: Callable[[Any], int]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        timeline.append((time.time(), what, size(result)))
        return result

    return wrapper


def _mark_queued() -> None:
    """later.submit runs right after the commit that put a call in the queue."""
    from helpdesk.channels.phone import later

    submit = later.submit

    def submitted(call_record_id: int) -> None:
        timeline.append((time.time(), "queued", call_record_id))
        submit(call_record_id)

    later.submit = submitted  # type: ignore[assignment]


def _instrument() -> None:
    from helpdesk.channels.phone import queue, service, sockets

    service.commit_keeping = _timed("commit", service.commit_keeping, lambda r: 0)
    queue.available_consoles = _timed("presence", queue.available_consoles, len)
    queue.offers = _timed("listing", queue.offers, len)

    broadcast = sockets.broadcast_queue

    def broadcast_queue(listing: dict[str, Any], *args: Any) -> None:
        broadcast(listing, *args)
        timeline.append((time.time(), "emitted", len(listing["calls"])))

    sockets.broadcast_queue = broadcast_queue  # type: ignore[assignment]


def with_timeline(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_bench/timeline":
            body = json.dumps(timeline).encode()
            timeline.clear()
            start_response("200 OK", [("Content-Length", str(len(body)))])
            return [body]
        if not path.startswith("/ivr/"):
            return app(environ, start_response)
        timeline.append((time.time(), "request", 0))
        try:
            return list(app(environ, start_response))
        finally:
            timeline.append((time.time(), "reply", 0))

    return wsgi


def timeline_only(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Only /_bench/timeline; every other request goes to the app as `helpdesk web` serves it."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != "/_bench/timeline":
            return app(environ, start_response)
        body = json.dumps(timeline).encode()
        timeline.clear()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    return wsgi


def main() -> None:
    built = web.web_app

    def probed(settings: Any) -> Any:
        app = built(settings)
        _mark_queued()
        if not os.environ.get("BENCH_PROFILE"):
            app.wsgi_app = timeline_only(app.wsgi_app)  # type: ignore[method-assign]
            return app
        from bench.probes import with_probes

        _instrument()
        app.wsgi_app = with_timeline(with_probes(app.wsgi_app))  # type: ignore[method-assign]
        return app

    web.web_app = probed  # type: ignore[assignment]
    web.run_web()


if __name__ == "__main__":
    main()
