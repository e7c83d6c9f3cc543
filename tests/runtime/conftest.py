"""Runtime fixtures: a real (embedded) Redis, free ports, and watching processes come and go."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from helpdesk.runner.children import pid_alive
from helpdesk.runner.embedded_redis import embedded_redis

T = TypeVar("T")

# test_postgresql_waits.py and test_postgresql_checkout.py need a PostgreSQL server: CI runs
# them in its PostgreSQL stage and leaves them out of its SQLite stage (HELPDESK_REQUIRE_ALL: CI
# never skips), as
# tests/realtime/conftest.py does for its PostgreSQL-only tests.
collect_ignore = (
    ["test_postgresql_waits.py", "test_postgresql_checkout.py"]
    if os.environ.get("HELPDESK_REQUIRE_ALL") and not os.environ.get("HELPDESK_TEST_DATABASE_URL")
    else []
)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded redis-server, one per test session: tests use a real Redis, never a fake."""
    with embedded_redis(tmp_path_factory.mktemp("redis-instance")) as url:
        yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, found through /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found and pid_alive(child):
                found.add(child)
                todo.append(child)
    return found


def process_group(pgid: int) -> set[int]:
    members = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and pid_alive(int(entry.name)):
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    members.add(int(entry.name))
            except ProcessLookupError:
                continue
    return members
