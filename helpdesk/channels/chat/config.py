"""The chat channel's settings, from HELPDESK_* environment variables, read once per app.

HELPDESK_CHAT_ORIGINS        comma-separated origins of sites that may embed the widget and open
                             its socket (the app's own origin is always allowed; `*` is refused)
HELPDESK_CHAT_MAX_CHATS      concurrent chats one agent may hold (default 3)
HELPDESK_CHAT_MESSAGE_CHARS  longest chat message (default 2000 characters)
HELPDESK_CHAT_FILE_BYTES     largest file in a chat or a portal reply (default 1 MB)
HELPDESK_CHAT_RATE           socket limits, `messages/connections/starts` per minute, per IP
                             (and per session for messages), default 60/30/5
HELPDESK_CHAT_HOURS          `calendar` (default: chat is open in working hours of the business
                             calendar) or `always` (a round-the-clock desk)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app

KEY = "helpdesk.chat"


@dataclass(frozen=True)
class ChatConfig:
    origins: tuple[str, ...] = ()
    max_chats: int = 3
    message_chars: int = 2000
    file_bytes: int = 1024 * 1024
    messages_per_minute: int = 60
    connections_per_minute: int = 30
    starts_per_minute: int = 5
    always_open: bool = False

    def origin_allowed(self, origin: str | None, host_origin: str | None = None) -> bool:
        """No Origin header (not a browser, or a same-origin GET) passes; a browser's Origin
        must be this site's own or one listed."""
        if not origin:
            return True
        return origin == host_origin or origin in self.origins


def _origin(text: str) -> str:
    value = text.strip().rstrip("/")
    if value == "*" or "*" in value:
        raise ValueError("HELPDESK_CHAT_ORIGINS may not contain '*': list each site's origin")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise ValueError(f"HELPDESK_CHAT_ORIGINS: {text!r} is not an origin like https://a.cn")
    return value


def _int(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name}={text!r} is not a positive whole number")
    return int(text)


def from_env(env: dict[str, str] | None = None) -> ChatConfig:
    env = dict(os.environ if env is None else env)
    origins = tuple(_origin(o) for o in env.get("HELPDESK_CHAT_ORIGINS", "").split(",") if o)
    rates = (env.get("HELPDESK_CHAT_RATE") or "60/30/5").split("/")
    if len(rates) != 3 or not all(r.isdigit() and int(r) > 0 for r in rates):
        raise ValueError("HELPDESK_CHAT_RATE must look like 60/30/5 (messages/connections/starts)")
    return ChatConfig(
        origins=origins,
        max_chats=_int(env, "HELPDESK_CHAT_MAX_CHATS", 3),
        message_chars=_int(env, "HELPDESK_CHAT_MESSAGE_CHARS", 2000),
        file_bytes=_int(env, "HELPDESK_CHAT_FILE_BYTES", 1024 * 1024),
        messages_per_minute=int(rates[0]),
        connections_per_minute=int(rates[1]),
        starts_per_minute=int(rates[2]),
        always_open=_hours(env.get("HELPDESK_CHAT_HOURS", "calendar")),
    )


def _hours(text: str) -> bool:
    if text not in ("calendar", "always"):
        raise ValueError(f"HELPDESK_CHAT_HOURS={text!r}: use calendar or always")
    return text == "always"


def init_app(app: Flask) -> None:
    app.extensions[KEY] = from_env()


def chat_config(app: Flask | None = None) -> ChatConfig:
    return (app or current_app).extensions[KEY]
