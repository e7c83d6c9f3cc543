"""Running the system: `helpdesk serve` and the processes it supervises.

Nothing here may import Flask or gevent at module level: the web process must monkey-patch
before anything else is imported (see `web.py`).
"""
