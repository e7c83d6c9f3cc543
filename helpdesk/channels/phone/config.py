"""The phone channel's settings, from the typed HELPDESK_* settings, read once per app.

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

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from helpdesk.settings import settings

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
    given = settings(env)
    return PhoneConfig(
        cti_token=given.cti_token or _instance_token(instance),
        ivr_secret=given.ivr_secret,
        outbound_caller_id=given.cti_caller_id,
        agi_dial=given.agi_dial,
        prompt_url=given.prompt_url,
        stale_call_minutes=given.call_stale_minutes,
        sip_host=given.sip_host,
        always_open=given.phone_hours == "always",
        queue_announce_seconds=given.queue_announce_seconds,
    )


def init_app(app: Flask) -> None:
    settings = app.extensions["helpdesk.settings"]
    app.extensions[KEY] = from_env(settings.instance_path)


def phone_config(app: Flask | None = None) -> PhoneConfig:
    target = app or current_app
    return target.extensions[KEY]
