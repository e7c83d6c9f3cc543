"""SLA: business calendar, policies, the clock, timers in RQ and the escalation ladder."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the SLA clock's session hooks and ask for sealing after each ticket change."""
    from helpdesk.audit.jobs import on_ticket_changed
    from helpdesk.sla import service  # noqa: F401 - registers the session hooks
    from helpdesk.tickets.signals import ticket_changed

    ticket_changed.connect(on_ticket_changed, weak=False)
