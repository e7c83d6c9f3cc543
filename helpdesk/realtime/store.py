"""Who has which socket open, and each person's presence: Redis when the processes share one
(several web processes and the workers), else this process's memory (tests, one process).

Losing this on a Redis restart is acceptable: sockets re-register when they reconnect, and
presence falls back to "offline" until the person's console says otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
from collections.abc import Callable
from typing import Any, Protocol

from redis import WatchError

from helpdesk import redis_connections

SOCKETS_KEY = "helpdesk:rt:sockets:{user}"  # hash sid -> "<namespace> <login key>"
# One key per person, so that a change to one person's presence never conflicts with another's
# (a single hash watched by every change made them all retry under load), and the set of people.
PRESENCE_KEY = "helpdesk:rt:presence:{user}"  # {"state", "since", "manual", "reason"}
PRESENCE_USERS = "helpdesk:rt:presence-users"
SOCKETS_TTL = 24 * 3600
# Each web process says it is alive every PROCESS_TTL / 3 seconds; the sockets of one that has
# not for PROCESS_TTL (killed, out of memory, machine gone) are reaped by the others, so its
# people do not look connected for a day.
PROCESS_KEY = "helpdesk:rt:process:{process}"
PROCESS_USERS = "helpdesk:rt:process-users:{process}"  # set of user ids with a socket there
PROCESSES = "helpdesk:rt:processes"
PROCESS_TTL = 30
DESK = "/desk"

Value = dict[str, Any]
Sockets = dict[str, tuple[str, str]]  # sid -> (namespace, login key)
# A presence change: (the value before or None, the person's sockets) -> the value after.
Change = Callable[[Value | None, Sockets], Value]


def _pack(namespace: str, login_key: str, process: str = "") -> str:
    return f"{namespace} {login_key} {process}".rstrip()


def _parts(value: str) -> tuple[str, str, str]:
    """(namespace, login key, process); older entries lack the process, or also the namespace."""
    parts = value.split(" ", 2)
    if len(parts) == 1:
        return DESK, parts[0], ""
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def _unpack(raw: dict[str, str]) -> Sockets:
    out: Sockets = {}
    for sid, value in raw.items():
        namespace, key, _ = _parts(value)
        out[sid] = (namespace, key)
    return out


class Store(Protocol):
    def add_socket(self, user_id: int, sid: str, login_key: str, namespace: str = DESK) -> None: ...
    def remove_socket(self, user_id: int, sid: str) -> int: ...
    def sockets(self, user_id: int) -> Sockets: ...
    def presence(self, user_id: int) -> Value | None: ...
    def set_presence(self, user_id: int, value: Value) -> None: ...
    def update_presence(self, user_id: int, change: Change) -> tuple[Value | None, Value]: ...
    def all_presence(self) -> dict[int, Value]: ...
    def heartbeat(self) -> bool: ...
    def mine(self) -> list[int]: ...
    def dead_processes(self) -> list[str]: ...
    def forget_process(self, process: str) -> list[int]: ...


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

    # One process: nothing can die behind its back.
    def heartbeat(self) -> bool:
        return True

    def mine(self) -> list[int]:
        return []

    def dead_processes(self) -> list[str]:
        return []

    def forget_process(self, process: str) -> list[int]:
        return []


class RedisStore:
    def __init__(self, url: str, process: str | None = None) -> None:
        self.redis = redis_connections.client(url, decode=True)
        self.process = process or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._mine: dict[str, tuple[int, str]] = {}  # this process's sockets: sid -> (user, value)
        self._lock = threading.Lock()
        self._people: dict[int, threading.Lock] = {}  # one per person whose presence changed here

    def add_socket(self, user_id: int, sid: str, login_key: str, namespace: str = DESK) -> None:
        value = _pack(namespace, login_key, self.process)
        with self._lock:
            self._mine[sid] = (user_id, value)
        self._register({sid: (user_id, value)})

    def _register(self, sockets: dict[str, tuple[int, str]]) -> None:
        pipe = self.redis.pipeline()
        pipe.set(PROCESS_KEY.format(process=self.process), "1", ex=PROCESS_TTL)
        pipe.sadd(PROCESSES, self.process)
        for sid, (user_id, value) in sockets.items():
            key = SOCKETS_KEY.format(user=user_id)
            pipe.hset(key, sid, value)
            pipe.expire(key, SOCKETS_TTL)
            pipe.sadd(PROCESS_USERS.format(process=self.process), user_id)
        pipe.execute()

    def remove_socket(self, user_id: int, sid: str) -> int:
        with self._lock:
            self._mine.pop(sid, None)
        key = SOCKETS_KEY.format(user=user_id)
        pipe = self.redis.pipeline()
        pipe.hdel(key, sid)
        pipe.hlen(key)
        return int(pipe.execute()[1])

    def heartbeat(self) -> bool:
        """Say this process is alive. False when it had been taken for dead (its heartbeat
        starved too long) and its sockets reaped: they are registered again, and the caller
        works out their people's presence anew."""
        key = PROCESS_KEY.format(process=self.process)
        alive = self.redis.set(key, "1", ex=PROCESS_TTL, get=True)
        if alive is not None:
            return True
        with self._lock:
            mine = dict(self._mine)
        self._register(mine)
        return not mine

    def mine(self) -> list[int]:
        with self._lock:
            return sorted({user_id for user_id, _ in self._mine.values()})

    def dead_processes(self) -> list[str]:
        processes: list[str] = sorted(self.redis.smembers(PROCESSES))  # type: ignore[arg-type]
        if not processes:
            return []
        pipe = self.redis.pipeline()
        for process in processes:
            pipe.exists(PROCESS_KEY.format(process=process))
        return [p for p, alive in zip(processes, pipe.execute(), strict=True) if not alive]

    def forget_process(self, process: str) -> list[int]:
        """Remove a dead process's sockets; the people who had one there."""
        users_key = PROCESS_USERS.format(process=process)
        users = sorted(int(u) for u in self.redis.smembers(users_key))
        for user_id in users:
            key = SOCKETS_KEY.format(user=user_id)
            held: dict[str, str] = self.redis.hgetall(key)  # type: ignore[assignment]
            gone = [sid for sid, value in held.items() if _parts(value)[2] == process]
            if gone:
                self.redis.hdel(key, *gone)
        pipe = self.redis.pipeline()
        pipe.delete(users_key)
        pipe.srem(PROCESSES, process)
        pipe.execute()
        return users

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
        after a few conflicts, under a short per-person lock, which optimistic writers respect,
        so its holder is never overtaken (optimistic retries alone livelocked when eight calls
        to one extension were answered at once). Changes to one person from this process wait
        their turn on a local lock first: Redis then only arbitrates between processes (eight
        calls answered at once on one extension spent 17 % of a process's CPU polling the lock).
        """
        with self._lock:
            local = self._people.setdefault(user_id, threading.Lock())
        with local:
            return self._update_presence(user_id, change)

    def _update_presence(self, user_id: int, change: Change) -> tuple[Value | None, Value]:
        lock_key = PRESENCE_KEY.format(user=user_id) + ":lock"
        for _ in range(3):
            done = self._try_update(user_id, change, lock_key)
            if done is not None:
                return done
        lock = self.redis.lock(lock_key, timeout=5, sleep=0.002, blocking_timeout=5)
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

    def _try_update(
        self, user_id: int, change: Change, unless_locked: str | None = None
    ) -> tuple[Value | None, Value] | None:
        """One attempt; None when the person's presence or sockets moved meanwhile, or (for an
        optimistic writer, `unless_locked`) when someone holds the person's lock."""
        key, sockets_key = PRESENCE_KEY.format(user=user_id), SOCKETS_KEY.format(user=user_id)
        watched = (key, sockets_key, unless_locked) if unless_locked else (key, sockets_key)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(*watched)
                if unless_locked and pipe.exists(unless_locked):
                    return None
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
    return store_for(redis_connections.redis_url())


# A forked child is another process: its own name in Redis, its own sockets, its client anew.
os.register_at_fork(after_in_child=_redis.clear)
