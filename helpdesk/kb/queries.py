"""Reading the knowledge base: what each person may read, browsing, article search and the
suggestions made while an enterprise types.

Readers see published versions only (`kb_article.published_version`); an internal guide only
when the permission module lets them read internal text. Editors also see the newest copy of
every article with its review status.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from helpdesk.auth import permissions
from helpdesk.errors import NotFound
from helpdesk.kb.markdown import plain_text
from helpdesk.kb.models import (
    SENT_BACK,
    VERSION_FILES,
    Article,
    ArticleFile,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Deflection,
    DeflectionEvent,
)
from helpdesk.notifications.models import Notification
from helpdesk.search import backends
from helpdesk.search.models import DocumentKind
from helpdesk.search.segment import query_words
from helpdesk.search.snippets import mark, snippet

SUGGESTIONS = 3
SUGGEST_WORDS = 12  # the first words of what was typed: enough to match, cheap to look up
SUGGEST_TEXT = 400
# Words of how a question is asked, not of what it is about: 出口退税怎么办 suggested
# 冷链设备融资租赁怎么办 for its 怎么办. Left out of suggestions, not of the search page.
QUESTION_WORDS = frozenset((
    "怎么办", "怎么", "怎样", "如何", "什么", "哪些", "哪里", "哪个", "为什么", "多少",
    "需要", "可以", "能否", "能不能", "是否", "有没有", "我们", "我司", "你们", "您好",
    "你好", "请问", "一下", "谢谢",
))  # fmt: skip


def reads_internal(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
    ) and permissions.can_read_internal_articles(user)


def readable(user: Any) -> Select[Any]:
    """The published versions `user` may read."""
    stmt = select(ArticleVersion).join(
        Article,
        (Article.id == ArticleVersion.article_id)
        & (ArticleVersion.number == Article.published_version),
    )
    if not reads_internal(user):
        stmt = stmt.where(ArticleVersion.audience == Audience.PUBLIC)
    return stmt


def published_versions(session: Session) -> list[ArticleVersion]:
    """Every published version, public and internal (the search index's rebuild)."""
    stmt = select(ArticleVersion).join(
        Article,
        (Article.id == ArticleVersion.article_id)
        & (ArticleVersion.number == Article.published_version),
    )
    return list(session.scalars(stmt.order_by(ArticleVersion.article_id)))


def browse(
    session: Session, user: Any, platform: str | None = None, category: str | None = None
) -> list[ArticleVersion]:
    stmt = readable(user)
    if category:
        stmt = stmt.where(ArticleVersion.category_code == category)
    elif platform:
        stmt = stmt.where(
            (ArticleVersion.category_code == platform)
            | (func.substr(ArticleVersion.category_code, 1, len(platform) + 1) == f"{platform}/")
        )
    return list(session.scalars(stmt.order_by(ArticleVersion.category_code, ArticleVersion.title)))


def counts_by_category(session: Session, user: Any) -> Counter[str]:
    sub = readable(user).subquery()
    rows = session.execute(select(sub.c.category_code, func.count()).group_by(sub.c.category_code))
    return Counter({code: count for code, count in rows})


def for_reader(session: Session, user: Any, article_id: int) -> ArticleVersion:
    """The published version, or NotFound alike for a draft, an internal guide, or no article."""
    found = session.scalars(readable(user).where(ArticleVersion.article_id == article_id)).first()
    if found is None:
        raise NotFound(f"article {article_id} not found", field="article_id")
    return found


def file_for(session: Session, user: Any, key: str) -> ArticleFile:
    """A file to download: on the published version of an article `user` may read, or, for
    editors, on any version. NotFound alike for an internal guide's file, a draft's file and
    a key that does not exist."""
    stmt = select(ArticleFile).where(ArticleFile.key == key[:43])
    if not permissions.can_edit_articles(user):
        on_readable = (
            readable(user)
            .join(VERSION_FILES, VERSION_FILES.c.version_id == ArticleVersion.id)
            .with_only_columns(VERSION_FILES.c.file_id)
        )
        stmt = stmt.where(ArticleFile.id.in_(on_readable))
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no such file", field="key")
    return found


def for_editor(session: Session, user: Any, article_id: int) -> Article:
    article = session.get(Article, article_id) if permissions.can_edit_articles(user) else None
    if article is None:
        raise NotFound(f"article {article_id} not found", field="article_id")
    return article


def versions(session: Session, article_id: int) -> list[ArticleVersion]:
    return list(
        session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.number.desc())
        )
    )


