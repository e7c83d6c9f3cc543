"""`helpdesk serve` as a user runs it: starts, answers HTTP and Socket.IO, runs jobs, and
leaves no process behind however it ends."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import socketio
from polling import wait_until
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from helpdesk.runner.children import pid_alive, wait_gone
from helpdesk.runner.embedded_redis import read_pidfile
from helpdesk.runner.jobs import ping

from .conftest import descendants, free_port, process_group

pytestmark = pytest.mark.slow

TIMER = re.compile(r"sla-(\d+)-\d+$")  # an SLA timer's job id: fire time in ms, stage
START_TIMEOUT = 120.0  # first run migrates and seeds a few hundred demo tickets


@dataclass
class Served:
    process: subprocess.Popen[str]
    instance: Path
    base: str
    log: Path
    seen: set[int] = field(default_factory=set)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def redis_url(self) -> str:
        data = read_pidfile(self.instance / "redis")
        assert data is not None, "no embedded Redis pidfile"
        return str(data["url"])

    def wait_ready(self, children: int = 4) -> None:
        def answers() -> bool:
            assert self.process.poll() is None, f"serve exited early:\n{self.output()}"
            try:
                return requests.get(f"{self.base}/login", timeout=2).status_code == 200
            except (requests.ConnectionError, requests.Timeout):  # a busy machine: not yet
                return False

        wait_until(answers, START_TIMEOUT, f"{self.base}/login")
        wait_until(lambda: "Ctrl-C stops it" in self.output(), 10, "the banner")
        # web, worker, the worker's scheduler and the embedded redis-server
        self.seen = wait_until(
            lambda: _at_least(descendants(self.process.pid), children), 20, "children"
        )

    def assert_nothing_left(self) -> None:
        leftovers = {pid for pid in self.seen if not wait_gone(pid, 10)}
        leftovers |= process_group(self.process.pid)
        assert not leftovers, f"still running: {_describe(leftovers)}\n{self.output()}"


def _at_least(pids: set[int], count: int) -> set[int]:
    return pids if len(pids) >= count else set()


def _describe(pids: set[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            out.append(f"{pid}: {Path(f'/proc/{pid}/cmdline').read_bytes()!r}")
        except OSError:
            out.append(str(pid))
    return out


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One instance folder for the module: the first serve seeds it, later ones reuse it."""
    return tmp_path_factory.mktemp("serve-instance")


