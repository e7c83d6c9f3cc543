"""One published version of a YAML document: all of its files, so any version can be loaded,
compared or published again on its own. Rows are only ever inserted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime


class DocumentVersion(Base):
    __tablename__ = "document_version"
    # two admins publishing at once: the second insert of the same number fails, nothing mixes
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "rules", "ivr"
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per kind
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # file name -> its YAML text
    digest: Mapped[str] = mapped_column(String(64))
    changed: Mapped[str] = mapped_column(String(120), default="")  # the file edited
    restored_from: Mapped[int | None] = mapped_column(Integer)  # a rollback: the version
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by: Mapped[str] = mapped_column(String(64))  # login, or "cli:root", "files"
