"""Web processes for the HTTP benchmarks: the app as `helpdesk serve` runs it (gevent, Socket.IO
on the embedded Redis), N processes sharing one port, and their CPU."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from helpdesk.runner.embedded_redis import embedded_redis, free_port

# On a machine shared with test runs (load 12 on 2 cores) a server took over 30 s to import.
STARTUP_SECONDS = 180


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start")


@contextmanager
def web_processes(
    env: dict[str, str],
    instance: Path,
    processes: int,
    module: str = "bench.api_server",
    args: tuple[str, ...] = (),
    cwd: Path | None = None,
) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """(port, server processes): `processes` bench/api_server.py processes (or `module` with
    `args`, then the port) on one port, with the embedded Redis as their message queue; all
    stopped on exit."""
    port = free_port()
    with embedded_redis(instance / "redis") as redis_url:
        env = {**env, "HELPDESK_REDIS_URL": redis_url}
        argv = [sys.executable, "-m", "gevent.monkey", "--module", module, *args, str(port)]
        servers = [subprocess.Popen(argv, env=env, cwd=cwd) for _ in range(processes)]
        try:
            wait_until_up(port, time.monotonic() + STARTUP_SECONDS)
            yield port, servers
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)


def cpu_seconds(servers: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU seconds the server processes and their live children (a gunicorn
    master's workers) have used so far."""
    total = 0.0
    for server in servers:
        process = psutil.Process(server.pid)
        for each in [process, *process.children(recursive=True)]:
            total += sum(each.cpu_times()[:2])
    return total


def drive(
    servers: list[subprocess.Popen[bytes]], clients: list[threading.Thread]
) -> tuple[float, float]:
    """Run the client threads together against `servers`: (seconds the clients took, server
    CPU seconds until the servers settled)."""
    cpu_before = cpu_seconds(servers)
    started = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed, settled_cpu_seconds(servers) - cpu_before


def settled_cpu_seconds(servers: list[subprocess.Popen[bytes]], limit: float = 30.0) -> float:
    """cpu_seconds once the servers have gone quiet (under 2 ms of CPU in 0.25 s), so work a
    request left behind (the outbox dispatcher's batches) is counted with the run that made
    it, not lost or charged to the next run of an interleaved comparison."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(servers)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(servers)
        if now - last < 0.002:
            return now
        last = now
    return last
