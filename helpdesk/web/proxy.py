"""Behind a TLS proxy: the client's address, scheme and host from X-Forwarded-*, but only when
the request came through a proxy we trust (HELPDESK_TRUSTED_PROXIES).

Without it a proxy's own address was every client's (one rate limit for all), generated URLs
were http:// and the Twilio signature, made over the public https:// URL, never matched. The
fix sits in front of the Socket.IO middleware too (see HelpdeskFlask), so chat limits per
address see the client as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from helpdesk.proxies import Network, trusted

WSGI = Callable[[dict[str, Any], Any], Iterable[bytes]]


class FrontDoor:
    """ProxyFix for a fixed count, or for as many hops as are trusted addresses."""

    def __init__(self, inner: WSGI, trusted: int | tuple[Network, ...]) -> None:
        self.inner = inner
        self.trusted = trusted
        self._fixes: dict[int, ProxyFix] = {}

    def _fix(self, hops: int) -> ProxyFix:
        # Scheme, host and port: the nearest proxy's word (it is the one that set them).
        if hops not in self._fixes:
            self._fixes[hops] = ProxyFix(self.inner, x_for=hops, x_proto=1, x_host=1, x_port=1)
        return self._fixes[hops]

    def _hops(self, environ: dict[str, Any]) -> int:
        if isinstance(self.trusted, int):
            return self.trusted
        if not trusted(environ.get("REMOTE_ADDR", ""), self.trusted):
            return 0  # straight from a client: its X-Forwarded-* are its own say-so
        forwarded = [a for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        hops = 1
        for address in reversed(forwarded[1:]):  # proxies append; the first is the client
            if not trusted(address, self.trusted):
                break
            hops += 1
        return hops

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        hops = self._hops(environ)
        if not hops:
            return self.inner(environ, start_response)
        return self._fix(hops)(environ, start_response)


class HelpdeskFlask(Flask):
    """Flask whose every request passes the front door first, whatever wraps wsgi_app later
    (the Socket.IO middleware replaces it after the app is built)."""

    front_door: FrontDoor | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.front_door is None:
            return self.wsgi_app(environ, start_response)
        return self.front_door(environ, start_response)


def install(app: HelpdeskFlask, trusted: int | tuple[Network, ...]) -> None:
    if trusted:
        app.front_door = FrontDoor(lambda e, s: app.wsgi_app(e, s), trusted)
