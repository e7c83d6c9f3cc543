"""Users and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import Enterprise, Organisation, enum_column


class Role(enum.StrEnum):
    AGENT = "agent"  # hotline seat at the service centre
    SUPERVISOR = "supervisor"  # 班长 / 值班长
    PROVIDER = "provider"  # staff of a provider, workstation or contact point: org-scoped
    ENTERPRISE = "enterprise"  # an enterprise's own user: enterprise-scoped
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    extension: Mapped[str | None] = mapped_column(String(10))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Carried in each browser login's session; bumping it ends every login of the person at
    # once (password change, disabling, an administrator's "end sessions"): helpdesk.auth.lifetime
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when an administrator chose the password: the person picks their own at next login.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Bumped by every UPDATE (SQLAlchemy's version counter): two admins editing the same
    # person cannot overwrite each other; the second is told (helpdesk.people).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    organisation: Mapped[Organisation | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    # Flask-Login's protocol, written out so the model does not depend on Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class TokenScope(enum.StrEnum):
    """What a token may reach (helpdesk.auth.tokens.scope_allows)."""

    READ = "read"  # GET only
    WRITE = "write"  # everything its user may do
    CTI = "cti"  # the PBX: the CTI webhook and the call endpoints, nothing else


class ApiToken(Base):
    """An integration's bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[TokenScope] = mapped_column(
        enum_column(TokenScope), default=TokenScope.WRITE, server_default="write"
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written at most once a minute per token (helpdesk.auth.tokens): a list, not a log.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
