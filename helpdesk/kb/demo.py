"""The demo's service guides, written by an agent and published by the supervisor through the
service (so each has its versions and search document). The texts live in demo_articles/*.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.kb import service
from helpdesk.kb.models import Article, ArticleStatus

ARTICLES = Path(__file__).with_name("demo_articles")


def load_texts() -> list[dict[str, Any]]:
    texts: list[dict[str, Any]] = []
    for path in sorted(ARTICLES.glob("*.yaml")):
        texts.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return texts


def seed_articles(session: Session, writer: User, reviewer: User) -> list[Article]:
    articles = []
    for text in load_texts():
        article = service.create(
            session,
            writer,
            service.ArticleText(
                title=text["title"],
                body=text["body"],
                category=text["category"],
                audience=text.get("audience", "public"),
            ),
        )
        wanted = ArticleStatus(text.get("status", "published"))
        if wanted is not ArticleStatus.DRAFT:
            service.submit(session, writer, article)
        if wanted is ArticleStatus.PUBLISHED:
            service.publish(session, reviewer, article)
        articles.append(article)
    return articles
