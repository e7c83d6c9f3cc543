"""Which browser origins may open a socket, per namespace.

Engine.IO checks a connection's Origin once, before any namespace is chosen. So it lets
through the app's own origin (its configured address, or the Host the request came to) and
every origin that some namespace registered with `allow_origins`; each namespace then checks
its own list again on connect with `allows`. A site allowed to embed the chat widget can thus
open `/chat` and nothing else.

    allow_origins(app, "/chat", ("https://shop.example.cn",))   # from that channel's init_app
    allows("/desk", origin)                                     # in a namespace's on_connect
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request

KEY = "helpdesk.realtime.origins"


@dataclass
class Origins:
    base: tuple[str, ...] = ()  # the app's own addresses (init_realtime)
    extra: dict[str, frozenset[str]] = field(default_factory=dict)  # namespace -> origins

    def allowed(self, namespace: str | None, origin: str | None, host_origin: str | None) -> bool:
        """No Origin (not a browser) passes; else the app's own, or one the namespace listed
        (any namespace's, when `namespace` is None: Engine.IO's check before the namespace)."""
        if not origin:
            return True
        if origin == host_origin or origin in self.base:
            return True
        if namespace is None:
            return any(origin in listed for listed in self.extra.values())
        return origin in self.extra.get(namespace, frozenset())


def origins_of(app: Flask) -> Origins:
    found = app.extensions.get(KEY)
    if found is None:
        found = app.extensions[KEY] = Origins()
    return found


def allow_origins(app: Flask, namespace: str, origins: Iterable[str]) -> None:
    """Let these origins (besides the app's own) open sockets on `namespace`. `*` is refused:
    list each site."""
    listed = frozenset(o.rstrip("/") for o in origins if o)
    if any("*" in o for o in listed):
        raise ValueError(f"origins for {namespace} may not contain '*': list each site")
    origins_of(app).extra[namespace] = listed


def set_base(app: Flask, base: Iterable[str]) -> None:
    listed = tuple(base)
    if any("*" in o for o in listed):
        raise ValueError("socket origins may not contain '*': list each site")
    origins_of(app).base = listed


def _host_origin(environ: dict[str, Any]) -> str | None:
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    return f"{scheme}://{host}"


def engine_check(app: Flask) -> Callable[[str | None, dict[str, Any]], bool]:
    """Engine.IO's `cors_allowed_origins` callable for `app` (reads the lists when called, so
    a namespace registered after Socket.IO was bound counts too)."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        return origins_of(app).allowed(None, origin, _host_origin(environ))

    return check


def allows(namespace: str, origin: str | None = None) -> bool:
    """Whether the socket being connected (the current request) may use `namespace`."""
    if origin is None:
        origin = request.headers.get("Origin")
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return origins_of(app).allowed(namespace, origin, _host_origin(request.environ))
