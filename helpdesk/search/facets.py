"""Facet values as people read them: labels in the page's language, not codes or ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Organisation, Region, ServiceCategory
from helpdesk.search.queries import FACETS, Results
from helpdesk.web import localized_name
from helpdesk.web.labels import label

TITLES = {
    "type": _l("Type"),
    "status": _l("Status"),
    "channel": _l("Channel"),
    "platform": _l("Service platform"),
    "category": _l("Service"),
    "district": _l("District"),
    "organisation": _l("Organisation"),
    "period": _l("Created"),
}
PERIOD_LABELS = {
    "today": _l("Today"),
    "week": _l("Last 7 days"),
    "month": _l("Last 30 days"),
    "year": _l("Last 12 months"),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass
class FacetGroup:
    name: str
    title: str
    values: list[FacetValue]
    chosen: bool


def _names(session: Session, results: Results) -> dict[str, dict[str, str]]:
    """Names of the categories, districts and organisations that appear in the facets."""
    codes = [v for v, _ in results.facets["category"] + results.facets["platform"]]
    districts = [v for v, _ in results.facets["district"]]
    org_ids = [int(v) for v, _ in results.facets["organisation"]]
    categories = session.scalars(select(ServiceCategory).where(ServiceCategory.code.in_(codes)))
    regions = session.scalars(select(Region).where(Region.code.in_(districts)))
    orgs = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    )
    return {
        "category": {c.code: localized_name(c) for c in categories},
        "district": {r.code: localized_name(r) for r in regions},
        "organisation": {str(i): name for i, name in orgs},
    }


def _label(name: str, value: str, names: dict[str, dict[str, str]]) -> str:
    if name in ("type", "status", "channel"):
        return label(name, value)
    if name == "period":
        return str(PERIOD_LABELS[value])
    table = names["category" if name == "platform" else name]
    return table.get(value, value)


def facet_groups(session: Session, results: Results, args: dict[str, Any]) -> list[FacetGroup]:
    names = _names(session, results)
    groups = []
    for name in FACETS:
        chosen = str(args.get(name) or "")
        values = [
            FacetValue(value, _label(name, value, names), count, value == chosen)
            for value, count in results.facets[name]
        ]
        if values or chosen:
            groups.append(FacetGroup(name, str(TITLES[name]), values, bool(chosen)))
    return groups


def approximate_count(count: int) -> str:
    """A count among the newest queries.CAP matches only (Results.approximate): 约 770."""
    shown = f"{count:,}"
    return _("about %(count)s", count=shown)


def total_label(results: Results) -> str:
    """The total as people read it: 3,275, or 约 10,000+ when more matched than were read."""
    if results.approximate:
        shown = f"{results.total:,}"
        return _("about %(count)s+", count=shown)
    return f"{results.total:,}"
