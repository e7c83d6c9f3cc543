"""Localized labels for the values pages show: statuses, types, channels, priorities, actions.

Msgids are English; the zh_CN catalogue carries the platform's own words (受理, 办结, 退单...).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.db import stored

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
    "enterprise_merged": _l("Enterprise records merged"),
    "commented": _l("Reply"),
    "rated": _l("Satisfaction rated"),
    "callback_attempted": _l("Call back: no answer"),
    "callback_unreachable": _l("Call back: caller unreachable"),
    "supervisor_followup_opened": _l("Dissatisfied: supervisor follow-up opened"),
    "supervisor_followup_done": _l("Supervisor follow-up finished"),
    "complaint_filed": _l("Complaint filed from the call back"),
    "complaint_upheld": _l("Complaint upheld"),
    "complaint_rejected": _l("Complaint not upheld"),
    "phone_revealed": _l("Phone number revealed"),
    "sla_warn": _l("SLA warning"),
    "sla_escalate": _l("Escalated to the organisation's supervisors"),
    "sla_supervise": _l("Supervised by the service centre"),
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
    "provider.watched": _l("Provider put on watch"),
    "provider.suspended": _l("Provider suspended"),
    "provider.watch_lifted": _l("Provider watch lifted"),
    "org.created": _l("Organisation created"),
    "org.updated": _l("Organisation edited"),
    "org.suspended": _l("Organisation suspended"),
    "org.reinstated": _l("Organisation reinstated"),
    "calendar.days_added": _l("Calendar days entered"),
    "calendar.day_removed": _l("Calendar day removed"),
    "catalogue.created": _l("Service added"),
    "catalogue.updated": _l("Service edited"),
    "catalogue.retired": _l("Service retired"),
    "catalogue.restored": _l("Service offered again"),
    "enterprise.updated": _l("Enterprise edited"),
    "enterprise.merged": _l("Enterprise records merged"),
    "token.issued": _l("API token issued"),
    "token.revoked": _l("API token revoked"),
    "blocked_number.added": _l("Number blocked"),
    "blocked_number.removed": _l("Number unblocked"),
    "webhook.subscribed": _l("Webhook subscribed"),
    "webhook.secret_rotated": _l("Webhook secret replaced"),
    "webhook.removed": _l("Webhook removed"),
    "webhook.redelivered": _l("Webhook delivery sent again"),
    "job.retried": _l("Failed job retried"),
    "rules.published": _l("Routing rules published"),
    "rules.rolled_back": _l("Routing rules rolled back"),
    "ivr.published": _l("IVR script published"),
    "ivr.rolled_back": _l("IVR script rolled back"),
    "sla.published": _l("SLA policies saved"),
    "sla.rolled_back": _l("SLA policies rolled back"),
}

DELIVERY_STATUS = {
    "pending": _l("Waiting"),
    "retrying": _l("Failed, will retry"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}

TOKEN_SCOPE = {
    "read": _l("Read only"),
    "write": _l("Read and write"),
    "cti": _l("PBX (CTI) only"),
}

TOKEN_STATE = {
    "live": _l("In use"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}

OUTCOME = {
    "satisfied": _l("Satisfied"),
    "basic": _l("Fairly satisfied"),
    "dissatisfied": _l("Dissatisfied"),
}

# What each score of a 1-5 rating means, shown beside its digit (5 is best).
SCORE = {
    "5": _l("Very satisfied"),
    "4": _l("Satisfied"),
    "3": _l("Neutral"),
    "2": _l("Dissatisfied"),
    "1": _l("Very dissatisfied"),
}

RATING_CHANNEL = {
    "portal": _l("Portal"),
    "chat": _l("Online chat"),
    "callback": _l("Call back"),
}

WATCH_MEASURE = {
    "satisfaction": _l("Satisfaction"),
    "sla": _l("SLA compliance"),  # its value is shown with a % sign
    "upheld": _l("Upheld complaints"),
}

WATCH_STATE = {
    "watch": _l("On watch"),
    "suspended": _l("Suspended"),
    "lifted": _l("Watch lifted"),
}


ENTERPRISE_SIZE = {"micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium")}
REGISTRATION = {
    "pending": _l("waiting for review"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
}

CALENDAR_SOURCE = {
    "entered": _l("entered by hand in this console"),
    "file": _l("a year file (routing_rules/sla/calendar)"),
    "library": _l("the chinese-calendar library"),
    "weekdays": _l("no holiday data: Monday to Friday count as working days"),
}
CALENDAR_NAME = {"business": _l("working hours on working days"), "24x7": _l("round the clock")}
DAY_KIND = {"holiday": _l("Holiday"), "workday": _l("Make-up working day")}
POLICY_FACT = {"priority": _l("Priority"), "type": _l("Type"), "category": _l("Service")}
LADDER_STEP = {
    "warn": _l("Warning"),
    "escalate": _l("Escalate"),
    "supervise": _l("Supervise"),
}
LADDER_NOTIFY = {
    "assignee": _l("whoever holds the ticket"),
    "org_supervisors": _l("the organisation's supervisors"),
    "centre_supervisors": _l("the service centre's supervisors"),
}

ORG_KIND = {
    "service_centre": _l("Service centre"),
    "workstation": _l("Workstation"),
    "contact_point": _l("Contact point"),
    "provider": _l("Service provider"),
}

PROVIDER_TYPE = {
    "finance": _l("Financial institution"),
    "technology": _l("Technology company"),
    "legal": _l("Law firm"),
    "intermediary": _l("Intermediary"),
    "expert": _l("Expert"),
}

ORG_STATUS = {"active": _l("Active"), "suspended": _l("Suspended")}

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
    # organisations
    "slug": _l("Code"),
    "kind": _l("Kind"),
    "provider_type": _l("Provider type"),
    "districts": _l("Districts served"),
    "categories": _l("Service categories"),
    "capacity": _l("Capacity"),
    "working_hours": _l("Working hours"),
    "contact_name": _l("Contact person"),
    "phone": _l("Contact phone"),
    "status": _l("State"),
    "reason": _l("Reason"),
    # calendar days
    "dates": _l("Dates"),
    "day_kind": _l("Kind of day"),
    # catalogue entries
    "name_zh": _l("Chinese name"),
    "name_en": _l("English name"),
    "position": _l("Order"),
    # enterprises
    "uscc": _l("Unified social credit code"),
    "district": _l("District"),
    "industry": _l("Industry"),
    "size": _l("Size"),
    "address": _l("Address"),
    "merged_into": _l("Merged into"),
    "merged_from": _l("Merged from"),
    "queue": _l("Queue"),
    "tickets": _l("Tickets moved"),
    "contacts": _l("Contacts moved"),
    "portal_users": _l("Portal accounts moved"),
    "calls": _l("Calls moved"),
    "user": _l("Acts as"),
    "scope": _l("Scope"),
    "expires_at": _l("Expires"),
    "revoked": _l("Revoked"),
    "note": _l("Reason"),
    "url": _l("Address (URL)"),
    "events": _l("Events"),
    "secret": _l("Signing secret"),
    "delivery": _l("Delivery"),
    # a provider put on watch by the scorecards
    "state": _l("Watch state"),
    "reasons": _l("Below the bar"),
    "window": _l("Period measured"),
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

ARTICLE_STATUS = {
    "draft": _l("Draft"),
    "review": _l("Waiting for review"),
    "published": _l("Published"),
}

NOTIFICATION = {
    "sla_warn": _l("SLA warning"),
    "sla_escalate": _l("Escalated to the organisation's supervisors"),
    "sla_supervise": _l("Supervised by the service centre"),
    "transferred": _l("A ticket was transferred to you"),
    "call_transferred": _l("A call was transferred to you"),
    "article_sent_back": _l("Your service guide was sent back"),
}

SEAL = {  # the traceability page's seal of each step
    "sealed": _l("sealed"),
    "not yet sealed": _l("not yet sealed"),
    "record altered": _l("record altered"),
    "event altered": _l("event altered"),
}
SLA_TARGET = {
    "first_response": _l("first response"),
    "next_update": _l("next update"),
    "resolution": _l("resolution"),
}
EVENT_FIELD = {  # what an event's data says, on the traceability page
    "channel": _l("Channel"),
    "organisation_id": _l("Organisation"),
    "assignee_id": _l("Assigned to"),
    "rule": _l("Routing rule"),
    "reason": _l("Reason"),
    "summary": _l("Resolution"),
    "into": _l("Merged into"),
    "target": _l("Time limit"),
    "step": _l("Step"),
    "due_at": _l("Due"),
    "notified": _l("Notified"),
    "overdue": _l("Overdue"),
    "from": _l("From"),
    "to": _l("To"),
    "score": _l("Rating"),
    "comment": _l("Comment"),
}

# /admin/system: RQ's worker states, our queues, and the settings by what they set.
WORKER_STATE = {
    "idle": _l("Idle"),
    "busy": _l("Working"),
    "started": _l("Starting"),
    "suspended": _l("Suspended"),
}
# the IVR scripts' agent queues (`group:` of a queue node); others show as written
PHONE_QUEUE = {"hotline": _l("Hotline agents")}
QUEUE = {"default": _l("Jobs (webhooks, maintenance)"), "timers": _l("SLA timers")}
SETTING = {
    "database_url": _l("Database"),
    "redis_url": _l("Redis (empty: embedded)"),
    "secret_key": _l("Session signing key"),
    "language": _l("Default language"),
    "host": _l("Listening address"),
    "port": _l("Port"),
    "testing": _l("Test mode"),
    "instance_path": _l("Instance folder"),
    "session_idle_seconds": _l("Signed out after idle (seconds)"),
    "session_lifetime_seconds": _l("Longest session (seconds)"),
    "trusted_proxies": _l("Trusted proxies"),
    "public_url": _l("Public address"),
    "secure_cookies": _l("Cookies over https only"),
}

TABLES = {
    "seal": SEAL,
    "sla_target": SLA_TARGET,
    "event_field": EVENT_FIELD,
    "worker_state": WORKER_STATE,
    "queue": QUEUE,
    "phone_queue": PHONE_QUEUE,
    "setting": SETTING,
    "article_status": ARTICLE_STATUS,
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
    "outcome": OUTCOME,
    "rating_channel": RATING_CHANNEL,
    "score": SCORE,
    "watch_measure": WATCH_MEASURE,
    "watch_state": WATCH_STATE,
    "person_field": PERSON_FIELD,
    "token_scope": TOKEN_SCOPE,
    "token_state": TOKEN_STATE,
    "delivery_status": DELIVERY_STATUS,
    "language": LANGUAGE,
    "org_kind": ORG_KIND,
    "provider_type": PROVIDER_TYPE,
    "org_status": ORG_STATUS,
    "calendar_source": CALENDAR_SOURCE,
    "calendar_name": CALENDAR_NAME,
    "day_kind": DAY_KIND,
    "policy_fact": POLICY_FACT,
    "ladder_step": LADDER_STEP,
    "ladder_notify": LADDER_NOTIFY,
    "enterprise_size": ENTERPRISE_SIZE,
    "registration": REGISTRATION,
}


def label(kind: str, value: object) -> str:
    """The localized label of `value` in table `kind`; the raw value when none is known."""
    raw = stored(value)
    found = TABLES[kind].get(str(raw))
    return str(found) if found is not None else str(raw)


def choices(kind: str, values: list[str] | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, in the table's order."""
    table = TABLES[kind]
    return [(v, str(table[v])) for v in (values if values is not None else list(table))]
