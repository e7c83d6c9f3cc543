"""Child processes that cannot outlive their parent, and stopping them politely, then not.

`PR_SET_PDEATHSIG` makes the kernel signal the child when the thread that started it dies, so a
SIGKILLed parent leaves no orphan behind. It applies to processes started from the main thread
(a child started from a worker thread would get the signal when that thread ends).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def set_parent_death_signal(signum: int = signal.SIGTERM) -> None:
    """Ask Linux to send `signum` to this process when its parent dies (no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - not glibc/musl Linux
        return
    libc = ctypes.CDLL(name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:  # pragma: no cover
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _preexec(parent: int, signum: int, own_group: bool) -> Callable[[], None]:
    def run() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # see blocked_signals()
        if own_group:
            # A terminal's Ctrl-C reaches only the supervisor, which then stops children in order.
            os.setpgid(0, 0)
        set_parent_death_signal(signum)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

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
