"""Response models: what the API answers, declared once for serialising and for OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from helpdesk.auth.models import Role
from helpdesk.directory.models import EnterpriseSize, OrgKind, OrgStatus, ProviderType
from helpdesk.tickets.models import Channel, Priority, Status, TicketType


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Named(BaseModel):
    id: int
    name: str


class Person(Named):
    role: Role


class CodeName(BaseModel):
    code: str
    name_zh: str
    name_en: str


class EnterpriseRef(Named):
    uscc: str


class ContactOut(BaseModel):
    name: str | None  # None when the reader may not see the ticket it was matched on
    phone: str | None  # E.164, or masked (138****0000) for provider staff
    phone_display: str | None = Field(
        None, description="the number as people write it: 0571-8700 5678, 138 5710 0004"
    )


class TicketOut(BaseModel):
    id: int
    number: str
    type: TicketType
    channel: Channel
    category: CodeName
    district: CodeName
    subject: str
    description: str
    priority: Priority
    status: Status
    enterprise: EnterpriseRef | None
    contact: ContactOut | None
    organisation: Named | None
    assignee: Named | None
    merged_into: str | None
    related_ticket: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    allowed_actions: list[str]  # what the status allows and the caller's role may do


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_before: int | None  # pass as ?before= for the next page; null on the last page


class TicketCount(BaseModel):
    count: int


class EventOut(BaseModel):
    id: int
    kind: str
    at: datetime
    actor: Person | None
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]
    internal: bool


class EventList(BaseModel):
    items: list[EventOut]


class CommentOut(BaseModel):
    id: int
    author: Person | None
    body: str
    internal: bool
    created_at: datetime


class CommentList(BaseModel):
    items: list[CommentOut]


class RegionList(BaseModel):
    items: list[CodeName]


class CategoryNode(CodeName):
    children: list[CategoryNode]


class CategoryTree(BaseModel):
    items: list[CategoryNode]


class OrganisationOut(Named):
    slug: str
    kind: OrgKind
    provider_type: ProviderType | None
    status: OrgStatus
    capacity: int
    phone: str | None
    phone_display: str | None = Field(None, description="national format: 0571-8700 5678")
    districts: list[str]
    categories: list[str]


class OrganisationList(BaseModel):
    items: list[OrganisationOut]


class EnterpriseContact(ContactOut):
    id: int


class EnterpriseOut(EnterpriseRef):
    district: str
    industry: str | None
    size: EnterpriseSize | None
    address: str | None
    tags: list[str]
    contacts: list[EnterpriseContact]
    created_at: datetime


class EnterprisePage(BaseModel):
    items: list[EnterpriseOut]
    next_before: int | None
