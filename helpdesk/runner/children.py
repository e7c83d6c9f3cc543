"""Child processes that cannot outlive their parent, and stopping them politely, then not.

`PR_SET_PDEATHSIG` makes the kernel signal the child when the thread that started it dies, so a
SIGKILLed parent leaves no orphan behind. It applies to processes started from the main thread
(a child started from a worker thread would get the signal when that thread ends).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.connection import AbstractConnection

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
ORPHANED = 3  # the exit code of a child whose parent was gone before it could watch for that


def set_parent_death_signal(signum: int = signal.SIGTERM) -> None:
    """Ask Linux to send `signum` to this process when its parent dies (no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - not glibc/musl Linux
        return
    libc = ctypes.CDLL(name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:  # pragma: no cover
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def die_with_parent(parent: int, signum: int = signal.SIGTERM) -> None:
    """First thing in a just-forked child: `signum` when `parent` (its pid, recorded before the
    fork) dies, and exit at once if it has died already. prctl only watches from now on, so a
    parent killed between fork and prctl would otherwise leave this child running for good."""
    set_parent_death_signal(signum)
    if os.getppid() != parent:  # reparented: the parent died before prctl took effect
        os._exit(ORPHANED)


def open_redis_connections() -> list[AbstractConnection]:
    """Every open Redis connection this process holds: in pools, PubSub objects, clients.
    A scan of all objects: about 0.1 s in a built app, so done once or off the hot path."""
    from redis.connection import AbstractConnection

    return [
        thing
        for thing in gc.get_objects()
        if isinstance(thing, AbstractConnection) and getattr(thing, "_sock", None) is not None
    ]


def forget_inherited_redis(connections: Iterable[AbstractConnection] | None = None) -> int:
    """In a forked child, close the Redis sockets inherited from the parent (`connections`, or
    all found); returns how many.

    redis-py only drops a pool's connections when the pool is next used in the child, and
    leaves their sockets open. An open copy keeps the parent's connection alive on the server
    after the parent dies: a BLPOP the parent was blocked in stays registered and takes the
    next job, which nobody reads (issue 16). Closing our copy leaves the parent's socket
    working (redis-py shuts a socket down only in the process that made it).
    """
    me = os.getpid()
    closed = 0
    for connection in open_redis_connections() if connections is None else connections:
        if connection._sock is not None and connection.pid != me:
            connection.disconnect()
            closed += 1
    return closed


def _preexec(parent: int, signum: int, own_group: bool) -> Callable[[], None]:
    def run() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # see blocked_signals()
        if own_group:
            # A terminal's Ctrl-C reaches only the supervisor, which then stops children in order.
            os.setpgid(0, 0)
        die_with_parent(parent, signum)

    return run


@contextmanager
def blocked_signals() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while a child is started and recorded, so a Ctrl-C that lands in
    between cannot lose track of it. Signals that arrive meanwhile are delivered afterwards."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    death_signal: int = signal.SIGTERM,
    own_group: bool = True,
    stdout: int | None = None,
    stderr: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start a child that dies with us, in its own process group unless `own_group` is off."""
    return subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        preexec_fn=_preexec(os.getpid(), death_signal, own_group),
        close_fds=True,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit code."""
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGTERM)
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def pid_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie has finished: it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
