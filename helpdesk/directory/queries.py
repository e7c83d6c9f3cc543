"""Directory look-ups that raise InvalidInput naming the field when a code is unknown."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Contact, Enterprise, Organisation, Region, ServiceCategory
from helpdesk.errors import InvalidInput


def region(session: Session, code: str, field: str = "district") -> Region:
    found = session.get(Region, code)
    if found is None:
        raise InvalidInput(f"unknown district {code}", field=field)
    return found


def category(session: Session, code: str, field: str = "category") -> ServiceCategory:
    found = session.get(ServiceCategory, code)
    if found is None:
        raise InvalidInput(f"unknown service category {code}", field=field)
    return found


def organisation(session: Session, org_id: int, field: str = "organisation_id") -> Organisation:
    found = session.get(Organisation, org_id)
    if found is None:
        raise InvalidInput(f"unknown organisation {org_id}", field=field)
    return found


def enterprise(session: Session, enterprise_id: int, field: str = "enterprise_id") -> Enterprise:
    found = session.get(Enterprise, enterprise_id)
    if found is None:
        raise InvalidInput(f"unknown enterprise {enterprise_id}", field=field)
    return found


def contact_by_phone(session: Session, phone_e164: str) -> Contact | None:
    return session.scalars(select(Contact).where(Contact.phone == phone_e164).limit(1)).first()


def service_centre(session: Session) -> Organisation | None:
    from helpdesk.directory.models import OrgKind

    return session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.SERVICE_CENTRE).limit(1)
    ).first()
