"""Where a webhook may point: http(s) to a public address, unless the setting allows private
ones. Checked when subscribing and again before every delivery (DNS can change)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context

from helpdesk.settings import settings

SETTING = "HELPDESK_WEBHOOK_PRIVATE"  # allow | deny (default)
KEY = "helpdesk.webhooks.allow_private"


class UnsafeUrl(ValueError):
    """The message says why, in English for logs; `reason` picks the page's words."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # "form" | "private" | "unresolvable"


def allow_private() -> bool:
    if has_app_context() and KEY in current_app.extensions:
        return bool(current_app.extensions[KEY])
    return settings().webhook_private == "allow"


def init_app(app: Flask) -> None:
    app.extensions[KEY] = settings().webhook_private == "allow"


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )  # fmt: skip


def check(url: str) -> None:
    """UnsafeUrl unless `url` is http(s) with a host whose every address is public (or the
    setting allows private ones)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("form", "not an http(s) URL with a host")
    if parts.username or parts.password:
        raise UnsafeUrl("form", "credentials in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("form", "bad port") from None
    if allow_private():
        return
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl("unresolvable", f"{parts.hostname} does not resolve") from None
    addresses = {str(info[4][0]) for info in found}
    if not addresses or any(_private(a) for a in addresses):
        raise UnsafeUrl("private", f"{parts.hostname} is a private or loopback address")
