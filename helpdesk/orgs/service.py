"""Organisations: create, edit, suspend and reinstate (issue 13, item 2).

Pages (`helpdesk.orgs.views`) and the CLI (`helpdesk org ...`) both call here, as People does:
each change is written with its operations-log row in one transaction (who, when, before ->
after), bad input raises `FieldErrors` (one message per field), and a stale form raises
`VersionConflict`. A suspended organisation gets no new tickets: the routing engine skips
inactive organisations, and the directory snapshot it reads is invalidated by the change (this
process at flush, the others through the version fingerprint, see routing.service).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from helpdesk.console_forms import (
    FieldErrors,
    VersionConflict,
    commit,
    ensure_version,
    last_change,
)
from helpdesk.directory.models import (
    Organisation,
    OrgKind,
    OrgStatus,
    ProviderType,
    Region,
    ServiceCategory,
)
from helpdesk.directory.validation import normalise_phone
from helpdesk.errors import DomainError, InvalidInput
from helpdesk.oplog.record import changed_fields, record_change
from helpdesk.people.service import split_list
from helpdesk.tickets.models import Ticket

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
NAME_LIMIT = 120
REASON_LIMIT = 200
MAX_CAPACITY = 100_000

__all__ = ["FieldErrors", "OrgData", "VersionConflict", "split_list"]


@dataclass
class OrgData:
    """What the form or the CLI gives; strings as typed, checked by `_check`."""

    slug: str = ""
    name: str = ""
    kind: str = ""
    provider_type: str = ""
    districts: list[str] = field(default_factory=list)  # region codes
    categories: list[str] = field(default_factory=list)  # service catalogue codes
    capacity: str = "50"
    working_hours: str = ""
    contact_name: str = ""
    phone: str = ""


def snapshot(org: Organisation) -> dict[str, Any]:
    """An organisation as the operations log shows it."""
    return {
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind.value,
        "provider_type": org.provider_type.value if org.provider_type else None,
        "districts": sorted(r.code for r in org.regions),
        "categories": sorted(c.code for c in org.categories),
        "capacity": org.capacity,
        "working_hours": org.working_hours,
        "contact_name": org.contact_name,
        "phone": org.phone,
        "status": org.status.value,
    }


def open_count(session: Session, org_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.assigned_org_id == org_id, Ticket.is_open.is_(True)
            )
        )
        or 0
    )


def open_tickets(session: Session, org_id: int, limit: int = 200) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.assigned_org_id == org_id, Ticket.is_open.is_(True))
            .order_by(Ticket.created_at)
            .limit(limit)
        )
    )


def _hours(raw: str) -> str | None:
    """'08:30-12:00, 13:30-17:30' (ASCII or Chinese punctuation) -> the canonical text."""
    text = raw.strip().replace("：", ":").replace("–", "-").replace("—", "-").replace("~", "-")
    if not text:
        return None
    periods = [p.replace(" ", "") for p in re.split(r"[,，;；]+", text) if p.strip()]
    for period in periods:
        if not HOURS_RE.match(period):
            raise ValueError(period)
        start, end = period.split("-")
        if end <= start:
            raise ValueError(period)
    return ", ".join(periods)


def _check(session: Session, data: OrgData, org: Organisation | None) -> dict[str, Any]:
    """The checked values, or FieldErrors naming every bad field."""
    errors: dict[str, str] = {}
    slug = data.slug.strip().lower()
    if not SLUG_RE.match(slug):
        errors["slug"] = _(
            "2 to 64 lowercase letters, digits or dashes, starting with a letter or digit."
        )
    else:
        taken = session.scalars(select(Organisation.id).where(Organisation.slug == slug)).first()
        if taken is not None and (org is None or taken != org.id):
            errors["slug"] = _("The code %(slug)s is already taken.", slug=slug)
    name = data.name.strip()
    if not name:
        errors["name"] = _("Enter the organisation's name.")
    elif len(name) > NAME_LIMIT:
        errors["name"] = _("At most %(n)d characters.", n=NAME_LIMIT)
    kind: OrgKind | None = None
    try:
        kind = OrgKind(data.kind)
    except ValueError:
        errors["kind"] = _("Choose a kind.")
    provider_type: ProviderType | None = None
    if kind is OrgKind.PROVIDER:
        try:
            provider_type = ProviderType(data.provider_type)
        except ValueError:
            errors["provider_type"] = _("A provider has a type: choose one.")
    elif data.provider_type.strip() and kind is not None:
        errors["provider_type"] = _("Only providers have a provider type.")
    if (
        kind is OrgKind.SERVICE_CENTRE
        and session.scalars(
            select(Organisation.id).where(
                Organisation.kind == OrgKind.SERVICE_CENTRE,
                Organisation.id != (org.id if org else -1),
            )
        ).first()
        is not None
    ):
        errors["kind"] = _("There is already a service centre.")
    codes = split_list(data.districts)
    regions = list(session.scalars(select(Region).where(Region.code.in_(codes)))) if codes else []
    if not codes:
        errors["districts"] = _("Choose at least one district.")
    elif len(regions) != len(codes):
        errors["districts"] = _("Unknown district.")
    cats = split_list(data.categories)
    categories = (
        list(session.scalars(select(ServiceCategory).where(ServiceCategory.code.in_(cats))))
        if cats
        else []
    )
    if not cats:
        errors["categories"] = _("Choose at least one service category.")
    elif len(categories) != len(cats):
        known = {c.code for c in categories}
        errors["categories"] = _(
            "Unknown service category: %(codes)s.",
            codes=", ".join(c for c in cats if c not in known),
        )
    capacity = 0
    raw_capacity = str(data.capacity).strip()
    if not raw_capacity.isdigit() or not 0 <= int(raw_capacity) <= MAX_CAPACITY:
        errors["capacity"] = _(
            "Capacity is a whole number from 0 to %(n)d open tickets.", n=MAX_CAPACITY
        )
    else:
        capacity = int(raw_capacity)
    hours = None
    try:
        hours = _hours(data.working_hours)
    except ValueError as exc:
        errors["working_hours"] = _(
            "%(period)s is not a period like 08:30-12:00 (end after start); separate "
            "periods with commas.",
            period=str(exc),
        )
    contact_name = data.contact_name.strip() or None
    if contact_name is not None and len(contact_name) > 60:
        errors["contact_name"] = _("At most %(n)d characters.", n=60)
    phone = None
    if data.phone.strip():
        try:
            phone = normalise_phone(data.phone)
        except InvalidInput:
            errors["phone"] = _("Not a phone number: a mobile or a number with its area code.")
    if errors:
        raise FieldErrors(errors)
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "provider_type": provider_type,
        "regions": regions,
        "categories": categories,
        "capacity": capacity,
        "working_hours": hours,
        "contact_name": contact_name,
        "phone": phone,
    }


def capacity_warning(session: Session, org: Organisation) -> str | None:
    """A capacity below the open tickets is allowed (the load drains), but said."""
    if org.id is None:
        return None
    now_open = open_count(session, org.id)
    if org.capacity < now_open:
        return _(
            "%(name)s has %(open)d open tickets, more than its capacity of %(capacity)d: it "
            "gets no new tickets until some are done.",
            name=org.name,
            open=now_open,
            capacity=org.capacity,
        )
    return None


def _ensure_version(session: Session, org: Organisation, version: int | None) -> None:
    ensure_version(org.version, version, lambda: _conflict_message(session, org))


def _conflict_message(session: Session, org: Organisation) -> str:
    last = last_change(session, "organisation", org.id)
    if last is None:
        return _(
            "Someone else changed this organisation meanwhile. Nothing was saved; reload to see it."
        )
    return _(
        "%(who)s changed this organisation at %(at)s, after you opened the form. Nothing was "
        "saved: the form now shows their version; make your change again.",
        who=last[0],
        at=last[1],
    )


def _commit(session: Session, org: Organisation) -> None:
    commit(
        session,
        lambda: _conflict_message(session, org),
        unique=("slug", lambda: _("This code is already taken.")),
        refresh=org,
    )


def create(session: Session, actor: Any, data: OrgData) -> Organisation:
    values = _check(session, data, None)
    org = Organisation(**values, status=OrgStatus.ACTIVE)
    session.add(org)
    session.flush()
    record_change(
        session, actor, "org.created", "organisation", org.id, org.slug, None, snapshot(org)
    )
    _commit(session, org)
    return org


def edit(
    session: Session, actor: Any, org: Organisation, data: OrgData, version: int | None
) -> Organisation:
    _ensure_version(session, org, version)
    values = _check(session, data, org)
    before = snapshot(org)
    for name, value in values.items():
        setattr(org, name, value)
    old, new = changed_fields(before, snapshot(org))
    if not new:
        session.rollback()
        return org
    # A change of districts or categories alone touches only the link tables: write the row
    # too, so its version moves (the form's conflict check, other processes' directory cache).
    flag_modified(org, "name")
    record_change(session, actor, "org.updated", "organisation", org.id, org.slug, old, new)
    _commit(session, org)
    return org


def _reason(raw: str) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise FieldErrors({"reason": _("Give the reason; it is kept with the change.")})
    if len(reason) > REASON_LIMIT:
        raise FieldErrors({"reason": _("At most %(n)d characters.", n=REASON_LIMIT)})
    return reason


def set_status(
    session: Session,
    actor: Any,
    org: Organisation,
    status: OrgStatus,
    reason: str,
    version: int | None = None,
) -> Organisation:
    """Suspend (no new routing; its open tickets stay until re-routed) or reinstate."""
    _ensure_version(session, org, version)
    text = _reason(reason)
    if org.status is status:
        raise FieldErrors(
            {
                "reason": _("%(name)s is already suspended.", name=org.name)
                if status is OrgStatus.SUSPENDED
                else _("%(name)s is not suspended.", name=org.name)
            }
        )
    if status is OrgStatus.SUSPENDED and org.kind is OrgKind.SERVICE_CENTRE:
        raise FieldErrors(
            {"reason": _("The service centre cannot be suspended: it takes what nobody else can.")}
        )
    before = {"status": org.status.value, "reason": org.status_reason}
    org.status, org.status_reason = status, text
    kind = "org.suspended" if status is OrgStatus.SUSPENDED else "org.reinstated"
    record_change(
        session, actor, kind, "organisation", org.id, org.slug, before,
        {"status": status.value, "reason": text},
    )  # fmt: skip
    _commit(session, org)
    return org


@dataclass
class Rerouted:
    number: str
    to: str | None  # the organisation's name, None when nothing else would take it
    error: str | None = None


def reroute(session: Session, actor: Any, ticket: Ticket, reason: str) -> Rerouted:
    """Where the rules send this ticket now (a suspended organisation is skipped), applied as a
    transfer by the tickets service, the only writer of tickets."""
    from helpdesk.routing import service as routing
    from helpdesk.tickets import service as tickets

    decision = routing.decide(session, ticket)
    target = decision.organisation_id if decision is not None else None
    if target is None or target == ticket.assigned_org_id:
        return Rerouted(ticket.number, None, _("No other organisation would take it now."))
    try:
        tickets.transfer(
            session,
            None if isinstance(actor, str) else actor,
            ticket,
            target,
            decision.person_id if decision is not None else None,
            reason,
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        return Rerouted(ticket.number, None, exc.message)
    org = session.get(Organisation, target)
    return Rerouted(ticket.number, org.name if org else None)


def find(session: Session, ref: str) -> Organisation | None:
    ref = ref.strip()
    if ref.isdigit():
        return session.get(Organisation, int(ref))
    return session.scalars(select(Organisation).where(Organisation.slug == ref.lower())).first()
