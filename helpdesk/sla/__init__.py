"""SLA: business calendar, policies, the clock, timers in RQ and the escalation ladder."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the SLA clock's session hook (it writes the SLA rows of each ticket change)."""
    from helpdesk.sla import service  # noqa: F401 - registers the session hook