@pytest.fixture
def start_serve(instance: Path, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `helpdesk serve` as a user would, with HELPDESK_* variables from `env` only."""
    started: list[Served] = []

    def start(**env: str) -> Served:
        port = env.setdefault("HELPDESK_PORT", str(free_port()))
        env.setdefault("HELPDESK_INSTANCE_PATH", str(instance))
        full = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")} | env
        log = tmp_path / f"serve-{len(started)}.log"
        with open(log, "w") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "helpdesk.cli", "serve"],
                env=full,
                stdout=sink,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own process group, as in a terminal
            )
        started.append(
            Served(process, Path(env["HELPDESK_INSTANCE_PATH"]), f"http://127.0.0.1:{port}", log)
        )
        return started[-1]

    yield start
    for handle in started:  # never leave a test's processes behind, even on failure
        if handle.process.poll() is None:
            os.killpg(handle.process.pid, signal.SIGKILL)
            handle.process.wait()
        for pid in handle.seen:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def served(start_serve: Callable[..., Served]) -> Served:
    return start_serve()


def _login(base: str, login: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"login": login, "password": password, "csrf_token": token.group(1) if token else ""}
    response = http.post(f"{base}/login", data=data, allow_redirects=False, timeout=5)
    assert response.status_code in (302, 303), response.text[:500]
    return http


def test_serve_starts_answers_runs_jobs_and_stops_cleanly_on_ctrl_c(served: Served) -> None:
    served.wait_ready()
    out = served.output()
    assert "demo logins, password hz12345" in out
    assert "agent1" in out

    handshake = requests.get(f"{served.base}/socket.io/?EIO=4&transport=polling", timeout=5)
    assert handshake.status_code == 200 and '"sid"' in handshake.text

    # the worker runs jobs from both queues, and the scheduler enqueues timed ones
    redis = Redis.from_url(served.redis_url())
    keys = {}
    jobs = []
    for name in ("default", "timers"):
        keys[name] = f"test:ping:{uuid.uuid4().hex}"
        jobs.append(Queue(name, connection=redis).enqueue(ping, keys[name], name))
    keys["later"] = f"test:ping:{uuid.uuid4().hex}"
    jobs.append(
        Queue("timers", connection=redis).enqueue_in(timedelta(seconds=1), ping, keys["later"], "x")
    )
    wait_until(lambda: all(redis.exists(key) for key in keys.values()), 15, "the ping jobs")
    wait_until(lambda: all(job.get_status() == "finished" for job in jobs), 10, "job results")

    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(30) == 0, served.output()
    assert "helpdesk serve: stopped" in served.output()
    served.assert_nothing_left()


def test_desk_socket_takes_logged_in_staff_and_refuses_others(served: Served) -> None:
    served.wait_ready()
    anonymous = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(served.base, namespaces=["/desk"], transports=["websocket"])
    anonymous.disconnect()

    ready: list[dict[str, object]] = []
    agent = socketio.Client(http_session=_login(served.base, "agent1", "hz12345"))
    agent.on("ready", ready.append, namespace="/desk")
    agent.connect(served.base, namespaces=["/desk"], transports=["websocket"], wait_timeout=10)
    try:
        wait_until(lambda: ready, 10, "the ready event")
        assert ready[0]["user"] == "agent1"
        assert "staff" in ready[0]["rooms"]  # type: ignore[operator]
    finally:
        agent.disconnect()

    enterprise = socketio.Client(http_session=_login(served.base, "ent1", "hz12345"))
    with pytest.raises(socketio.exceptions.ConnectionError):
        enterprise.connect(served.base, namespaces=["/desk"], transports=["websocket"])
    enterprise.disconnect()

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(30) == 0, served.output()
    served.assert_nothing_left()


def _child(served: Served, word: bytes) -> int | None:
    """The pid of serve's child whose command line mentions `word`, if it runs."""
    for pid in descendants(served.process.pid):
        try:
            if _parent(pid) == served.process.pid and word in _cmdline(pid):
                return pid
        except OSError:
            continue
    return None


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _ping(redis: Redis, queue: str = "default") -> None:
    key = f"test:ping:{uuid.uuid4().hex}"
    Queue(queue, connection=redis).enqueue(ping, key, "again")
    wait_until(lambda: redis.get(key) == b"again", 30, "a ping job to run")


def test_a_killed_worker_is_restarted_and_runs_jobs_again(served: Served) -> None:
    served.wait_ready()
    worker = _child(served, b"worker")
    assert worker is not None
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: "the worker process restarted" in served.output(), 30, "the restart")
    assert "the worker process exited unexpectedly (code -9); restarting it" in served.output()
    again = wait_until(lambda: _child(served, b"worker"), 10, "the new worker")
    assert again != worker
    _ping(Redis.from_url(served.redis_url()))
    assert served.process.poll() is None

    served.seen |= descendants(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(30) == 0, served.output()
    served.assert_nothing_left()


def test_a_child_that_keeps_crashing_stops_everything_with_an_error(served: Served) -> None:
    served.wait_ready()
    killed: set[int] = set()
    for _ in range(5):  # the limit: 5 crashes in 60 s
        pid = wait_until(
            lambda: (p := _child(served, b"worker")) not in killed and p, 30, "a new worker"
        )
        served.seen |= descendants(served.process.pid)
        os.kill(pid, signal.SIGKILL)
        killed.add(pid)
    assert served.process.wait(30) == 1, served.output()
    assert "the worker process exited unexpectedly (code -9) 5 times in 60 s" in served.output()
    assert served.output().count("the worker process restarted") == 4
    served.assert_nothing_left()


def test_a_killed_redis_is_restarted_on_its_port_and_the_timers_come_back(
    served: Served,
) -> None:
    served.wait_ready()
    url = served.redis_url()
    redis = Redis.from_url(url)
    timers = ScheduledJobRegistry(queue=Queue("timers", connection=redis))
    # The demo's timers due in more than a minute: the others may fire meanwhile.
    later = (time.time() + 60) * 1000
    booked = wait_until(
        lambda: {j for j in timers.get_job_ids() if (m := TIMER.match(j)) and int(m[1]) > later},
        30,
        "the demo's SLA timers",
    )
    server = read_pidfile(served.instance / "redis")
    assert server is not None
    os.kill(int(server["pid"]), signal.SIGKILL)  # type: ignore[call-overload]

    wait_until(lambda: "the redis process restarted" in served.output(), 30, "Redis back")
    assert served.redis_url() == url  # same port: every client finds it again
    wait_until(lambda: set(timers.get_job_ids()) >= booked, 10, "the timers restored")
    _ping(redis, "timers")
    assert served.process.poll() is None

    served.seen |= descendants(served.process.pid)
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(30) == 0, served.output()
    served.assert_nothing_left()


def test_a_killed_serve_leaves_no_orphans(served: Served) -> None:
    served.wait_ready()
    served.process.kill()
    served.process.wait()
    served.assert_nothing_left()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_with_a_redis_url_serve_starts_no_redis_of_its_own(
    start_serve: Callable[..., Served], redis_url: str
) -> None:
    served = start_serve(HELPDESK_REDIS_URL=redis_url)
    served.wait_ready(children=3)
    names = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in served.seen]
    assert not any(b"redis-server" in name for name in names), names
    embedded = read_pidfile(served.instance / "redis")  # a killed run's may remain: not ours
    assert embedded is None or embedded["owner"] != served.process.pid

    key = f"test:ping:{uuid.uuid4().hex}"
    Queue("default", connection=Redis.from_url(redis_url)).enqueue(ping, key, "external")
    redis = Redis.from_url(redis_url)
    wait_until(lambda: redis.get(key) == b"external", 15, "the ping job")

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(30) == 0, served.output()
    served.assert_nothing_left()


def test_a_port_in_use_is_refused_before_anything_starts(
    start_serve: Callable[..., Served], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = start_serve(HELPDESK_PORT=str(port), HELPDESK_INSTANCE_PATH=str(tmp_path))
        assert served.process.wait(30) == 2
    assert f"127.0.0.1:{port} is in use" in served.output()
    assert not (tmp_path / "redis").exists()
