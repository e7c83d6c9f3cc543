"""Localized labels for the values pages show: statuses, types, channels, priorities, actions.

Msgids are English; the zh_CN catalogue carries the platform's own words (受理, 办结, 退单...).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "pending": _l("Pending (waiting on the enterprise)"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
    "merged": _l("Merged"),
    "open": _l("All open"),
}

TYPE = {
    "request": _l("Request"),
    "inquiry": _l("Inquiry"),
    "complaint": _l("Complaint"),
    "suggestion": _l("Suggestion"),
}

CHANNEL = {
    "phone": _l("Phone"),
    "chat": _l("Chat"),
    "portal": _l("Portal"),
    "walk_in": _l("Walk-in"),
}

PRIORITY = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}

ACTION = {
    "assign": _l("Route"),
    "accept": _l("Accept"),
    "start": _l("Start work"),
    "pend": _l("Wait for the enterprise"),
    "resume": _l("Resume"),
    "resolve": _l("Resolve"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "decline": _l("Decline (send back)"),
    "transfer": _l("Transfer"),
    "cancel": _l("Cancel"),
    "merge": _l("Merge into another ticket"),
    "comment": _l("Comment"),
}

EVENT = {
    "created": _l("Ticket created"),
    "assigned": _l("Routed"),
    "accepted": _l("Accepted"),
    "started": _l("Work started"),
    "pended": _l("Waiting for the enterprise"),
    "resumed": _l("Resumed"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "declined": _l("Declined (sent back)"),
    "transferred": _l("Transferred"),
    "cancelled": _l("Cancelled"),
    "merged": _l("Merged into another ticket"),
    "merged_from": _l("A duplicate was merged into this ticket"),
    "commented": _l("Reply"),
    "rated": _l("Rated by the enterprise"),
    "phone_revealed": _l("Phone number revealed"),
    "sla_warn": _l("SLA warning"),
    "sla_escalate": _l("Escalated to the organisation's supervisors"),
    "sla_supervise": _l("Supervised (督办) by the service centre"),
}

ROLE = {
    "agent": _l("Agent"),
    "supervisor": _l("Supervisor"),
    "provider": _l("Provider staff"),
    "enterprise": _l("Enterprise user"),
    "admin": _l("Administrator"),
}

ADMIN_CHANGE = {
    "user.created": _l("Person created"),
    "user.updated": _l("Person edited"),
    "user.disabled": _l("Person disabled"),
    "user.enabled": _l("Person re-enabled"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.password_changed": _l("Password changed by its owner"),
    "user.sessions_ended": _l("Sessions ended"),
}

# The fields a change shows, as the People form names them.
PERSON_FIELD = {
    "login": _l("Login"),
    "name": _l("Name"),
    "role": _l("Role"),
    "organisation": _l("Organisation"),
    "enterprise": _l("Enterprise"),
    "skills": _l("Skills"),
    "extension": _l("Extension"),
    "languages": _l("Languages"),
    "active": _l("Active"),
    "password": _l("Password"),
    "must_change_password": _l("Must change password"),
    "sessions": _l("Sessions"),
}

LANGUAGE = {"zh": _l("Chinese"), "en": _l("English")}

CANCEL_REASON = {
    "duplicate": _l("Duplicate"),
    "spam": _l("Spam or nuisance call"),
}

CALL_STATUS = {
    "ringing": _l("Ringing or waiting"),
    "answered": _l("On the line"),
    "ended": _l("Ended"),
}

NOTIFICATION = {
    "sla_warn": _l("SLA warning"),
    "sla_escalate": _l("Escalated to the organisation's supervisors"),
    "sla_supervise": _l("Supervised (督办) by the service centre"),
    "transferred": _l("A ticket was transferred to you"),
    "call_transferred": _l("A call was transferred to you"),
}

TABLES = {
    "notification": NOTIFICATION,
    "call_status": CALL_STATUS,
    "status": STATUS,
    "type": TYPE,
    "channel": CHANNEL,
    "priority": PRIORITY,
    "action": ACTION,
    "event": EVENT,
    "role": ROLE,
    "cancel_reason": CANCEL_REASON,
    "admin_change": ADMIN_CHANGE,
    "person_field": PERSON_FIELD,
    "language": LANGUAGE,
}


def label(kind: str, value: object) -> str:
    """The localized label of `value` in table `kind`; the raw value when none is known."""
    raw = getattr(value, "value", value)
    found = TABLES[kind].get(str(raw))
    return str(found) if found is not None else str(raw)


def choices(kind: str, values: list[str] | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, in the table's order."""
    table = TABLES[kind]
    return [(v, str(table[v])) for v in (values if values is not None else list(table))]
