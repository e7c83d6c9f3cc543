"""`helpdesk web` as bench/phone_queue.py --profile runs it: the same process, answering
bench/probes.py's /_bench/... paths (a CPU sampling profiler) before the app sees them.

    python -m gevent.monkey --module bench.phone_queue_web
"""

from __future__ import annotations

from typing import Any

from helpdesk.runner import web


def main() -> None:
    from bench.probes import with_probes

    built = web.web_app

    def probed(settings: Any) -> Any:
        app = built(settings)
        app.wsgi_app = with_probes(app.wsgi_app)  # type: ignore[method-assign]
        return app

    web.web_app = probed  # type: ignore[assignment]
    web.run_web()


if __name__ == "__main__":
    main()
