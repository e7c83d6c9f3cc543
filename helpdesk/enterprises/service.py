"""Enterprises: search by name, credit code or phone, and edit (issue 13, item 3).

The edit is written with its operations-log row in one transaction, as People's are; bad input
raises FieldErrors (one message per field) and a stale form VersionConflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from helpdesk.console_forms import FieldErrors, VersionConflict, commit, ensure_version
from helpdesk.directory.models import Contact, Enterprise, EnterpriseSize, Region
from helpdesk.directory.validation import validate_uscc
from helpdesk.errors import InvalidInput
from helpdesk.oplog.record import changed_fields, record_change

PAGE = 50
__all__ = ["EnterpriseData", "FieldErrors", "VersionConflict"]


@dataclass
class EnterpriseData:
    name: str = ""
    uscc: str = ""
    district: str = ""
    industry: str = ""
    size: str = ""
    address: str = ""


def snapshot(e: Enterprise) -> dict[str, Any]:
    return {
        "name": e.name,
        "uscc": e.uscc,
        "district": e.district_code,
        "industry": e.industry,
        "size": e.size.value if e.size else None,
        "address": e.address,
    }


def _phone_digits(q: str) -> str | None:
    """'0571-8700 1234' -> '57187001234' (as inside +8657187001234); None if not a phone."""
    digits = re.sub(r"[\s\-()+]", "", q)
    if not digits.isdigit() or len(digits) < 4:
        return None
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits.lstrip("0") or None


def search(session: Session, q: str, limit: int = PAGE) -> list[Enterprise]:
    """By name (any part), credit code (its start) or a contact's phone (any part). A record
    merged into another gives the kept one in its place."""
    found: list[Enterprise] = []
    for e in _matches(session, q, limit):
        e = kept(session, e)
        if e not in found:
            found.append(e)
    return found


def _matches(session: Session, q: str, limit: int) -> list[Enterprise]:
    stmt = select(Enterprise).order_by(Enterprise.name)
    text = q.strip()
    if text:
        clauses = [Enterprise.name.like(f"%{text}%"), Enterprise.uscc.like(f"{text.upper()}%")]
        digits = _phone_digits(text)
        if digits:
            phones = select(Contact.enterprise_id).where(Contact.phone.like(f"%{digits}%"))
            clauses.append(Enterprise.id.in_(phones))
        stmt = stmt.where(or_(*clauses))
    return list(session.scalars(stmt.limit(limit)))


def _check(session: Session, data: EnterpriseData, e: Enterprise) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Enter the enterprise's name.")
    elif len(name) > 120:
        errors["name"] = _("At most %(n)d characters.", n=120)
    code = ""
    try:
        code = validate_uscc(data.uscc)
    except InvalidInput:
        errors["uscc"] = _("Not a valid unified social credit code (18 characters, check digit).")
    else:
        taken = session.scalars(
            select(Enterprise.id).where(func.upper(Enterprise.uscc) == code)
        ).first()
        if taken is not None and taken != e.id:
            errors["uscc"] = _("Another enterprise has this credit code.")
    if session.get(Region, data.district) is None:
        errors["district"] = _("Choose a district.")
    size = None
    if data.size:
        try:
            size = EnterpriseSize(data.size)
        except ValueError:
            errors["size"] = _("Choose a size.")
    industry, address = data.industry.strip() or None, data.address.strip() or None
    if industry and len(industry) > 60:
        errors["industry"] = _("At most %(n)d characters.", n=60)
    if address and len(address) > 200:
        errors["address"] = _("At most %(n)d characters.", n=200)
    if errors:
        raise FieldErrors(errors)
    return {"name": name, "uscc": code, "district_code": data.district, "industry": industry,
            "size": size, "address": address}  # fmt: skip


def _conflict_message(e: Enterprise) -> str:
    return _("Someone else changed %(name)s after you opened the form. Nothing was saved: the "
             "form now shows their version.", name=e.name)  # fmt: skip


def edit(
    session: Session, actor: Any, e: Enterprise, data: EnterpriseData, version: int | None
) -> Enterprise:
    ensure_version(e.version, version, lambda: _conflict_message(e))
    values = _check(session, data, e)
    before = snapshot(e)
    for name, value in values.items():
        setattr(e, name, value)
    old, new = changed_fields(before, snapshot(e))
    if not new:
        session.rollback()
        return e
    record_change(session, actor, "enterprise.updated", "enterprise", e.id, e.uscc, old, new)
    commit(
        session,
        lambda: _conflict_message(e),
        unique=("uscc", lambda: _("Another enterprise has this credit code.")),
        refresh=e,
    )
    return e


def find(session: Session, ref: str) -> Enterprise | None:
    """By credit code (as typed, any case) or by number."""
    text = ref.strip()
    if text.isdigit() and len(text) < 18:
        return session.get(Enterprise, int(text))
    return session.scalars(
        select(Enterprise).where(func.upper(Enterprise.uscc) == text.upper())
    ).first()


def kept(session: Session, e: Enterprise) -> Enterprise:
    """The record a merged-away one points to (following a chain of merges)."""
    seen = {e.id}
    while e.merged_into_id is not None and e.merged_into_id not in seen:
        seen.add(e.merged_into_id)
        e = session.get(Enterprise, e.merged_into_id) or e
    return e


def merge(
    session: Session,
    actor: Any,
    keep: Enterprise,
    drop: Enterprise | None,
    keep_version: int | None = None,
    drop_version: int | None = None,
) -> dict[str, int]:
    """Move everything of `drop` to `keep`: tickets (each with an event, through the tickets
    service; their chats go with them), contacts, portal accounts and call records. `drop`
    stays as a pointer to `keep`, so its credit code still finds the enterprise. Returns how
    many of each moved; both records' versions go up, so a form opened before is told."""
    from helpdesk.auth.models import User
    from helpdesk.channels.phone.models import CallRecord
    from helpdesk.tickets import service as tickets
    from helpdesk.tickets.models import Ticket

    if drop is None:
        raise FieldErrors({"other": _("No enterprise has this credit code.")})
    if drop.id == keep.id:
        raise FieldErrors({"other": _("A record cannot be merged with itself.")})
    for e in (keep, drop):
        if e.merged_into_id is not None:
            raise FieldErrors(
                {"other": _("%(name)s was already merged into another record.", name=e.name)}
            )
    ensure_version(keep.version, keep_version, lambda: _conflict_message(keep))
    ensure_version(drop.version, drop_version, lambda: _conflict_message(drop))
    ticket_actor = actor if isinstance(actor, User) else None
    moved_tickets = session.scalars(
        select(Ticket).where(Ticket.enterprise_id == drop.id).order_by(Ticket.id)
    ).all()
    for ticket in moved_tickets:
        tickets.move_enterprise(session, ticket_actor, ticket, keep, drop)
    counts = {"tickets": len(moved_tickets)}
    for name, model in (("contacts", Contact), ("portal_users", User), ("calls", CallRecord)):
        result = session.execute(
            update(model).where(model.enterprise_id == drop.id).values(enterprise_id=keep.id)
        )
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    drop.merged_into_id = keep.id
    flag_modified(keep, "name")  # an UPDATE of the kept row too: its version moves
    session.expire(keep, ["contacts"])
    record_change(session, actor, "enterprise.merged", "enterprise", keep.id, keep.uscc, None,
                  {"merged_from": drop.uscc, **counts})  # fmt: skip
    record_change(session, actor, "enterprise.merged", "enterprise", drop.id, drop.uscc,
                  {"merged_into": None}, {"merged_into": keep.uscc})  # fmt: skip
    commit(session, lambda: _conflict_message(keep), refresh=keep)
    return counts
