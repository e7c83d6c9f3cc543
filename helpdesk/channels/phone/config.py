"""The phone channel's settings, from HELPDESK_* environment variables, read once per app.

HELPDESK_CTI_TOKEN      the token in /api/v1/cti/<token> (else one generated in the instance folder)
HELPDESK_IVR_SECRET     the shared secret of X-Twilio-Signature (unset: only logged-in simulator)
HELPDESK_CTI_CALLER_ID  the caller id to show on outbound calls (the `dial` reply)
HELPDESK_AGI_DIAL       Asterisk dial string for a transfer, `{target}` replaced (PJSIP/{target})
HELPDESK_PROMPT_URL     base URL of recorded prompts for TwiML <Play>
HELPDESK_SIP_HOST       the host a TwiML transfer dials an extension at, sip:<ext>@host (pbx)
HELPDESK_CALL_STALE_MINUTES  a live call with no event for this long is ended by the sweep (240)
HELPDESK_QUEUE_ANNOUNCE_SECONDS  a caller waiting in the queue hears their place and wait again
                        this often (30; 10 to 600)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

KEY = "helpdesk.phone"


@dataclass(frozen=True)
class PhoneConfig:
    cti_token: str
    ivr_secret: str | None = None
    outbound_caller_id: str | None = None
    agi_dial: str = "PJSIP/{target}"
    prompt_url: str | None = None
    stale_call_minutes: int = 240  # no hotline call lasts four hours without a single event
    sip_host: str = "pbx"
    always_open: bool = False  # HELPDESK_PHONE_HOURS=always: the IVR never says "closed"
    queue_announce_seconds: int = 30  # a waiting caller hears their place again this often


def _instance_token(instance: Path) -> str:
    path = instance / "cti_token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


def from_env(instance: Path, env: dict[str, str] | None = None) -> PhoneConfig:
    env = dict(os.environ if env is None else env)
    return PhoneConfig(
        cti_token=env.get("HELPDESK_CTI_TOKEN") or _instance_token(instance),
        ivr_secret=env.get("HELPDESK_IVR_SECRET") or None,
        outbound_caller_id=env.get("HELPDESK_CTI_CALLER_ID") or None,
        agi_dial=env.get("HELPDESK_AGI_DIAL") or "PJSIP/{target}",
        prompt_url=env.get("HELPDESK_PROMPT_URL") or None,
        stale_call_minutes=_minutes(env, "HELPDESK_CALL_STALE_MINUTES", 240),
        sip_host=_sip_host(env.get("HELPDESK_SIP_HOST") or "pbx"),
        always_open=_always_open(env.get("HELPDESK_PHONE_HOURS") or "calendar"),
        queue_announce_seconds=_announce_seconds(env.get("HELPDESK_QUEUE_ANNOUNCE_SECONDS") or ""),
    )


def _announce_seconds(raw: str) -> int:
    """Often enough that a caller knows they are not forgotten, not so often it is all they hear."""
    value = raw.strip()
    if not value:
        return 30
    if not value.isdigit() or not 10 <= int(value) <= 600:
        raise ValueError(
            f"HELPDESK_QUEUE_ANNOUNCE_SECONDS={raw!r} is not a whole number of seconds (10 to 600)"
        )
    return int(value)


def _sip_host(raw: str) -> str:
    host = raw.strip()
    if not host or any(c in host for c in "@/<>\"' ") or not host.isascii():
        raise ValueError(f"HELPDESK_SIP_HOST={raw!r} is not a host name (e.g. pbx.example.cn:5060)")
    return host


def _always_open(raw: str) -> bool:
    """HELPDESK_PHONE_HOURS: `calendar` (the IVR's hours follow the business calendar) or
    `always` (a round-the-clock hotline)."""
    value = raw.strip().lower()
    if value not in ("calendar", "always"):
        raise ValueError(f"HELPDESK_PHONE_HOURS={raw!r}: use calendar or always")
    return value == "always"


def _minutes(env: dict[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r} is not a whole number of minutes (1 or more)")
    return int(raw)


def init_app(app: Flask) -> None:
    settings = app.extensions["helpdesk.settings"]
    app.extensions[KEY] = from_env(settings.instance_path)


def phone_config(app: Flask | None = None) -> PhoneConfig:
    target = app or current_app
    return target.extensions[KEY]
