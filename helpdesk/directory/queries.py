"""Directory look-ups that raise InvalidInput naming the field when a code is unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import reference_version
from helpdesk.directory.models import Enterprise, Organisation, Region, ServiceCategory
from helpdesk.errors import InvalidInput
from helpdesk.reference_version import Version


@dataclass(frozen=True)
class Entry:
    """A district or catalogue entry, as cached for look-ups on every request."""

    code: str
    name_zh: str
    name_en: str
    parent_code: str | None = None
    active: bool = True  # a retired service stays on old tickets, not offered for new ones


@dataclass(frozen=True)
class Reference:
    regions: dict[str, Entry]
    categories: dict[str, Entry]


# The catalogue is edited in the operations console (names, order, retired). Look-ups run for
# every row a page or the outbox presents, so the districts and the catalogue are kept while the
# catalogue's version (helpdesk.reference_version, read at most every CHECK_EVERY) stays the same;
# the process that made the edit forgets at once (`forget_reference`).
_reference: dict[Any, tuple[Version, Reference]] = {}


def reference(session: Session) -> Reference:
    """Districts and the catalogue, read once per database and again after a catalogue edit."""
    key = reference_version.database(session)
    version = reference_version.of(session, "catalogue")
    cached = _reference.get(key)
    if cached is not None and cached[0] == version and cached[1].regions:
        return cached[1]
    regions = {r.code: Entry(r.code, r.name_zh, r.name_en) for r in session.scalars(select(Region))}
    categories = {
        c.code: Entry(c.code, c.name_zh, c.name_en, c.parent_code, c.active)
        for c in session.scalars(select(ServiceCategory).order_by(ServiceCategory.position))
    }
    built = Reference(regions, categories)
    _reference[key] = (version, built)
    return built


def forget_reference() -> None:
    """This process changed the catalogue: read it again at the next look-up."""
    reference_version.forget()


def offered(session: Session, code: str) -> bool:
    """Offered for new tickets: the service and its platform both active."""
    found = reference(session).categories.get(code)
    if found is None or not found.active:
        return False
    parent = reference(session).categories.get(found.parent_code or "")
    return parent is None or parent.active


def region(session: Session, code: str, field: str = "district") -> Entry:
    found = reference(session).regions.get(code)
    if found is None:
        raise InvalidInput(f"unknown district {code}", field=field)
    return found


def category(session: Session, code: str, field: str = "category") -> Entry:
    found = reference(session).categories.get(code)
    if found is None:
        raise InvalidInput(f"unknown service category {code}", field=field)
    return found


def service(session: Session, code: str, field: str = "category") -> Entry:
    """A service a ticket can be about: a catalogue entry under a platform, not the platform."""
    found = category(session, code, field)
    if found.parent_code is None:
        raise InvalidInput(f"{code} is a service platform; choose one of its services", field=field)
    if not offered(session, code):
        raise InvalidInput(f"{code} is retired: it is no longer offered", field=field)
    return found


def organisation(session: Session, org_id: int, field: str = "organisation_id") -> Organisation:
    """The organisation, kept in-process while the organisations' version stays the same."""
    found = reference_version.get(session, Organisation, org_id, "organisations")
    if found is None:
        raise InvalidInput(f"unknown organisation {org_id}", field=field)
    return found


def enterprise(session: Session, enterprise_id: int, field: str = "enterprise_id") -> Enterprise:
    found = session.get(Enterprise, enterprise_id)
    if found is None:
        raise InvalidInput(f"unknown enterprise {enterprise_id}", field=field)
    if found.merged_into_id is not None:  # merged by an admin: the record kept (one step)
        return session.get(Enterprise, found.merged_into_id) or found
    return found


def service_centre(session: Session) -> Organisation | None:
    from helpdesk.directory.models import OrgKind

    return session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.SERVICE_CENTRE).limit(1)
    ).first()
