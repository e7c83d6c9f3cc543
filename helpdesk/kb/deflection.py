"""Counting deflection: an article suggested while an enterprise typed a need or a chat's
first question (shown), opened from the suggestion (opened), and the form then left unsent
(abandoned): the need that an article answered."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.errors import InvalidInput
from helpdesk.kb.models import Article, Deflection, DeflectionEvent, Surface

MAX_ARTICLES = 10  # one request names at most the suggestions one form shows


def parse(event: str, surface: str) -> tuple[DeflectionEvent, Surface]:
    try:
        return DeflectionEvent(event), Surface(surface)
    except ValueError:
        raise InvalidInput("unknown deflection event or surface", field="event") from None


def record(
    session: Session, event: DeflectionEvent, surface: Surface, article_ids: Iterable[int]
) -> int:
    """One row per existing article named; ids that name no article are ignored."""
    wanted = sorted({i for i in article_ids if 0 < i < 2**31})[:MAX_ARTICLES]
    found = (
        list(session.scalars(select(Article.id).where(Article.id.in_(wanted)))) if wanted else []
    )
    for article_id in found:
        session.add(Deflection(article_id=article_id, event=event, surface=surface))
    if not wanted and event is DeflectionEvent.ABANDONED:
        session.add(Deflection(article_id=None, event=event, surface=surface))
    return len(found)
