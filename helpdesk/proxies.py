"""HELPDESK_TRUSTED_PROXIES read: a count of proxies, or their addresses. No Flask here, so the
settings can check it at start-up (helpdesk.web.proxy applies it)."""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse(raw: str | None) -> int | tuple[Network, ...]:
    """`2`: that many proxies in front; `10.0.0.5, 10.1.0.0/16`: proxies at these addresses."""
    text = (raw or "").strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part)
    except ValueError as exc:
        raise ValueError(
            f"HELPDESK_TRUSTED_PROXIES={raw!r} is neither a count nor addresses: {exc}"
        ) from exc


def trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)
