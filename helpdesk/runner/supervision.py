"""Keeping `helpdesk serve`'s children up: a child that dies is started again after a pause
that doubles with each crash, and only a child that keeps crashing stops everything.

A crash is counted in a sliding window: `max_crashes` of them within `window` seconds means the
child cannot run (a broken configuration, a port taken, a database gone), and restarting it
forever would only hide that. A child that crashed once in a while is simply restarted.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import click

from helpdesk.runner.children import blocked_signals

STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RestartPolicy:
    max_crashes: int = 5  # this many crashes of one child within `window` seconds: give up
    window: float = 60.0
    first_delay: float = 0.5  # pause before the first restart, doubled for each further crash
    max_delay: float = 8.0


@dataclass
class Child:
    """One supervised process. `launch` starts it (and may wait until it is ready)."""

    name: str
    launch: Callable[[], subprocess.Popen[bytes]]
    stopped_by_supervisor: bool = True  # False: its owner stops it (the embedded Redis)
    process: subprocess.Popen[bytes] | None = None
    crashes: deque[float] = field(default_factory=deque)
    restart_at: float | None = None

    def start(self) -> None:
        with blocked_signals():  # a Ctrl-C in between must not lose track of the process
            self.process = self.launch()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class GaveUp(Exception):
    """A child crashed too often; the message says which and how often."""


class Supervisor:
    def __init__(
        self,
        policy: RestartPolicy | None = None,
        echo: Callable[[str], None] = lambda line: click.echo(line, err=True),
        on_restart: Callable[[Child], None] | None = None,
    ) -> None:
        self.policy = policy or RestartPolicy()
        self.echo = echo
        self.on_restart = on_restart
        self.children: list[Child] = []

    def add(self, child: Child, *, start: bool = True) -> Child:
        if start:
            child.start()
        self.children.append(child)
        return child

    def first_dead(self) -> Child | None:
        return next((c for c in self.children if not c.running()), None)

    def watch(self, poll: float = 0.2) -> None:
        """Restart children that die until one crashes too often (raises GaveUp)."""
        while True:
            self.tend()
            time.sleep(poll)

    def tend(self) -> None:
        """One look at every child: note new crashes, restart those whose pause is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restart_at = None
                    self._restart(child)
            elif not child.running():
                self._crashed(child, now)

    def _crashed(self, child: Child, now: float) -> None:
        code = child.process.returncode if child.process is not None else None
        crashes = child.crashes
        crashes.append(now)
        while crashes and crashes[0] < now - self.policy.window:
            crashes.popleft()
        if len(crashes) >= self.policy.max_crashes:
            raise GaveUp(
                f"the {child.name} process exited unexpectedly (code {code}) "
                f"{len(crashes)} times in {self.policy.window:.0f} s"
            )
        delay = min(self.policy.first_delay * 2 ** (len(crashes) - 1), self.policy.max_delay)
        self.echo(
            f"helpdesk serve: the {child.name} process exited unexpectedly (code {code}); "
            f"restarting it in {delay:g} s (crash {len(crashes)} of {self.policy.max_crashes} "
            f"allowed in {self.policy.window:.0f} s)"
        )
        child.restart_at = now + delay

    def _restart(self, child: Child) -> None:
        try:
            child.start()
        except Exception as exc:  # counted as one more crash at the next look
            self.echo(f"helpdesk serve: the {child.name} process did not start again: {exc}")
            return
        pid = child.process.pid if child.process is not None else "?"
        self.echo(f"helpdesk serve: the {child.name} process restarted (pid {pid})")
        if self.on_restart is not None:
            self.on_restart(child)

    def stop_all(self) -> None:
        """SIGTERM to all at once, then wait; SIGKILL whatever is still there."""
        mine = [c for c in self.children if c.stopped_by_supervisor and c.process is not None]
        for child in mine:
            if child.running():
                child.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in mine:
            assert child.process is not None
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.echo(f"helpdesk serve: {child.name} did not stop in time; killing it")
                child.process.kill()
                child.process.wait()
