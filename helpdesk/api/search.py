"""Search: tickets (and enterprises) by their words, with facet counts, scoped to the caller."""

from __future__ import annotations

from typing import Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api import present
from helpdesk.api import schemas as out
from helpdesk.api.registry import db_session, route
from helpdesk.auth.models import User
from helpdesk.search import inputs, queries
from helpdesk.search.facets import total_label
from helpdesk.tickets.models import Channel, Status, TicketType


class SearchQuery(BaseModel):
    """Documents the arguments; search.inputs checks them (the page's rules and messages)."""

    model_config = ConfigDict(extra="ignore")
    q: str = Field(
        description=f"the words, 2 to {inputs.QUERY_LIMIT} characters; Chinese is segmented "
        "(融资 finds 融资担保), punctuation and search syntax are plain text"
    )
    type: TicketType | None = None
    status: Status | None = None
    channel: Channel | None = None
    platform: str | None = Field(None, description="a service platform code, e.g. finance")
    category: str | None = Field(None, description="a category code, e.g. finance/guarantee")
    district: str | None = Field(None, description="a region code, e.g. 330109")
    organisation: int | None = Field(None, ge=1, description="the assigned organisation's id")
    period: Literal["today", "week", "month", "year"] | None = Field(
        None, description="created today, or in the last 7, 30 or 365 days"
    )
    order: Literal["relevance", "date"] = "relevance"
    page: int = Field(1, ge=1, le=inputs.MAX_PAGE, description=f"{inputs.PAGE_SIZE} per page")


class Highlight(BaseModel):
    subject: str = Field(description="the subject, HTML-escaped, query words in <mark>")
    snippet: str | None = Field(
        None, description="text around the first match in what the caller may read, as HTML"
    )


class SearchHit(BaseModel):
    ticket: out.TicketOut
    highlight: Highlight


class FacetCount(BaseModel):
    value: str
    count: int


class EnterpriseHit(BaseModel):
    id: int
    name: str
    uscc: str
    district: str


class SearchResults(BaseModel):
    words: list[str] = Field(description="the words searched for, after segmentation")
    total: int = Field(
        description="tickets found that the caller may see; when `approximate`, those among "
        "the newest matches read (at least this many)"
    )
    approximate: bool = Field(
        description=f"more than {queries.CAP:,} tickets hold the words: total and facet counts "
        f"are counted among the newest {queries.CAP:,} matches only"
    )
    total_label: str = Field(
        description="the total as the page shows it: 3,275, or 约 10,000+ when approximate"
    )
    page: int
    items: list[SearchHit]
    facets: dict[str, list[FacetCount]] = Field(
        description="per facet (type, status, channel, platform, category, district, "
        "organisation, period): the values among the hits and how many each, counted with "
        "the other facets' filters applied"
    )
    enterprises: list[EnterpriseHit] = Field(description="the first few, for staff")
    enterprise_total: int


@route(
    "/search",
    summary="Search tickets by their words (subject, description, replies; internal notes for "
    "staff and providers), with facet counts; only what the caller may see is found or counted",
    tag="search",
    query=SearchQuery,
    response=SearchResults,
)
def search(user: User, query: SearchQuery) -> SearchResults:
    asked = inputs.parse(request.args.to_dict())
    found = queries.search(db_session(), user, asked)
    return SearchResults(
        words=found.words,
        total=found.total,
        approximate=found.approximate,
        total_label=total_label(found),
        page=asked.page,
        items=[
            SearchHit(
                ticket=present.ticket(user, hit.ticket),
                highlight=Highlight(
                    subject=str(hit.subject),
                    snippet=str(hit.snippet) if hit.snippet is not None else None,
                ),
            )
            for hit in found.tickets
        ],
        facets={
            name: [FacetCount(value=v, count=c) for v, c in counts]
            for name, counts in found.facets.items()
        },
        enterprises=[
            EnterpriseHit(
                id=h.enterprise.id,
                name=h.enterprise.name,
                uscc=h.enterprise.uscc,
                district=h.enterprise.district_code,
            )
            for h in found.enterprises
        ],
        enterprise_total=found.enterprise_total,
    )
