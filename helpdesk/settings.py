"""Every HELPDESK_* variable as one typed, validated object (ARCHITECTURE.md, "Settings").

This is the only module that reads the process environment. `settings()` parses it at the
first call and keeps the result; `reset()` makes the next call read it again (tests that change
a HELPDESK_* variable, through tests/conftest.py's `monkeypatch`); `settings(env)` parses a
given mapping instead, uncached. A bad value raises `SettingsError`, naming the variable and
its value, Chinese first, when the app starts.

The areas' own views (`config.Settings`, `ChatConfig`, `PhoneConfig`, `LoopConfig`,
`RetentionConfig`) are built from this object, not from the environment. No Flask here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from helpdesk.proxies import parse as parse_proxies

PREFIX = "HELPDESK_"


class SettingsError(ValueError):
    """A HELPDESK_* variable with a value the app cannot use; the message names it."""


def _whole(low: int, high: int | None = None) -> BeforeValidator:
    def check(raw: Any) -> int:
        text = str(raw).strip()
        if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
            zh, en = (f"{low} 到 {high}", f"{low} to {high}") if high else (f"≥ {low}",) * 2
            raise ValueError(f"不是整数（{zh}）/ is not a whole number ({en})")
        return int(text)

    return BeforeValidator(check)


def _above_zero(raw: Any) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise ValueError("不是数字 / is not a number") from None
    if not value > 0:
        raise ValueError("必须大于零 / must be above zero")
    return value


def _choice(*allowed: str) -> BeforeValidator:
    def check(raw: Any) -> str:
        value = str(raw).strip().lower()
        if value not in allowed:
            raise ValueError(f"可选值 / use one of: {', '.join(allowed)}")
        return value

    return BeforeValidator(check)


def _switch(raw: Any) -> bool:
    value = str(raw).strip().lower()
    if value in ("1", "on", "yes", "true"):
        return True
    if value in ("0", "off", "no", "false"):
        return False
    raise ValueError("应为 1 或 0 / is neither 1 nor 0")


def _language(raw: Any) -> str:
    if raw not in ("zh_CN", "en"):
        raise ValueError("不支持的语言 / is not supported; use one of zh_CN, en")
    return str(raw)


def _public_url(raw: Any) -> str:
    text = str(raw).strip().rstrip("/")
    if not text.startswith(("http://", "https://")) or len(text.split("/")) > 3:
        raise ValueError("应形如 / is not like https://helpdesk.example.cn")
    return text


def _proxies(raw: Any) -> str:
    text = str(raw).strip()
    try:
        parse_proxies(text)
    except ValueError:
        raise ValueError("既不是代理个数也不是地址 / is neither a count nor addresses") from None
    return text


def _origins(raw: Any) -> tuple[str, ...]:
    found = []
    for part in str(raw).split(","):
        value = part.strip().rstrip("/")
        if not value:
            continue
        if "*" in value:
            raise ValueError("不能含 '*'，请逐一列出站点 / may not contain '*': list each origin")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ValueError(f"{part.strip()!r} 不是来源 / is not an origin like https://a.cn")
        found.append(value)
    return tuple(found)


def _rates(raw: Any) -> tuple[int, int, int]:
    parts = str(raw).strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError("应形如 60/30/5 / must look like 60/30/5 (messages/connections/starts)")
    return int(parts[0]), int(parts[1]), int(parts[2])


def _sip_host(raw: Any) -> str:
    host = str(raw).strip()
    if not host or any(c in host for c in "@/<>\"' ") or not host.isascii():
        raise ValueError("不是主机名 / is not a host name (e.g. pbx.example.cn:5060)")
    return host


Positive = Annotated[int, _whole(1)]
Hours = Annotated[Literal["calendar", "always"], _choice("calendar", "always")]


def _var(default: Any, name: str, description: str, **extra: Any) -> Any:
    return Field(default, alias=PREFIX + name, description=description, **extra)


class EnvSettings(BaseModel):
    """One field per documented variable; the alias is the variable's name."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # The app (config.Settings)
    instance_path: Path = _var(Path("instance"), "INSTANCE_PATH", "folder for keys and SQLite")
    database_url: str | None = _var(None, "DATABASE_URL", "SQLAlchemy URL; unset: SQLite file")
    redis_url: str | None = _var(None, "REDIS_URL", "external Redis; unset: an embedded one")
    secret_key: str | None = _var(
        None, "SECRET_KEY", "session key; unset: kept in instance", repr=False
    )
    language: Annotated[str, BeforeValidator(_language)] = _var(
        "zh_CN", "LANGUAGE", "default page language: zh_CN or en"
    )
    host: str = _var("127.0.0.1", "HOST", "address the web process listens on")
    port: Annotated[int, _whole(1, 65535)] = _var(5000, "PORT", "port the web process listens on")
    public_url: Annotated[str | None, BeforeValidator(_public_url)] = _var(
        None, "PUBLIC_URL", "the address people reach, e.g. https://helpdesk.example.cn"
    )
    trusted_proxies: Annotated[str, BeforeValidator(_proxies)] = _var(
        "", "TRUSTED_PROXIES", "proxies in front: a count, or their addresses"
    )
    secure_cookies: Annotated[bool | None, BeforeValidator(_switch)] = _var(
        None, "SECURE_COOKIES", "cookies only over https; unset: when PUBLIC_URL is https"
    )
    session_idle_minutes: Positive = _var(120, "SESSION_IDLE_MINUTES", "login ends after idle")
    session_hours: Positive = _var(12, "SESSION_HOURS", "login ends this long after it began")
    # Files outside the database
    rules_dir: Path | None = _var(None, "RULES_DIR", "routing rules folder; unset: routing_rules/")
    sla_folder: Path | None = _var(None, "SLA_FOLDER", "SLA policies; unset: routing_rules/sla")
    ivr_scripts: Path | None = _var(None, "IVR_SCRIPTS", "IVR scripts; unset: ivr_scripts/")
    audit_key: str | None = _var(
        None, "AUDIT_KEY", "checkpoint HMAC key; unset: instance", repr=False
    )
    audit_checkpoints: Path | None = _var(None, "AUDIT_CHECKPOINTS", "checkpoint log file")
    # Desks, webhooks, portal
    after_call_seconds: Annotated[int, _whole(0)] = _var(
        120, "AFTER_CALL_SECONDS", "after-call work before an agent is free again (0: manual)"
    )
    webhook_private: Annotated[str, _choice("allow", "deny")] = _var(
        "deny", "WEBHOOK_PRIVATE", "whether webhooks may point at private addresses"
    )
    portal_auto_approve: Annotated[bool | None, BeforeValidator(_switch)] = _var(
        None, "PORTAL_AUTO_APPROVE", "approve enterprise sign-ups; unset: on SQLite only"
    )
    # Chat
    chat_origins: Annotated[tuple[str, ...], BeforeValidator(_origins)] = _var(
        (), "CHAT_ORIGINS", "comma-separated sites that may embed the chat widget"
    )
    chat_max_chats: Positive = _var(3, "CHAT_MAX_CHATS", "concurrent chats per agent")
    chat_message_chars: Positive = _var(2000, "CHAT_MESSAGE_CHARS", "longest chat message")
    chat_file_bytes: Positive = _var(1024 * 1024, "CHAT_FILE_BYTES", "largest chat/portal file")
    chat_rate: Annotated[tuple[int, int, int], BeforeValidator(_rates)] = _var(
        (60, 30, 5), "CHAT_RATE", "messages/connections/starts per minute per IP"
    )
    chat_hours: Hours = _var("calendar", "CHAT_HOURS", "calendar (working hours) or always")
    # Phone
    cti_token: str | None = _var(None, "CTI_TOKEN", "token in /api/v1/cti/<token>", repr=False)
    ivr_secret: str | None = _var(None, "IVR_SECRET", "X-Twilio-Signature secret", repr=False)
    cti_caller_id: str | None = _var(None, "CTI_CALLER_ID", "caller id on outbound calls")
    agi_dial: str = _var("PJSIP/{target}", "AGI_DIAL", "Asterisk dial string for a transfer")
    prompt_url: str | None = _var(None, "PROMPT_URL", "base URL of recorded prompts")
    sip_host: Annotated[str, BeforeValidator(_sip_host)] = _var(
        "pbx", "SIP_HOST", "host a TwiML transfer dials an extension at"
    )
    call_stale_minutes: Positive = _var(240, "CALL_STALE_MINUTES", "silent live call is ended")
    phone_hours: Hours = _var("calendar", "PHONE_HOURS", "calendar (working hours) or always")
    queue_announce_seconds: Annotated[int, _whole(10, 600)] = _var(
        30, "QUEUE_ANNOUNCE_SECONDS", "a waiting caller hears their place this often"
    )
    # The loop (回访, auto-close, watch bar)
    callback_tries: Positive = _var(3, "CALLBACK_TRIES", "unanswered 回访 calls before giving up")
    auto_close_days: Positive = _var(7, "AUTO_CLOSE_DAYS", "resolved ticket closes after")
    watch_days: Positive = _var(90, "WATCH_DAYS", "window the watch bar looks back over")
    watch_satisfaction: Annotated[float, BeforeValidator(_above_zero)] = _var(
        3.5, "WATCH_SATISFACTION", "average rating below which a provider is watched"
    )
    watch_sla_percent: Annotated[float, BeforeValidator(_above_zero)] = _var(
        80.0, "WATCH_SLA_PERCENT", "SLA compliance below which a provider is watched"
    )
    watch_upheld: Positive = _var(3, "WATCH_UPHELD", "upheld complaints that put one on watch")
    watch_min_tickets: Positive = _var(5, "WATCH_MIN_TICKETS", "tickets needed to be judged")
    excellent_top: Positive = _var(10, "EXCELLENT_TOP", "how many 优秀服务机构 are listed")
    # Retention (登记备案留档), in days
    retention_call_records_days: Positive = _var(
        1095, "RETENTION_CALL_RECORDS_DAYS", "callers' numbers on call records"
    )
    retention_chat_transcripts_days: Positive = _var(
        1095, "RETENTION_CHAT_TRANSCRIPTS_DAYS", "chat messages and transcripts"
    )
    retention_attachments_days: Positive = _var(
        1095, "RETENTION_ATTACHMENTS_DAYS", "uploaded files' contents"
    )
    retention_contacts_days: Positive = _var(
        1095, "RETENTION_CONTACTS_DAYS", "contacts, from their last ticket or call"
    )


