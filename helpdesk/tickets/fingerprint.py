"""What a ticket row and a comment looked like after each change, as short digests (pure).

The tickets service stores them with every event (`ticket_event.state`), where the audit chain
seals them; `helpdesk audit verify` recomputes them from the current rows (helpdesk.audit.replay)
and names the ticket and the field when a row was changed behind the service's back (issue 16
item 9). Digests, not values: the chain holds no subject or description text, and the
comparison still names the field.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any

# The row's fields that only the tickets service changes, each with an event.
TRACKED = (
    "number",
    "type",
    "channel",
    "category_code",
    "district_code",
    "enterprise_id",
    "subject",
    "description",
    "priority",
    "status",
    "assigned_org_id",
    "assignee_id",
    "merged_into_id",
)


# Digests of short text and whole numbers already taken: a new ticket's two events digest the
# same 13 fields, most of them unchanged between the two, and codes and ids recur across
# tickets. Bounded: at most 4096 values of at most 256 characters.
_taken: dict[tuple[type, Any], str] = {}


def digest(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    kind = type(value)
    if not (kind is int or (kind is str and len(value) <= 256)):
        return _digest(value)
    key = (kind, value)  # by type too: 1 and True are equal keys but not the same text
    found = _taken.get(key)
    if found is None:
        found = _digest(value)
        if len(_taken) >= 4096:
            _taken.clear()
        _taken[key] = found
    return found


def _digest(value: Any) -> str:
    return hashlib.sha256(_json(value).encode("utf-8")).hexdigest()[:16]


def _json(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False, sort_keys=True), the same text; a row's fields
    (text, whole numbers, None) without the encoder's set-up, which was most of the cost of
    the 26 digests each new ticket's two events take (bench/probes.py --profile)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def of_row(values: Mapping[str, Any] | Any) -> dict[str, str]:
    """{field: digest} of a Ticket (or a mapping of its columns)."""
    get = values.get if isinstance(values, Mapping) else lambda name: getattr(values, name)
    return {name: digest(get(name)) for name in TRACKED}


def of_comment(body: str, internal: bool) -> str:
    return digest([body, bool(internal)])
