"""Who has which socket open, and each person's presence: Redis when the processes share one
(several web processes and the workers), else this process's memory (tests, one process).

Losing this on a Redis restart is acceptable: sockets re-register when they reconnect, and
presence falls back to "offline" until the person's console says otherwise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, Protocol

from redis import Redis, WatchError

SOCKETS_KEY = "helpdesk:rt:sockets:{user}"  # hash sid -> "<namespace> <login key>"
# One key per person, so that a change to one person's presence never conflicts with another's
# (a single hash watched by every change made them all retry under load), and the set of people.
PRESENCE_KEY = "helpdesk:rt:presence:{user}"  # {"state", "since", "manual", "reason"}
PRESENCE_USERS = "helpdesk:rt:presence-users"
SOCKETS_TTL = 24 * 3600
DESK = "/desk"

Value = dict[str, Any]
Sockets = dict[str, tuple[str, str]]  # sid -> (namespace, login key)
# A presence change: (the value before or None, the person's sockets) -> the value after.
Change = Callable[[Value | None, Sockets], Value]


def _pack(namespace: str, login_key: str) -> str:
    return f"{namespace} {login_key}"


def _unpack(raw: dict[str, str]) -> Sockets:
    out: Sockets = {}
    for sid, value in raw.items():
        namespace, _, key = value.partition(" ")
        out[sid] = (namespace, key) if key else (DESK, namespace)  # older entries: desk only
    return out


class Store(Protocol):
    def add_socket(self, user_id: int, sid: str, login_key: str, namespace: str = DESK) -> None: ...
    def remove_socket(self, user_id: int, sid: str) -> int: ...
    def sockets(self, user_id: int) -> Sockets: ...
    def presence(self, user_id: int) -> Value | None: ...
    def set_presence(self, user_id: int, value: Value) -> None: ...
    def update_presence(self, user_id: int, change: Change) -> tuple[Value | None, Value]: ...
    def all_presence(self) -> dict[int, Value]: ...


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[int, dict[str, str]] = {}
        self._presence: dict[int, dict[str, Any]] = {}

    def clear(self) -> None:
        """Forget everything (tests: one process, many apps)."""
        with self._lock:
            self._sockets.clear()
            self._presence.clear()

    def add_socket(self, user_id: int, sid: str, login_key: str, namespace: str = DESK) -> None:
        with self._lock:
            self._sockets.setdefault(user_id, {})[sid] = _pack(namespace, login_key)

    def remove_socket(self, user_id: int, sid: str) -> int:
        with self._lock:
            mine = self._sockets.get(user_id, {})
            mine.pop(sid, None)
            return len(mine)

    def sockets(self, user_id: int) -> Sockets:
        with self._lock:
            return _unpack(self._sockets.get(user_id, {}))

    def presence(self, user_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._presence.get(user_id)
            return dict(found) if found else None

    def set_presence(self, user_id: int, value: dict[str, Any]) -> None:
        with self._lock:
            self._presence[user_id] = dict(value)

    def update_presence(self, user_id: int, change: Change) -> tuple[Value | None, Value]:
        with self._lock:
            before = self._presence.get(user_id)
            before = dict(before) if before else None
            after = change(before, _unpack(self._sockets.get(user_id, {})))
            self._presence[user_id] = dict(after)
            return before, after

    def all_presence(self) -> dict[int, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._presence.items()}


class RedisStore:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, decode_responses=True)

    def add_socket(self, user_id: int, sid: str, login_key: str, namespace: str = DESK) -> None:
        key = SOCKETS_KEY.format(user=user_id)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, _pack(namespace, login_key))
        pipe.expire(key, SOCKETS_TTL)
        pipe.execute()

    def remove_socket(self, user_id: int, sid: str) -> int:
        key = SOCKETS_KEY.format(user=user_id)
        pipe = self.redis.pipeline()
        pipe.hdel(key, sid)
        pipe.hlen(key)
        return int(pipe.execute()[1])

    def sockets(self, user_id: int) -> Sockets:
        return _unpack(self.redis.hgetall(SOCKETS_KEY.format(user=user_id)))  # type: ignore[arg-type]

    def presence(self, user_id: int) -> dict[str, Any] | None:
        raw = self.redis.get(PRESENCE_KEY.format(user=user_id))
        return json.loads(raw) if raw else None

    def set_presence(self, user_id: int, value: dict[str, Any]) -> None:
        pipe = self.redis.pipeline()
        pipe.set(PRESENCE_KEY.format(user=user_id), json.dumps(value))
        pipe.sadd(PRESENCE_USERS, user_id)
        pipe.execute()

    def update_presence(self, user_id: int, change: Change) -> tuple[Value | None, Value]:
        """Read, change and write one person's presence atomically across processes (a call
        answered in one web process while a chat ends in another): optimistic (WATCH) first;
        after a few conflicts, under a short per-person lock, since optimistic retries alone
        livelocked when eight calls to one extension were answered at once."""
        key = PRESENCE_KEY.format(user=user_id)
        for _ in range(3):
            done = self._try_update(user_id, change)
            if done is not None:
                return done
        lock = self.redis.lock(f"{key}:lock", timeout=5, sleep=0.002, blocking_timeout=5)
        if not lock.acquire():
            raise RuntimeError(f"presence of user {user_id}: locked for over 5 s")
        try:
            for _ in range(50):
                done = self._try_update(user_id, change)
                if done is not None:
                    return done
        finally:
            lock.release()
        raise RuntimeError(f"presence of user {user_id}: too many concurrent changes")

    def _try_update(self, user_id: int, change: Change) -> tuple[Value | None, Value] | None:
        """One optimistic attempt; None when the person's presence or sockets moved meanwhile."""
        key, sockets_key = PRESENCE_KEY.format(user=user_id), SOCKETS_KEY.format(user=user_id)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key, sockets_key)
                raw = pipe.get(key)
                held = pipe.hgetall(sockets_key)
                before = json.loads(raw) if raw else None
                after = change(before, _unpack(held))  # type: ignore[arg-type]
                pipe.multi()
                pipe.set(key, json.dumps(after))
                pipe.sadd(PRESENCE_USERS, user_id)
                pipe.execute()
            except WatchError:
                return None
        return before, after

    def all_presence(self) -> dict[int, dict[str, Any]]:
        ids = sorted(int(i) for i in self.redis.smembers(PRESENCE_USERS))
        if not ids:
            return {}
        raw = self.redis.mget([PRESENCE_KEY.format(user=i) for i in ids])
        return {i: json.loads(v) for i, v in zip(ids, raw, strict=True) if v}


_memory = MemoryStore()
_redis: dict[str, RedisStore] = {}


def store_for(redis_url: str | None) -> Store:
    if not redis_url:
        return _memory
    found = _redis.get(redis_url)
    if found is None:
        found = _redis[redis_url] = RedisStore(redis_url)
    return found


def current_store() -> Store:
    """The store of the current app (its Redis URL), or this process's memory."""
    from helpdesk.sla.timers import redis_url

    return store_for(redis_url())
