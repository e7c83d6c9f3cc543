"""The enterprise portal at /portal/: registration, needs, their follow-up, ratings, files."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from helpdesk.portal import limiter, views

    limiter.init_app(app)
    app.register_blueprint(views.blueprint)
