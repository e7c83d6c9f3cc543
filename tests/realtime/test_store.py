"""Presence in Redis: one person's change never makes another's start over."""

from __future__ import annotations

import threading
from typing import Any

from redis import Redis

from helpdesk.realtime.store import RedisStore


def _fresh_store(url: str) -> RedisStore:
    store = RedisStore(url)
    redis = Redis.from_url(url)
    keys = redis.keys("helpdesk:rt:presence*")
    if keys:
        redis.delete(*keys)
    return store


def test_a_change_to_someone_else_does_not_restart_mine(rt_redis: str) -> None:
    store = _fresh_store(rt_redis)
    other = RedisStore(rt_redis)  # another web process
    calls = 0

    def mine(before: dict[str, Any] | None, sockets: Any) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:  # while I decide, the other process changes user 902
            other.update_presence(902, lambda b, s: {"state": "busy", "reason": "call"})
        return {"state": "available"}

    before, after = store.update_presence(901, mine)
    assert (before, after, calls) == (None, {"state": "available"}, 1)
    assert store.all_presence() == {
        901: {"state": "available"},
        902: {"state": "busy", "reason": "call"},
    }


def test_changes_to_the_same_person_take_turns_and_none_is_lost(rt_redis: str) -> None:
    store = _fresh_store(rt_redis)
    other = RedisStore(rt_redis)  # another web process
    store.set_presence(903, {"state": "available", "chats": 0})

    def add_chat(before: dict[str, Any] | None, sockets: Any) -> dict[str, Any]:
        return {**(before or {}), "chats": (before or {}).get("chats", 0) + 1}

    racing: list[threading.Thread] = []

    def mine(before: dict[str, Any] | None, sockets: Any) -> dict[str, Any]:
        if not racing:  # the other process starts its change while I decide
            racing.append(threading.Thread(target=other.update_presence, args=(903, add_chat)))
            racing[0].start()
        return add_chat(before, sockets)

    store.update_presence(903, mine)
    racing[0].join(10)
    assert store.presence(903) == {"state": "available", "chats": 2}  # both changes kept


def test_many_processes_changing_one_person_at_once_all_get_through(rt_redis: str) -> None:
    # Eight calls answered at once by one extension once exhausted the optimistic retries.
    _fresh_store(rt_redis).set_presence(904, {"chats": 0})

    def add_chat(before: dict[str, Any] | None, sockets: Any) -> dict[str, Any]:
        return {"chats": (before or {}).get("chats", 0) + 1}

    def worker() -> None:
        store = RedisStore(rt_redis)
        for _ in range(25):
            store.update_presence(904, add_chat)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert RedisStore(rt_redis).presence(904) == {"chats": 200}


def test_a_process_taken_for_dead_registers_its_sockets_again(rt_redis: str) -> None:
    """A heartbeat starved past its expiry gets the process reaped by the others; its sockets
    are still open, so its next heartbeat puts them back (a logout must still find them)."""
    from helpdesk.realtime.store import PROCESS_KEY

    _fresh_store(rt_redis)
    slow, other = RedisStore(rt_redis, "slow"), RedisStore(rt_redis, "other")
    slow.add_socket(905, "sid-1", "login-key", "/desk")
    other.add_socket(906, "sid-2", "login-key-2", "/desk")
    assert "slow" not in other.dead_processes()
    Redis.from_url(rt_redis).delete(PROCESS_KEY.format(process="slow"))
    assert "slow" in other.dead_processes()
    assert other.forget_process("slow") == [905]
    assert other.sockets(905) == {} and other.sockets(906) == {"sid-2": ("/desk", "login-key-2")}
    assert slow.heartbeat() is False  # it notices, and registers again
    assert other.sockets(905) == {"sid-1": ("/desk", "login-key")}
    assert slow.mine() == [905] and "slow" not in other.dead_processes()
    assert slow.heartbeat() is True
