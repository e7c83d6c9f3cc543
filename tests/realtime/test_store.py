"""Presence in Redis: one person's change never makes another's start over."""

from __future__ import annotations

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


def test_a_concurrent_change_to_the_same_person_is_redone_on_the_new_value(
    rt_redis: str,
) -> None:
    store = _fresh_store(rt_redis)
    other = RedisStore(rt_redis)
    store.set_presence(903, {"state": "available", "chats": 0})
    seen: list[dict[str, Any] | None] = []

    def add_chat(before: dict[str, Any] | None, sockets: Any) -> dict[str, Any]:
        seen.append(before)
        if len(seen) == 1:
            other.update_presence(903, lambda b, s: {**(b or {}), "chats": 1})
        return {**(before or {}), "chats": (before or {}).get("chats", 0) + 1}

    _, after = store.update_presence(903, add_chat)
    assert after == {"state": "available", "chats": 2}  # neither change lost
    assert seen == [{"state": "available", "chats": 0}, {"state": "available", "chats": 1}]
