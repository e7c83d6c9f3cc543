"""Binding the phone channel to the app: settings, the CTI/API, voice and page blueprints."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from helpdesk.channels.phone import api, config, views, voice

    config.init_app(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(voice.blueprint)
    app.register_blueprint(views.blueprint)
