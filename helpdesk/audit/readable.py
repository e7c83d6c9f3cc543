"""The traceability page's steps in words: local times, labels for kinds, roles, statuses and
seals, and each event's data as "what: value" lines with names instead of ids. The JSON export
(`audit export`) keeps the raw record; this is only how the page says it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.routing import words as routing_words
from helpdesk.web import local_time
from helpdesk.web.labels import TABLES, label
from helpdesk.web.punctuation import marks

# Plumbing a reader does not need: ids of rows shown elsewhere, timer bookkeeping.
QUIET = {"comment_id", "routing", "cycle", "fire_at", "late_ms", "notify"}


def steps(session: Session, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's steps, each with `when`, `what`, `who`, `change`, `seal_text`, `details`."""
    people, orgs = _names(session, raw)
    shown = []
    for step in raw:
        actor = step["actor"]
        role = label("role", actor["role"]) if actor else ""
        who = f"{actor['name']}{marks().paren(role)}" if actor else _("system")
        change = " → ".join(
            label("status", s) for s in (step["from_status"], step["to_status"]) if s
        )
        shown.append(
            {
                **step,
                "when": local_time(datetime.fromisoformat(step["at"])),
                "what": _what(step),
                "who": who,
                "change": change,
                "seal_text": label("seal", step["seal"]),
                "details": _details(step["data"], people, orgs),
            }
        )
    return shown


def _what(step: dict[str, Any]) -> str:
    """The step's name; a comment only staff saw is a note, as the ticket page says."""
    if step["kind"] == "commented" and step.get("internal"):
        return _("Internal note")
    return label("event", step["kind"])


def _names(session: Session, raw: list[dict[str, Any]]) -> tuple[dict[int, str], dict[int, str]]:
    user_ids: set[int] = set()
    org_ids: set[int] = set()
    for step in raw:
        data = step["data"]
        if isinstance(data.get("assignee_id"), int):
            user_ids.add(data["assignee_id"])
        user_ids |= {i for i in data.get("notified") or [] if isinstance(i, int)}
        for part in (data, data.get("from"), data.get("to")):
            if isinstance(part, dict) and isinstance(part.get("organisation_id"), int):
                org_ids.add(part["organisation_id"])
    people = {
        i: n for i, n in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    }
    chosen = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    orgs = {i: n for i, n in session.execute(chosen)}
    return people, orgs


def _details(data: dict[str, Any], people: dict[int, str], orgs: dict[int, str]) -> list:
    lines = []
    for key, value in data.items():
        if key in QUIET or value is None:
            continue
        known = key in TABLES["event_field"]
        said = _value(key, value, people, orgs)
        # a rule without a description in the rules in force, a field we have no word for
        code = (key == "rule" and said == value) or not known
        lines.append((label("event_field", key), said, code))
    return lines


def _value(key: str, value: Any, people: dict[int, str], orgs: dict[int, str]) -> str:
    if key == "channel" or (key == "reason" and value in ("duplicate", "spam")):
        return label("channel" if key == "channel" else "cancel_reason", value)
    if key == "organisation_id":
        return orgs.get(value, str(value))
    if key == "assignee_id":
        return people.get(value, str(value))
    if key in ("from", "to") and isinstance(value, dict):
        org = value.get("organisation_id")
        return orgs.get(org, "—") if isinstance(org, int) else "—"
    if key == "rule" and isinstance(value, str):
        return routing_words.names().rule(value)  # its description, as the ticket page shows
    if key == "target":
        return label("sla_target", value)
    if key == "step":
        return label("ladder_step", value)
    if key == "due_at" and isinstance(value, str):
        return local_time(datetime.fromisoformat(value))
    if key == "notified" and isinstance(value, list):
        return marks().join(people.get(i, str(i)) for i in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
