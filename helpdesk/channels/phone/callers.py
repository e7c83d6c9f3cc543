"""Who is calling: the number in E.164, its city and carrier, and the contact or enterprise.

phonenumbers resolves fixed lines to their city (+8657187001234 -> 浙江省杭州市) and mobiles to
where they were registered, with the carrier; a mobile's city is only a hint (ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Contact, Enterprise
from helpdesk.directory.phone_format import national
from helpdesk.directory.validation import normalise_phone
from helpdesk.errors import InvalidInput
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

HANGZHOU_CITY = "330100"
RECENT_TICKETS = 5


@dataclass(frozen=True)
class NumberInfo:
    raw: str
    e164: str | None
    city: str | None = None
    carrier: str | None = None
    mobile: bool = False

    @property
    def district_hint(self) -> str | None:
        """City level only: a Hangzhou number says 杭州市, never which district."""
        return HANGZHOU_CITY if self.city and "杭州" in self.city else None


@lru_cache(maxsize=16384)
def identify_number(raw: str) -> NumberInfo:
    text = (raw or "").strip()
    e164 = _e164(text)
    if e164 is None:
        return NumberInfo(text, None)
    number = phonenumbers.parse(e164)
    kind = phonenumbers.number_type(number)
    mobile = kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    # Imported at the first call: the city and carrier data took a seventh of a worker's start
    # (profiled), and a restarted worker should be firing due timers, not loading maps.
    from phonenumbers import carrier, geocoder

    city = geocoder.description_for_number(number, "zh") or None
    operator = carrier.name_for_number(number, "zh") or None if mobile else None
    return NumberInfo(text, e164, city, operator, mobile)


def _e164(text: str) -> str | None:
    if not text or text.lower() in ("anonymous", "unknown", "restricted"):
        return None
    candidates = [text]
    digits = text.lstrip("+")
    if text.startswith("00"):
        candidates.insert(0, "+" + text[2:])
    elif digits.isdigit() and not text.startswith("+") and len(digits) > 11:
        candidates.append("+" + digits)  # PBXs often send the country code without the plus
    for candidate in candidates:
        try:
            return normalise_phone(candidate)
        except InvalidInput:
            continue
    return None


@dataclass(frozen=True)
class Match:
    contact: Contact | None
    enterprise: Enterprise | None


def match(session: Session, e164: str | None) -> Match:
    if not e164:
        return Match(None, None)
    contact = session.scalars(
        select(Contact)
        .where(Contact.phone == e164)
        .order_by(Contact.enterprise_id.is_(None), Contact.id)
        .limit(1)
    ).first()
    enterprise = (
        session.get(Enterprise, contact.enterprise_id)
        if contact and contact.enterprise_id
        else None
    )
    return Match(contact, enterprise)


def profile(session: Session, info: NumberInfo, found: Match) -> dict[str, Any]:
    """What the screen pop shows: the number, city, carrier, contact, enterprise, recent tickets."""
    enterprise = found.enterprise
    data: dict[str, Any] = {
        "number": info.e164 or info.raw,
        "number_display": national(info.e164) if info.e164 else info.raw,
        "city": info.city,
        "carrier": info.carrier,
        "mobile": info.mobile,
        "contact": {"id": found.contact.id, "name": found.contact.name} if found.contact else None,
        "enterprise": None,
        "recent_tickets": [],
        "open_tickets": [],
    }
    if enterprise is not None:
        data["enterprise"] = {
            "id": enterprise.id,
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "district": enterprise.district_code,
            "industry": enterprise.industry,
            "size": enterprise.size.value if enterprise.size else None,
            "tags": list(enterprise.tags or []),
        }
    if enterprise is not None or found.contact is not None:
        stmt = select(Ticket.number, Ticket.subject, Ticket.status, Ticket.created_at)
        if enterprise is not None:
            stmt = stmt.where(Ticket.enterprise_id == enterprise.id)
        elif found.contact is not None:
            stmt = stmt.where(Ticket.contact_id == found.contact.id)
        rows = session.execute(stmt.order_by(Ticket.id.desc()).limit(RECENT_TICKETS))
        data["recent_tickets"] = [
            {"number": n, "subject": s, "status": st.value, "created_at": c.isoformat()}
            for n, s, st, c in rows
        ]
        # What the caller most likely rings about: their tickets still being worked on.
        still_open = session.execute(
            stmt.where(Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.id.desc())
            .limit(RECENT_TICKETS)
        )
        data["open_tickets"] = [
            {"number": n, "subject": s, "status": st.value, "created_at": c.isoformat()}
            for n, s, st, c in still_open
        ]
    return data
