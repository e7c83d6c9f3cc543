"""Lower priority on a gevent web process's loop: wait until nothing else is ready to run.

Three ranks of "after the rest", highest first (libev idle-watcher priorities: one of a lower
priority is not called while one of a higher priority waits, so each rank goes after the one
above it, bench/phone_queue.py):

- OFFERS: the phone queue's offer sender (channels/phone/sockets.py) sends a burst's listing
  once the requests of the burst have committed; the outbox dispatcher (outbox/dispatcher.py)
  claims a burst's entries as one batch, at most 5 ms after its wake;
- REPLIES: a just-queued caller's reply (the caller's place, the TwiML) after that listing;
- BACKGROUND: the queued calls' tickets (channels/phone/later.py) after the replies.
"""

from __future__ import annotations

OFFERS, REPLIES, BACKGROUND = 0, -1, -2


def when_idle(at_most: float, priority: int = OFFERS) -> None:
    """Return once the gevent loop has nothing else ready to run (and nothing of a higher
    `priority` waits for it), or after `at_most` seconds (a loop never idle still gets on); at
    once outside a gevent-patched process (the test client, the RQ worker, CLI commands),
    where there is no shared loop to give way on."""
    try:
        import gevent
        from gevent import monkey
    except ImportError:  # pragma: no cover  (installed with the web server)
        return
    if not monkey.is_module_patched("socket"):
        return
    with gevent.Timeout(at_most, False):
        gevent.idle(priority)
