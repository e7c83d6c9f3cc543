"""The search documents: one row per ticket or enterprise, holding its words (segment.py).

The words are kept apart by who may read them: `public_words` (a ticket's number, subject,
description and public replies; an enterprise's name, credit code, address, industry)
and `internal_words` (a ticket's internal notes, for staff only). The full-text index over
them is the backend's own and lives beside this table, made by migration 0011_search:
SQLite's FTS5 table `search_fts`, PostgreSQL's GIN indexes of `to_tsvector('simple', ...)`.
"""

from __future__ import annotations

import enum

from sqlalchemy import Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base
from helpdesk.directory.models import enum_column


class DocumentKind(enum.StrEnum):
    TICKET = "ticket"
    ENTERPRISE = "enterprise"
    ARTICLE = "article"  # a published knowledge-base version: public or internal words


class SearchDocument(Base):
    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    ref_id: Mapped[int] = mapped_column(Integer)  # ticket.id or enterprise.id
    public_words: Mapped[str] = mapped_column(Text, default="")
    internal_words: Mapped[str] = mapped_column(Text, default="")


# What the backends make beside the models (SQLite's FTS5 table and its shadow tables,
# PostgreSQL's GIN expression indexes): Alembic's comparison of models and database leaves
# them alone.
BACKEND_TABLE_PREFIX = "search_fts"
BACKEND_INDEXES = frozenset({"ix_search_document_public_tsv", "ix_search_document_all_tsv"})


def is_backend_object(name: str | None, type_: str) -> bool:
    if type_ == "table":
        return bool(name) and str(name).startswith(BACKEND_TABLE_PREFIX)
    return type_ == "index" and name in BACKEND_INDEXES
