"""The knowledge base's articles: readers get the published versions they may read (internal
guides for staff and providers), the centre's staff write drafts and new versions. Publishing
stays a supervisor's act on the review page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.bodies import LENIENT, STRICT, text
from helpdesk.api.registry import db_session, route
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.kb import queries, service
from helpdesk.kb.markdown import render
from helpdesk.kb.models import Article, ArticleVersion
from helpdesk.search.segment import query_words

TAG = "articles"
PAGE = 50


class ArticleQuery(BaseModel):
    model_config = LENIENT
    q: Annotated[str, text(100)] | None = Field(None, description="words; every one must match")
    platform: Annotated[str, text(64)] | None = Field(None, description="e.g. finance")
    category: Annotated[str, text(64)] | None = Field(None, description="e.g. finance/guarantee")


class ArticleBody(BaseModel):
    """Checked again by the service, whose messages name the field (title, body, category)."""

    model_config = STRICT
    title: Annotated[str, text(1000)] = Field(
        description=f"{service.TITLE_MIN} to {service.TITLE_MAX} characters"
    )
    body: Annotated[str, text(service.BODY_MAX * 2)] = Field(description="Markdown")
    category: Annotated[str, text(64)] = Field(description="a platform or service code")
    audience: Literal["public", "internal"] = "public"


class FileOut(BaseModel):
    name: str
    size: int = Field(description="bytes")
    url: str = Field(description="a download, for whoever may read the guide")


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    category: str
    audience: Literal["public", "internal"]
    version: int = Field(description="the version this copy is")
    status: Literal["draft", "review", "published"]
    published_at: datetime | None = None
    body: str = Field(description="Markdown, as written")
    html: str = Field(description="the body rendered, safe to insert (no raw HTML passes)")
    files: list[FileOut] = Field(default_factory=list, description="the version's attachments")


class ArticleList(BaseModel):
    items: list[ArticleOut]


def _published(version: ArticleVersion) -> ArticleOut:
    return ArticleOut(
        id=version.article_id,
        title=version.title,
        category=version.category_code,
        audience=version.audience.value,
        version=version.number,
        status="published",
        published_at=version.published_at,
        body=version.body,
        html=str(render(version.body)),
        files=[
            FileOut(name=f.filename, size=f.size, url=f"/kb/files/{f.key}") for f in version.files
        ],
    )


def _newest(article: Article) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        title=article.title,
        category=article.category_code,
        audience=article.audience.value,
        version=article.latest_version,
        status=article.status.value,
        body=article.body,
        html=str(render(article.body)),
    )


@route(
    "/articles",
    summary="Published service guides the caller may read, by platform or category, or by words",
    tag=TAG,
    query=ArticleQuery,
    response=ArticleList,
)
def articles(user: User, query: ArticleQuery) -> ArticleList:
    session = db_session()
    if query.q:
        hits, _total = queries.search(session, user, query_words(query.q), limit=PAGE)
        found = [hit.version for hit in hits]
    else:
        found = queries.browse(session, user, query.platform, query.category)[:PAGE]
    return ArticleList(items=[_published(v) for v in found])


@route(
    "/articles/<id:article_id>",
    summary="One published guide (a draft or a guide the caller may not read is not found)",
    tag=TAG,
    response=ArticleOut,
    errors=(404,),
)
def article(user: User, article_id: int) -> ArticleOut:
    return _published(queries.for_reader(db_session(), user, article_id))


def _text(body: ArticleBody) -> service.ArticleText:
    return service.ArticleText(body.title, body.body, body.category, body.audience)


@route(
    "/articles",
    "POST",
    endpoint="create_article",
    summary="Write a guide: a draft, version 1, for a supervisor to review (centre staff)",
    tag=TAG,
    body=ArticleBody,
    response=ArticleOut,
    status=201,
    allowed=permissions.can_edit_articles,
    errors=(403,),
)
def create_article(user: User, body: ArticleBody) -> ArticleOut:
    created = service.create(db_session(), user, _text(body))
    return _newest(created)


@route(
    "/articles/<id:article_id>/versions",
    "POST",
    summary="Save a new version of a guide; it waits for review, readers keep the published one",
    tag=TAG,
    body=ArticleBody,
    response=ArticleOut,
    status=201,
    allowed=permissions.can_edit_articles,
    errors=(403, 404),
)
def save_version(user: User, article_id: int, body: ArticleBody) -> ArticleOut:
    session = db_session()
    saved = service.save(session, user, queries.for_editor(session, user, article_id), _text(body))
    return _newest(saved)
