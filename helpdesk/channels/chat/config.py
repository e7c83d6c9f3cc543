"""The chat channel's settings, from the typed HELPDESK_* settings, read once per app.

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

from dataclasses import dataclass

from flask import Flask, current_app

from helpdesk.settings import settings

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


def from_env(env: dict[str, str] | None = None) -> ChatConfig:
    given = settings(env)
    messages, connections, starts = given.chat_rate
    return ChatConfig(
        origins=given.chat_origins,
        max_chats=given.chat_max_chats,
        message_chars=given.chat_message_chars,
        file_bytes=given.chat_file_bytes,
        messages_per_minute=messages,
        connections_per_minute=connections,
        starts_per_minute=starts,
        always_open=given.chat_hours == "always",
    )


def init_app(app: Flask) -> None:
    app.extensions[KEY] = from_env()


def chat_config(app: Flask | None = None) -> ChatConfig:
    return (app or current_app).extensions[KEY]