def unpublished(session: Session) -> list[Article]:
    """Drafts and articles waiting for review (their newest copy), for editors; review first."""
    stmt = select(Article).where(Article.status != ArticleStatus.PUBLISHED)
    return list(session.scalars(stmt.order_by(Article.status.desc(), Article.updated_at.desc())))


def sent_back_reason(session: Session, article: Article) -> Notification | None:
    """While an article is a draft again, why the reviewer sent it back (who, when, reason):
    the newest such notification to its writers, if none was published since."""
    if article.status is not ArticleStatus.DRAFT:
        return None
    found = session.scalars(
        select(Notification)
        .where(
            Notification.kind == SENT_BACK,
            Notification.detail["article_id"].as_integer() == article.id,
        )
        .order_by(Notification.id.desc())
        .limit(1)
    ).first()
    if found is None or article.published_version is None:
        return found
    published = session.scalar(
        select(ArticleVersion.published_at).where(
            ArticleVersion.article_id == article.id,
            ArticleVersion.number == article.published_version,
        )
    )
    return found if published is None or found.created_at > published else None


@dataclass
class ArticleHit:
    version: ArticleVersion
    title: Markup
    snippet: Markup | None


def _matches(
    session: Session, user: Any, words: list[str], any_word: bool, limit: int
) -> tuple[list[ArticleVersion], int]:
    """The readable published versions matching, best first, and how many match.

    Two steps: the backend's matches alone (driven by the full-text index), then the scope
    over those ids. One joined query let SQLite run the MATCH again for every article in its
    count (200 ms at 1,000 guides, against 5 ms now; bench/kb_suggest.py)."""
    if not words:
        return [], 0
    internal = reads_internal(user)
    matched = backends.matching(session, DocumentKind.ARTICLE, words, internal, any_word)
    ranks = {ref_id: rank for ref_id, rank in session.execute(matched)}
    if not ranks:
        return [], 0
    readable_ids = session.scalars(
        readable(user)
        .with_only_columns(ArticleVersion.article_id)
        .where(ArticleVersion.article_id.in_(list(ranks)))
    ).all()
    best = sorted(readable_ids, key=lambda i: (-ranks[i], i))[:limit]
    if not best:
        return [], len(readable_ids)
    rows = session.scalars(readable(user).where(ArticleVersion.article_id.in_(best))).all()
    by_id = {v.article_id: v for v in rows}
    return [by_id[i] for i in best if i in by_id], len(readable_ids)


def search(
    session: Session, user: Any, words: list[str], limit: int = 5
) -> tuple[list[ArticleHit], int]:
    """Articles holding every word, for the search page and API."""
    versions_found, total = _matches(session, user, words, False, limit)
    hits = [
        ArticleHit(v, mark(v.title, words), snippet([plain_text(v.body)], words))
        for v in versions_found
    ]
    return hits, total


def suggest(session: Session, user: Any, text: str) -> list[ArticleVersion]:
    """Articles holding any of the words typed so far, the most relevant first."""
    typed = query_words(text[:SUGGEST_TEXT])
    words = [w for w in typed if len(w) > 1 and w not in QUESTION_WORDS][:SUGGEST_WORDS]
    return _matches(session, user, words, True, SUGGESTIONS)[0]


def deflection_counts(session: Session) -> dict[str, dict[str, int]]:
    """Per surface (portal, chat): how often suggestions were shown, opened, then abandoned."""
    rows = session.execute(
        select(Deflection.surface, Deflection.event, func.count()).group_by(
            Deflection.surface, Deflection.event
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for surface, event, count in rows:
        counts.setdefault(surface.value, {e.value: 0 for e in DeflectionEvent})[event.value] = count
    return counts
