"""The embedded Redis answers, and is gone after every way its owner can end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from redis import Redis

from helpdesk.runner.children import pid_alive, wait_gone
from helpdesk.runner.embedded_redis import (
    PIDFILE,
    EmbeddedRedisError,
    embedded_redis,
    read_pidfile,
    redis_server_binary,
)

pytestmark = pytest.mark.slow


def _server_pid(instance: Path) -> int:
    data = read_pidfile(instance / "redis")
    assert data is not None
    pid = data["pid"]
    assert isinstance(pid, int)
    return pid


def test_starts_answers_ping_and_is_gone_after_the_context(tmp_path: Path) -> None:
    with embedded_redis(tmp_path) as url:
        assert Redis.from_url(url).ping() is True
        pid = _server_pid(tmp_path)
        assert pid_alive(pid)
    assert wait_gone(pid, 5.0)
    assert not (tmp_path / "redis" / PIDFILE).exists()


def test_stopped_when_the_body_raises(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError), embedded_redis(tmp_path):
        pid = _server_pid(tmp_path)
        1 / 0  # noqa: B018
    assert wait_gone(pid, 5.0)


OWNER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from helpdesk.runner.embedded_redis import embedded_redis, read_pidfile
    with embedded_redis(Path(sys.argv[1])) as url:
        print(json.dumps(read_pidfile(Path(sys.argv[1]) / "redis")), flush=True)
        time.sleep(120)
    """
)


def _owner(instance: Path) -> tuple[subprocess.Popen[str], int]:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(instance)], stdout=subprocess.PIPE, text=True
    )
    assert owner.stdout is not None
    line = owner.stdout.readline()
    assert line, "the owner process printed nothing"
    pid = json.loads(line)["pid"]
    assert pid_alive(pid)
    return owner, pid


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_gone_when_the_owner_process_is_killed(tmp_path: Path, signum: int) -> None:
    owner, pid = _owner(tmp_path)
    try:
        owner.send_signal(signum)
        owner.wait(10)
        assert wait_gone(pid, 10.0), f"redis-server {pid} outlived its owner ({signum!r})"
    finally:
        owner.kill()
        owner.wait()
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_crashed_runs_server_is_stopped_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "redis"
    folder.mkdir()
    stale = subprocess.Popen(
        [str(redis_server_binary()), "--port", "0", "--save", "", "--dir", str(folder)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    try:
        (folder / PIDFILE).write_text(json.dumps({"pid": stale.pid, "owner": 1}))
        with embedded_redis(tmp_path) as url:
            assert stale.wait(10) is not None
            assert Redis.from_url(url).ping() is True
    finally:
        stale.kill()
        stale.wait()


def test_a_pidfile_naming_another_program_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "redis" / PIDFILE).write_text(json.dumps({"pid": bystander.pid}))
        with embedded_redis(tmp_path):
            assert bystander.poll() is None
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_one_owner_per_instance_folder(tmp_path: Path) -> None:
    with embedded_redis(tmp_path):
        with pytest.raises(EmbeddedRedisError, match="in use"), embedded_redis(tmp_path):
            pass
        # the refused second owner must not have stopped the first one's server
        assert pid_alive(_server_pid(tmp_path))
