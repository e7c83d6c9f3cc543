"""Directory tables: regions, service catalogue, organisations, enterprises and contacts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Enum, ForeignKey, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime


def enum_column(enum_class: type[enum.Enum], **kwargs: object) -> Enum:
    """Enums stored by value as plain strings: readable in SQL, no native PG type to migrate."""
    return Enum(
        enum_class,
        native_enum=False,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kwargs,
    )


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(40))


class ServiceCategory(Base):
    """The five service platforms, their sub-services and complaints, keyed `finance/guarantee`."""

    __tablename__ = "service_category"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("service_category.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired: stays on old tickets and in reports, no longer offered for new ones.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class OrgKind(enum.StrEnum):
    SERVICE_CENTRE = "service_centre"
    WORKSTATION = "workstation"
    CONTACT_POINT = "contact_point"
    PROVIDER = "provider"


class ProviderType(enum.StrEnum):
    FINANCE = "finance"
    TECHNOLOGY = "technology"
    LEGAL = "legal"
    INTERMEDIARY = "intermediary"
    EXPERT = "expert"


class OrgStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


organisation_region = Table(
    "organisation_region",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("region_code", ForeignKey("region.code"), primary_key=True),
)

organisation_category = Table(
    "organisation_category",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("category_code", ForeignKey("service_category.code"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    provider_type: Mapped[ProviderType | None] = mapped_column(enum_column(ProviderType))
    capacity: Mapped[int] = mapped_column(Integer, default=50)
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.ACTIVE)
    phone: Mapped[str | None] = mapped_column(String(20))  # the contact person's, E.164
    contact_name: Mapped[str | None] = mapped_column(String(60))
    working_hours: Mapped[str | None] = mapped_column(String(60))  # "08:30-12:00, 13:30-17:30"
    status_reason: Mapped[str | None] = mapped_column(String(200))  # why suspended/reinstated
    # Bumped by every UPDATE: two admins editing the same organisation, and the routing
    # directory cache's fingerprint (a change made in another process is seen at once).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    regions: Mapped[list[Region]] = relationship(secondary=organisation_region)
    categories: Mapped[list[ServiceCategory]] = relationship(secondary=organisation_category)


class EnterpriseSize(enum.StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    industry: Mapped[str | None] = mapped_column(String(60))
    size: Mapped[EnterpriseSize | None] = mapped_column(enum_column(EnterpriseSize))
    address: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Bumped by every UPDATE: two admins editing the same enterprise (issue 13 item 3).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Set when an admin merged this record into another (issue 13 item 3): the record stays, so
    # its credit code still finds the enterprise, but everything it had moved to the kept one.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Region] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="enterprise")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    note: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="contacts")
