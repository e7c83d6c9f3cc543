"""Flask-Limiter for the HTTP side of the portal and chat (the sockets count their own events).

Counters live in the app's Redis when one is configured, in memory otherwise.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

limiter = Limiter(key_func=get_remote_address)

# What one IP, and one login or browser session, may do per period.
CREATE_PER_IP = "20/hour"
CREATE_PER_SESSION = "10/hour"
LOGIN_PER_IP = "20/minute"
UPLOAD_PER_IP = "30/minute"


# The machine endpoints (JSON API, CTI webhook, voice webhook) declare no limits: their callers
# are tokens and signed PBX requests. Skipping them spares each request the limiter's lookup
# of the limits that apply (4 % of a CTI event's CPU).
MACHINE_BLUEPRINTS = frozenset({"api", "phone_api", "phone_voice"})


@limiter.request_filter
def _machine_endpoint() -> bool:
    return request.blueprint in MACHINE_BLUEPRINTS


def session_key() -> str:
    """The logged-in user, else this browser's session: the per-session half of a limit."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    marker = session.setdefault("rl", get_remote_address())
    return f"session:{marker}"


def init_app(app: Flask) -> None:
    settings = app.extensions["helpdesk.settings"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
