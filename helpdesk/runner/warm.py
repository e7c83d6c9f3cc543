"""Warm restarts: build the app once, fork each RQ worker from it, fork again when one dies.

A worker started from nothing imports and builds the whole app: 2-3 s on a quiet machine and
over 5 s on a busy one, during which due timers wait (issue 16: killed every 5 s, the worker
spent most of each life starting). Forked from a process that has done that already, a new
worker is working within milliseconds. A worker killed by a signal is a crash and is forked
again at once; one that stopped because it was asked to (SIGTERM, SIGINT) ends this process
too. After `max_crashes` in `window` seconds this process gives up with an error, and whoever
supervises it (`helpdesk serve`) takes over with its own back-off and limits.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import deque
from collections.abc import Callable
from types import FrameType

from helpdesk.runner.children import die_with_parent

log = logging.getLogger(__name__)


def keep_forking(
    run: Callable[[], bool],
    *,
    max_crashes: int = 30,
    window: float = 60.0,
    in_child: Callable[[], None] = lambda: None,
) -> bool:
    """Run `run()` in a forked child, again each time that child dies of a signal. True when
    the child ended cleanly on request, False after too many crashes or a failed run."""
    crashes: deque[float] = deque()
    state = {"child": 0, "stopping": False}

    def forward(signum: int, _frame: FrameType | None) -> None:
        state["stopping"] = True
        if state["child"]:
            os.kill(state["child"], signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    me = os.getpid()
    try:
        while True:
            child = os.fork()
            if child == 0:  # pragma: no cover - the worker's own process; measured by its tests
                # Dies with this process, as serve's children die with serve: a worker told
                # to stop gracefully could wait forever for a Redis that died with them. If
                # this process is gone already, exit before taking any job (issue 16).
                die_with_parent(me, signal.SIGKILL)
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
                os.setpgid(0, 0)  # a terminal's Ctrl-C reaches the parent, which passes it on once
                code = 1
                try:
                    in_child()
                    code = 0 if run() else 1
                finally:
                    os._exit(code)
            state["child"] = child
            _, status = os.waitpid(child, 0)
            state["child"] = 0
            if state["stopping"] or not os.WIFSIGNALED(status):
                return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            now = time.monotonic()
            crashes.append(now)
            while crashes and crashes[0] < now - window:
                crashes.popleft()
            killed_by = os.WTERMSIG(status)
            if len(crashes) >= max_crashes:
                log.error("the worker died of signal %d %d times in %.0f s; giving up",
                          killed_by, len(crashes), window)  # fmt: skip
                return False
            log.warning("the worker died of signal %d; forking a new one", killed_by)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
