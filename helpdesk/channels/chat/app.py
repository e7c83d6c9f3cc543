"""Binding the chat channel: its settings, pages and the `/chat` namespace."""

from __future__ import annotations

from flask import Flask

from helpdesk.extensions import socketio


def init_app(app: Flask) -> None:
    from helpdesk.channels.chat import config, views
    from helpdesk.channels.chat.sockets import NAMESPACE, ChatNamespace
    from helpdesk.realtime.origins import allow_origins

    config.init_app(app)
    app.register_blueprint(views.blueprint)
    namespace = ChatNamespace()
    # The embedding sites (HELPDESK_CHAT_ORIGINS) may open /chat, and only /chat; on_connect
    # checks them again against the current settings.
    allow_origins(app, NAMESPACE, config.chat_config(app).origins)
    # Kept in the extension's list, so every later init_realtime (socketio.init_app) serves it.
    socketio.on_namespace(namespace)
    if namespace not in socketio.namespace_handlers:
        socketio.namespace_handlers.append(namespace)
    socketio.namespace_handlers = [
        h for h in socketio.namespace_handlers if h.namespace != namespace.namespace
    ] + [namespace]
    app.extensions["helpdesk.chat.namespace"] = namespace
