"""Request bodies and query strings: pydantic models that validate and document the API.

Bodies are strict (a number is not a string, "1" is not a number) and refuse unknown fields;
limits match the tickets service so the API refuses what the service would refuse.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from helpdesk.directory.models import OrgKind, ProviderType
from helpdesk.ids import MAX_ROW_ID
from helpdesk.tickets import queries, service
from helpdesk.tickets.models import Channel, Priority, Status, TicketType

STRICT = ConfigDict(extra="forbid", strict=True)
LENIENT = ConfigDict(extra="ignore")  # query strings: text to numbers; ?lang= is the app's


def text(limit: int, required: bool = False) -> object:
    return StringConstraints(strip_whitespace=True, min_length=int(required), max_length=limit)


Id = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
# A status, or "open" for every open status (tickets.queries.OPEN).
StatusFilter = enum.StrEnum(  # type: ignore[misc]
    "StatusFilter", {s.name: s.value for s in Status} | {"OPEN": queries.OPEN}
)
Reason = Annotated[str, text(service.REASON_LIMIT, required=True)]
TicketNumber = Annotated[str, text(20, required=True)]


class TicketCreate(BaseModel):
    model_config = STRICT

    subject: Annotated[str, text(service.SUBJECT_LIMIT, required=True)]
    category: Annotated[str, text(64, required=True)] = Field(
        description="service category code, e.g. finance/guarantee"
    )
    type: TicketType = TicketType.REQUEST
    channel: Channel = Channel.PORTAL
    district: Annotated[str, text(6)] | None = Field(
        None, description="region code; defaults to the enterprise's district"
    )
    description: Annotated[str, text(service.DESCRIPTION_LIMIT)] = ""
    priority: Priority = Priority.NORMAL
    enterprise_id: Id | None = None
    enterprise_uscc: Annotated[str, text(32)] | None = Field(
        None, description="the enterprise by its unified social credit code, instead of its id"
    )
    contact_name: Annotated[str, text(60)] | None = None
    contact_phone: Annotated[str, text(32)] | None = Field(
        None, description="any common format; stored in E.164"
    )
    update_contact: bool = Field(
        False,
        description="a known number with another contact_name: rename that contact "
        "instead of adding one to its enterprise",
    )
    organisation_id: Id | None = Field(None, description="assign straight to this organisation")
    assignee_id: Id | None = None
    related_ticket: TicketNumber | None = Field(None, description="the ticket a complaint is about")


class NoBody(BaseModel):
    """Actions without fields: send `{}` or nothing."""

    model_config = STRICT


class AssignBody(BaseModel):
    model_config = STRICT
    organisation_id: Id
    assignee_id: Id | None = None


class ReasonBody(BaseModel):
    model_config = STRICT
    reason: Reason


class ResolveBody(BaseModel):
    model_config = STRICT
    summary: Annotated[str, text(service.COMMENT_LIMIT, required=True)]


class TransferBody(BaseModel):
    model_config = STRICT
    organisation_id: Id
    assignee_id: Id | None = None
    reason: Reason


class CancelBody(BaseModel):
    model_config = STRICT
    reason: Literal["duplicate", "spam"]


class MergeBody(BaseModel):
    model_config = STRICT
    into: TicketNumber = Field(description="the open ticket this one duplicates")


class CommentBody(BaseModel):
    model_config = STRICT
    body: Annotated[str, text(service.COMMENT_LIMIT, required=True)]
    internal: bool = Field(False, description="an internal note, never shown to the enterprise")


class TicketFilterQuery(BaseModel):
    """The fields of tickets.queries.TicketFilter, as query-string arguments."""

    model_config = LENIENT
    status: StatusFilter | None = Field(None, description="a status, or open")
    organisation_id: Id | None = None
    assignee_id: Id | None = None
    enterprise_id: Id | None = None
    category: Annotated[str, text(64)] | None = Field(
        None, description="a category code, or a platform such as finance for all its services"
    )
    district: Annotated[str, text(6)] | None = None
    channel: Channel | None = None
    type: TicketType | None = None
    priority: Priority | None = None
    created_from: date | None = Field(None, description="created on or after this Hangzhou day")
    created_to: date | None = Field(None, description="created on or before this Hangzhou day")
    industry: Annotated[str, text(60)] | None = Field(
        None, description="the enterprise's industry; - for enterprises without one"
    )


class TicketListQuery(TicketFilterQuery):
    limit: int = Field(50, ge=1, le=100)
    before: Id | None = Field(None, description="next_before of the previous page")


class OrganisationQuery(BaseModel):
    model_config = LENIENT
    kind: OrgKind | None = None
    provider_type: ProviderType | None = None
    district: Annotated[str, text(6)] | None = None
    category: Annotated[str, text(64)] | None = None


class EnterpriseQuery(BaseModel):
    model_config = LENIENT
    q: Annotated[str, text(60)] | None = Field(None, description="part of the name")
    uscc: Annotated[str, text(32)] | None = None
    district: Annotated[str, text(6)] | None = None
    limit: int = Field(50, ge=1, le=100)
    before: Id | None = None
