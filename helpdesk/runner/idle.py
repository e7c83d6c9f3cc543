"""Lower priority on a gevent web process's loop: wait until nothing else is ready to run."""

from __future__ import annotations


def when_idle(at_most: float) -> None:
    """Return once the gevent loop has nothing else ready to run, or after `at_most` seconds
    (a loop never idle still gets on); at once outside a gevent-patched process (the test
    client, the RQ worker, CLI commands), where there is no shared loop to give way on."""
    try:
        import gevent
        from gevent import monkey
    except ImportError:  # pragma: no cover  (installed with the web server)
        return
    if not monkey.is_module_patched("socket"):
        return
    with gevent.Timeout(at_most, False):
        gevent.idle()
