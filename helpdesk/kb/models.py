"""Articles, every saved version of each, and the deflection counters.

`kb_article` holds the newest copy (what editors see) and its review status;
`published_version` names the version readers see, so an edit under review never hides the
published text. Each save adds a `kb_article_version` row: who and when, never overwritten.

Attachments (`kb_file`) are stored like the files on tickets (bytes in the database, an
unguessable key in the URL, always served as a download); `kb_version_file` says which files
each version has, so attaching or removing a file is a new version, reviewed like an edit.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import ServiceCategory, enum_column


class Audience(enum.StrEnum):
    PUBLIC = "public"  # enterprises and visitors
    INTERNAL = "internal"  # platform and provider staff only


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"  # 待审核: waiting for a supervisor
    PUBLISHED = "published"


class Article(Base):
    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("service_category.code"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience), default=Audience.PUBLIC)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.DRAFT, index=True
    )
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    category: Mapped[ServiceCategory] = relationship(lazy="joined")


VERSION_FILES = Table(
    "kb_version_file",
    Base.metadata,
    Column("version_id", ForeignKey("kb_article_version.id"), primary_key=True),
    Column("file_id", ForeignKey("kb_file.id"), primary_key=True, index=True),
)


class ArticleVersion(Base):
    __tablename__ = "kb_article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    category_code: Mapped[str] = mapped_column(ForeignKey("service_category.code"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[ServiceCategory] = relationship(lazy="joined")
    files: Mapped[list[ArticleFile]] = relationship(
        secondary=VERSION_FILES, order_by=lambda: ArticleFile.id
    )
    saved_by: Mapped[User | None] = relationship(foreign_keys=[saved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])


class ArticleFile(Base):
    __tablename__ = "kb_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(43), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only to download
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


# The kind of notification that tells an article's writers it was sent back, with the reason.
SENT_BACK = "article_sent_back"


class DeflectionEvent(enum.StrEnum):
    SHOWN = "shown"  # an article was suggested while the enterprise typed
    OPENED = "opened"  # the enterprise opened a suggested article
    ABANDONED = "abandoned"  # ... and then left the form without sending it


class Surface(enum.StrEnum):
    PORTAL = "portal"  # the new-need form
    CHAT = "chat"  # the pre-chat form


class Deflection(Base):
    """One row per event: small (events, not page views) and counted by a GROUP BY."""

    __tablename__ = "kb_deflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_article.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[DeflectionEvent] = mapped_column(enum_column(DeflectionEvent))
    surface: Mapped[Surface] = mapped_column(enum_column(Surface))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