def variable_names() -> list[str]:
    return [str(field.alias) for field in EnvSettings.model_fields.values()]


def parse(env: Mapping[str, str]) -> EnvSettings:
    """The settings in `env`; empty values count as unset. SettingsError names each bad one."""
    given = {k: v for k, v in env.items() if k.startswith(PREFIX) and v.strip()}
    try:
        return EnvSettings.model_validate(given)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            reason = str(error.get("ctx", {}).get("error") or error["msg"])
            lines.append(f"{name}={given.get(name, '')!r}: {reason}")
        raise SettingsError("设置有误 / invalid setting: " + "; ".join(lines)) from None


_cached: EnvSettings | None = None


def settings(env: Mapping[str, str] | None = None) -> EnvSettings:
    """The process's settings, parsed at the first call and kept (the environment of a running
    process does not change); or those in `env` when given, uncached."""
    global _cached
    if env is not None:
        return parse(env)
    if _cached is None:
        _cached = parse(os.environ)
    return _cached


def reset() -> None:
    """Forget the parsed settings: the next `settings()` reads the environment again. Tests
    call it when they change a HELPDESK_* variable (tests/conftest.py's `monkeypatch` does)."""
    global _cached
    _cached = None


def environ() -> dict[str, str]:
    """A copy of the whole environment, for a child process (runner.serve)."""
    return dict(os.environ)
