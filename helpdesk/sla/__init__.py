"""SLA: business calendar, policies, the clock, timers in RQ and the escalation ladder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: the SLA clock and calendar import without Flask
    from flask import Flask


def init_app(app: Flask) -> None:
    """Install the SLA clock's session hook (it writes the SLA rows of each ticket change)."""
    from helpdesk.sla import service  # noqa: F401 - registers the session hook
