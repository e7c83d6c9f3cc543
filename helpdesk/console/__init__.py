"""The live staff screens: the agent console, the supervisor wallboard and the provider desk.

Pages render a shell; the lists come from the JSON routes in `api.py` (in the API registry)
and stay live through `/desk` Socket.IO events (helpdesk.realtime). `init_app` registers the
pages; `api` must be imported before the API blueprint is registered (create_app does both).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from helpdesk.console.views import blueprint

    app.register_blueprint(blueprint)
