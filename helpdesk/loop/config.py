"""The loop's policy settings, from the typed HELPDESK_* settings (helpdesk/settings.py).

HELPDESK_CALLBACK_TRIES        回访: calls without an answer before the task ends unreachable (3)
HELPDESK_AUTO_CLOSE_DAYS       a resolved ticket closes by itself after this many days (7)
HELPDESK_WATCH_DAYS            the window the watch bar looks back over (90)
HELPDESK_WATCH_SATISFACTION    average rating (1-5) below which a provider is put on watch (3.5)
HELPDESK_WATCH_SLA_PERCENT     SLA compliance below which a provider is put on watch (80)
HELPDESK_WATCH_UPHELD          upheld complaints that put a provider on watch (3)
HELPDESK_WATCH_MIN_TICKETS     tickets a provider must have in the window to be judged (5)
HELPDESK_EXCELLENT_TOP         how many providers the 优秀服务机构 list names (10)
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from helpdesk.settings import settings

KEY = "helpdesk.loop"


@dataclass(frozen=True)
class LoopConfig:
    callback_tries: int = 3
    auto_close_days: int = 7
    watch_days: int = 90
    watch_satisfaction: float = 3.5
    watch_sla_percent: float = 80.0
    watch_upheld: int = 3
    watch_min_tickets: int = 5
    excellent_top: int = 10


def from_env(env: dict[str, str] | None = None) -> LoopConfig:
    given = settings(env)
    return LoopConfig(**{name: getattr(given, name) for name in LoopConfig.__dataclass_fields__})


def loop_config() -> LoopConfig:
    """The app's settings (read at the first use; tests put their own in app.extensions)."""
    config = current_app.extensions.get(KEY)
    if config is None:
        config = current_app.extensions[KEY] = from_env()
    return config
