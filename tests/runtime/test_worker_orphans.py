"""A `helpdesk worker` killed with -9 leaves nothing behind: no forked worker, no RQ
scheduler, and no Redis connection still blocked on the queues that would swallow the next
job (issue 16). Real processes, a real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from polling import wait_until
from redis import Redis
from rq import Queue, Worker

from helpdesk.config import Settings
from helpdesk.runner.children import pid_alive
from helpdesk.runner.jobs import ping

from .conftest import descendants

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
MARK = "HELPDESK_TEST_WORKER_MARK"  # in every process a started worker forks


def marked(mark: str) -> set[int]:
    """Live processes started with this mark in their environment, whoever their parent is."""
    wanted = f"{MARK}={mark}".encode()
    found = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if wanted in environ.read_bytes().split(b"\0"):
                found.add(int(environ.parent.name))
        except OSError:
            continue
    return {pid for pid in found if pid != os.getpid() and pid_alive(pid)}


def redis_sockets(pid: int, port: int) -> set[int]:
    """The socket inodes of `pid`'s open TCP connections to the Redis on `port`."""
    to_redis = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port:
                to_redis.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    return held & to_redis


def blocked_clients(redis: Redis) -> list[dict[str, object]]:
    """Connections waiting in a blocking pop: each would take the next job pushed."""
    return [c for c in redis.client_list() if c.get("cmd") in ("blpop", "brpop", "blmove")]


@pytest.fixture
def start_worker(
    app: object, settings: Settings, redis_url: str, tmp_path: Path
) -> Iterator[Callable[[], tuple[subprocess.Popen[bytes], str]]]:
    """`helpdesk worker` as `helpdesk serve` starts it; every process it forks is killed after."""
    marks: list[str] = []
    started: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[subprocess.Popen[bytes], str]:
        mark = uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")} | {
            "HELPDESK_DATABASE_URL": settings.database_url,
            "HELPDESK_REDIS_URL": redis_url,
            "HELPDESK_INSTANCE_PATH": str(settings.instance_path),
            MARK: mark,
        }
        log = open(tmp_path / f"worker-{len(marks)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        marks.append(mark)
        started.append(process)
        return process, mark

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
    left = set().union(*(marked(m) for m in marks)) if marks else set()
    for pid in left:  # so that a failure here does not take the next test's jobs
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not any(pid_alive(p) for p in left), 10, "the leftovers to be gone")


@pytest.mark.parametrize("when", ["working", "forking its scheduler"])
def test_a_worker_killed_with_9_leaves_no_process_and_no_job_is_lost(
    when: str, start_worker: Callable[[], tuple[subprocess.Popen[bytes], str]], redis_url: str
) -> None:
    redis = Redis.from_url(redis_url)
    redis.flushall()
    worker, mark = start_worker()
    if when == "working":
        # The forked worker blocks on the queues, its scheduler holds the locks.
        wait_until(lambda: blocked_clients(redis), 60, "the worker to wait on its queues")
        forked = wait_until(lambda: _at_least(descendants(worker.pid), 2), 10, "its scheduler")
        assert forked <= marked(mark)
        (warm,) = _children(worker.pid)
        (scheduler,) = _children(warm)
        # No two of them share a Redis socket: the scheduler has made its own (the sentinel
        # that it is past start-up), and holds none of the worker's.
        port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        wait_until(lambda: redis_sockets(scheduler, port), 30, "the scheduler's own connection")
        held = {pid: redis_sockets(pid, port) for pid in (worker.pid, warm, scheduler)}
        shared = {(a, b) for a in held for b in held if a < b and held[a] & held[b]}
        assert not shared, f"Redis sockets shared between processes: {shared} ({held})"
    else:  # the moment of the orphan seen in CI: the scheduler only just forked
        wait_until(lambda: _at_least(descendants(worker.pid), 2), 60, "its scheduler", 0.005)
    old_names = {w.name for w in Worker.all(connection=redis)}

    worker.kill()
    worker.wait()
    wait_until(lambda: not marked(mark), 10, "every process the worker forked to be gone", 0.01)
    # ...and with them every socket they held: none left waiting for a job.
    wait_until(lambda: not blocked_clients(redis), 5, "no connection left in a blocking pop")

    key = f"test:orphan:{uuid.uuid4().hex}"
    job = Queue("default", connection=redis).enqueue(ping, key, "taken")
    start_worker()

    def finished() -> bool:
        job.refresh()
        return job.is_finished

    # RQ marks the job finished a moment after its function returned (seen in CI: the key was
    # set, the status not yet): wait for the status itself
    wait_until(finished, 60, "a new worker to run the job to the end")
    assert redis.get(key) == b"taken"
    assert job.worker_name not in old_names


def _at_least(pids: set[int], count: int) -> set[int]:
    return pids if len(pids) >= count else set()


def _children(pid: int) -> set[int]:
    return {p for p in descendants(pid) if _ppid(p) == pid}


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


# A child whose parent dies between fork and prctl: run under a subreaper, so that the
# orphan comes back to it and its exit code can be read. The child waits until it has been
# reparented (its parent gone for certain), then runs what every fork of the worker runs first.
PARENT_GONE = """
import ctypes, os, sys, time
from helpdesk.runner.children import die_with_parent

assert ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
middle = os.fork()
if middle == 0:
    parent = os.getpid()
    if os.fork() == 0:
        deadline = time.monotonic() + 10
        while os.getppid() == parent:
            if time.monotonic() > deadline:
                os._exit(99)
            time.sleep(0.01)
        die_with_parent(parent)
        os._exit(0)  # carried on as an orphan
    os._exit(0)
os.waitpid(middle, 0)
_, status = os.wait()
print(os.waitstatus_to_exitcode(status))
"""


def test_a_fork_whose_parent_is_already_gone_exits_at_once() -> None:
    from helpdesk.runner.children import ORPHANED

    done = subprocess.run(
        [sys.executable, "-c", PARENT_GONE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == str(ORPHANED), done.stderr
