"""The process's Redis clients: one per URL (and reply decoding), shared by every part that
talks to Redis — SLA timers, realtime presence and emits, login keys, webhooks, the phone
channel's counts, the RQ worker — so none of them imports another domain to get one.

Named `redis_connections`, not `redis`, so that `import redis` inside the package still finds
redis-py. A forked child (the RQ workers of `runner.warm`) starts with none: it must not share
its parent's sockets, so the table is emptied after each fork (ARCHITECTURE.md, runner).
"""

from __future__ import annotations

import os
import threading

from redis import Redis

# app.extensions key: tests point an app at a Redis of their own without new settings.
REDIS_OVERRIDE = "helpdesk.redis_url"
SOCKET_TIMEOUT = 5  # seconds: a stuck Redis fails the call instead of hanging a request

_clients: dict[tuple[str, bool, float | None], Redis] = {}
_lock = threading.Lock()


def redis_url() -> str | None:
    """The current app's Redis URL, or None without an app or without a Redis."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    override = current_app.extensions.get(REDIS_OVERRIDE)
    if override:
        return str(override)
    settings = current_app.extensions.get("helpdesk.settings")
    return settings.redis_url if settings is not None else None


def client(url: str, *, decode: bool = False, timeout: float | None = SOCKET_TIMEOUT) -> Redis:
    """This process's client for `url` (replies as str with `decode`, else bytes). The RQ
    worker asks for `timeout=None`: RQ sets a socket timeout above its blocking pop itself,
    in the client's pool, so that client is not shared with the rest."""
    key = (url, decode, timeout)
    found = _clients.get(key)
    if found is None:
        with _lock:
            found = _clients.get(key)
            if found is None:
                found = _clients[key] = Redis.from_url(
                    url, decode_responses=decode, socket_timeout=timeout
                )
    return found


def connection(url: str | None = None, *, decode: bool = False) -> Redis | None:
    """The client for `url`, or for the current app's Redis; None when there is none."""
    url = url or redis_url()
    return client(url, decode=decode) if url else None


def forget() -> None:
    """Drop every client (not closing it: in a forked child the sockets are the parent's)."""
    global _lock
    _clients.clear()
    _lock = threading.Lock()  # the parent may have held it at the fork


os.register_at_fork(after_in_child=forget)
