"""psycopg's waits for PostgreSQL's answers as one gevent watcher each, in a web process.

psycopg sends a query and then waits for the socket through `psycopg.waiting.wait`. In a process
gevent has patched, psycopg cannot use its C wait (it would stop the loop) and falls back to
`wait_poll` over gevent's `select.poll`: a poll object, its watchers and a 0.1 s timeout (to
look for Ctrl-C) made and torn down for every round trip. bench/api_create.py --sample on
PostgreSQL: 24 % of the web process's CPU per ticket was in that wait.

`wait_on_loop` does what gevent's own sockets do: one IO watcher on the connection's socket,
the greenlet parked on the hub until it is ready. Installed by runner/web.py for a PostgreSQL
database; processes that gevent did not patch keep psycopg's C wait.
"""

from __future__ import annotations

from collections.abc import Generator
from time import monotonic
from typing import Any

from sqlalchemy.engine import Engine

from helpdesk.db import unpatched_select


def wait_on_loop(
    gen: Generator[Any, Any, Any], fileno: int, interval: float = 0.0, timeout: float | None = None
) -> Any:
    """psycopg's `WaitFunc`: drive `gen`, parking the greenlet on the hub while it would block.
    `interval` (psycopg's Ctrl-C check) means nothing here: a signal reaches the hub anyway."""
    from gevent.hub import get_hub
    from gevent.timeout import Timeout
    from psycopg import errors

    hub = get_hub()
    deadline = None if timeout is None else monotonic() + timeout
    try:
        wanted = next(gen)
        while True:
            # To send (pipeline mode, helpdesk/pipelined.py, asks after each queued statement,
            # for reading or writing): the socket is nearly always writable, so look first,
            # without a watcher and a trip through the hub. An answer is awaited on the loop.
            ready = _ready_now(fileno, int(wanted)) if wanted & 2 else 0
            if ready:
                wanted = gen.send(ready)
                continue
            watcher = hub.loop.io(fileno, int(wanted))
            try:
                if deadline is None:
                    hub.wait(watcher)
                else:
                    left = max(deadline - monotonic(), 0.0)
                    with Timeout(left, errors._WaitTimeout("wait timeout expired")):
                        hub.wait(watcher)
            finally:
                watcher.close()
            # psycopg's Wait and Ready values are the loop's event masks (read 1, write 2).
            # Waiting for both (a long query still being sent), both are said to be ready:
            # psycopg's step for each is non-blocking, the one not ready does nothing.
            wanted = gen.send(int(wanted))
    except StopIteration as done:
        return done.value


def _ready_now(fileno: int, wanted: int) -> int:
    """What of `wanted` the socket is ready for already (a zero-timeout select of the system's:
    never blocks), as psycopg's Ready mask; 0: nothing, park."""
    readable, writable, _ = unpatched_select()(
        [fileno] if wanted & 1 else [], [fileno] if wanted & 2 else [], [], 0
    )
    return (1 if readable else 0) | (2 if writable else 0)


def cooperative_waits(engine: Engine) -> None:
    """In a process gevent patched, on PostgreSQL through psycopg: wait on the loop."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    from gevent import monkey

    if not monkey.is_module_patched("select"):
        return
    from psycopg import waiting

    waiting.wait = wait_on_loop
