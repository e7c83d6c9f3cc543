"""The Redis message queue the processes share Socket.IO through, with a batch's publishes sent
in one round trip.

python-socketio's RedisManager publishes each emit (and each room closing) on its own, one
PUBLISH and one wait for its answer each: the outbox dispatcher's fan-out of a batch of 12
tickets paid 12 round trips (~100 us of CPU each on gevent, about 2 % of a created ticket's
server CPU). Inside `together()` this process's sockets still get each emit at once; the
messages for the other processes are kept and published at the block's end, in order, in one
pipeline. Each is still one PUBLISH in the manager's own format, so every other process's
manager (ours or the library's) decodes it as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from socketio import RedisManager

CHANNEL = "flask-socketio"  # Flask-SocketIO's default: every process must use the same one

# Inside `together()`: the messages waiting for the block's end (None outside it). A context
# variable, so a request's emits on another greenlet meanwhile are published as usual.
_kept: ContextVar[list[tuple[HeldRedisManager, dict[str, Any]]] | None] = ContextVar(
    "socketio_kept", default=None
)


class HeldRedisManager(RedisManager):
    """RedisManager whose publishes inside `together()` wait for the block's end."""

    connected: bool  # RedisManager's own, set in its __init__ and _redis_connect

    def _publish(self, data: dict[str, Any]) -> Any:
        kept = _kept.get()
        if kept is None:
            return super()._publish(data)
        kept.append((self, data))
        return None

    def publish_all(self, messages: list[dict[str, Any]]) -> None:
        """The messages in one pipeline; like `_publish`, retried once on a new connection,
        then logged, never raised (a console update must not undo a committed change). A
        retry may send some twice: consoles keep a ticket's newest version, a room closes once."""
        for retries_left in (1, 0):
            try:
                if not self.connected:
                    self._redis_connect()
                with self.redis.pipeline(transaction=False) as pipeline:
                    for message in messages:
                        pipeline.publish(self.channel, self.json.dumps(message))
                    pipeline.execute()
                return
            except Exception as exc:
                self.connected = False
                self._get_logger().error(
                    "Cannot publish %d message(s) to redis... %s",
                    len(messages),
                    "retrying" if retries_left else "giving up",
                    extra={"redis_exception": str(exc)},
                )


def manager(url: str | None, write_only: bool) -> dict[str, Any]:
    """SocketIO's options for the message queue at `url` (none without one, or for a queue
    that is not Redis: the library's own manager then)."""
    if not url or not url.startswith(("redis://", "rediss://")):
        return {}
    return {"client_manager": HeldRedisManager(url, channel=CHANNEL, write_only=write_only)}


@contextmanager
def together() -> Iterator[None]:
    """Emits inside the block reach the other processes in one round trip at its end."""
    kept: list[tuple[HeldRedisManager, dict[str, Any]]] = []
    token = _kept.set(kept)
    try:
        yield
    finally:
        _kept.reset(token)
        by_manager: dict[HeldRedisManager, list[dict[str, Any]]] = {}
        for owner, message in kept:
            by_manager.setdefault(owner, []).append(message)
        for owner, messages in by_manager.items():
            owner.publish_all(messages)
