"""Select options from the directory, labelled in the page's language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import (
    Enterprise,
    Organisation,
    OrgStatus,
    Region,
    ServiceCategory,
)
from helpdesk.web import localized_name
from helpdesk.web.punctuation import marks

ENTERPRISE_LIMIT = 500  # beyond this the agent types the credit code instead


def _categories(session: Session) -> list[ServiceCategory]:
    stmt = select(ServiceCategory).order_by(
        ServiceCategory.parent_code.is_not(None), ServiceCategory.position
    )
    return list(session.scalars(stmt))


def platforms(session: Session) -> list[tuple[str, str]]:
    """The five service platforms (and complaints): the list filters by these."""
    return [(c.code, localized_name(c)) for c in _categories(session) if c.parent_code is None]


def grouped_services(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Sub-services grouped under their platform, for an <optgroup> select: only those offered
    for new tickets (a retired service or platform stays on old tickets and in reports)."""
    rows = _categories(session)
    names = {c.code: localized_name(c) for c in rows if c.parent_code is None and c.active}
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name in names.values()}
    for c in rows:
        if c.parent_code in names and c.active:
            groups[names[c.parent_code]].append((c.code, localized_name(c)))
    return {name: services for name, services in groups.items() if services}


def districts(session: Session) -> list[tuple[str, str]]:
    return [
        (r.code, localized_name(r)) for r in session.scalars(select(Region).order_by(Region.code))
    ]


def organisations(session: Session, active_only: bool = False) -> list[tuple[str, str]]:
    stmt = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if active_only:
        stmt = stmt.where(Organisation.status == OrgStatus.ACTIVE)
    return [(str(o.id), o.name) for o in session.scalars(stmt)]


def enterprises(session: Session) -> list[tuple[str, str]]:
    stmt = (
        select(Enterprise)
        .where(Enterprise.merged_into_id.is_(None))  # a merged-away record is only a pointer
        .order_by(Enterprise.name)
        .limit(ENTERPRISE_LIMIT)
    )
    return [(str(e.id), f"{e.name}{marks().paren(e.uscc)}") for e in session.scalars(stmt)]


def industries(session: Session) -> list[tuple[str, str]]:
    """The industries enterprises have given, and one choice for those that gave none."""
    from flask_babel import gettext as _

    from helpdesk.tickets.queries import NO_INDUSTRY

    stmt = select(Enterprise.industry).where(Enterprise.industry.is_not(None)).distinct()
    named = sorted(str(i) for i in session.scalars(stmt))
    return [*((i, i) for i in named), (NO_INDUSTRY, _("Industry not given"))]
