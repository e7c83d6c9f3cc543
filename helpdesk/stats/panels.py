"""The dashboard's tables: each row labelled in the page's language, with the link to the
tickets behind it (the staff ticket list, filtered), and known values shown even at zero."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Region, ServiceCategory
from helpdesk.stats import queries
from helpdesk.stats.queries import Count, StatsFilter
from helpdesk.tickets.models import Channel
from helpdesk.tickets.queries import NO_INDUSTRY
from helpdesk.web import localized_name
from helpdesk.web.labels import label


@dataclass
class Row:
    key: Any  # date for the period panel, else text
    label: str
    enterprises: int
    tickets: int
    url: str


@dataclass
class Panel:
    name: str  # one of queries.DIMENSIONS
    title: str
    heading: str  # the first column's header
    rows: list[Row] = field(default_factory=list)
    by_month: bool = False


def _titles() -> dict[str, tuple[str, str]]:
    return {
        "period": (_("Enterprises served over time"), _("Date")),
        "district": (_("Enterprises served by district"), _("District")),
        "platform": (_("Enterprises served by service platform"), _("Service platform")),
        "industry": (_("Enterprises served by industry"), _("Industry")),
        "channel": (_("Enterprises served by channel"), _("Channel")),
    }


def drill_url(filters: StatsFilter, **narrower: Any) -> str:
    """The staff ticket list showing exactly the tickets counted in a cell."""
    first, last = narrower.pop("days", (filters.period.first, filters.period.last))
    args: dict[str, Any] = {
        "created_from": first.isoformat(),
        "created_to": last.isoformat(),
        "district": filters.district,
        "category": filters.platform,
        "channel": filters.channel,
        "organisation_id": filters.organisation_id,
    }
    args.update(narrower)
    return url_for("tickets.list_view", **{k: v for k, v in args.items() if v is not None})


def _known(session: Session, name: str) -> list[tuple[Any, str]]:
    """The values a panel lists even with nothing counted, with their labels."""
    if name == "district":
        regions = session.scalars(select(Region).order_by(Region.code))
        return [(r.code, localized_name(r)) for r in regions]
    if name == "platform":
        stmt = (
            select(ServiceCategory)
            .where(ServiceCategory.parent_code.is_(None))
            .order_by(ServiceCategory.position)
        )
        return [(c.code, localized_name(c)) for c in session.scalars(stmt)]
    if name == "channel":
        return [(c.value, str(label("channel", c.value))) for c in Channel]
    return []


def _day_label(day: date, by_month: bool) -> str:
    return day.strftime("%Y-%m") if by_month else day.isoformat()


def build(session: Session, filters: StatsFilter, name: str) -> Panel:
    title, heading = _titles()[name]
    counts = queries.by_dimension(session, filters, name)
    period = filters.period
    panel = Panel(name, title, heading, by_month=period.by_month and name == "period")
    zero = Count(0, 0)
    if name == "period":
        if period.by_month:
            panel.heading = _("Month")
        for day in period.buckets():
            c = counts.get(day, zero)
            url = drill_url(filters, days=period.bucket_range(day))
            label_text = _day_label(day, period.by_month)
            panel.rows.append(Row(day, label_text, c.enterprises, c.tickets, url))
        return panel
    if name == "industry":
        named = sorted(k for k in counts if k is not None)
        keys: list[tuple[Any, str]] = [(k, k) for k in named]
        if None in counts:
            keys.append((None, _("Industry not given")))
    else:
        keys = _known(session, name)
    argument = {"district": "district", "platform": "category", "channel": "channel"}
    for key, text in keys:
        c = counts.get(key, zero)
        if name == "industry":
            url = drill_url(filters, industry=key if key is not None else NO_INDUSTRY)
        else:
            url = drill_url(filters, **{argument[name]: key})
        panel.rows.append(Row(key, text, c.enterprises, c.tickets, url))
    return panel
