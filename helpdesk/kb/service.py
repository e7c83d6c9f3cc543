"""Every change to an article: write, save (a new version each time), send for review,
publish, send back. The caller commits once. A published article's search document is
rewritten here, in the same transaction (search/index.py), so what readers find is what
was published.

Refusals are InvalidInput/Forbidden naming the field, with a message for the person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import PurePath

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import ServiceCategory
from helpdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.kb import file_kinds
from helpdesk.kb.models import (
    SENT_BACK,
    Article,
    ArticleFile,
    ArticleStatus,
    ArticleVersion,
    Audience,
)
from helpdesk.notifications import service as notifications
from helpdesk.portal.files import clean_filename
from helpdesk.search import index

TITLE_MIN, TITLE_MAX = 4, 120
BODY_MAX = 20_000
FILE_LIMIT = 1024 * 1024  # as for files on tickets; under the app's 2 MB request cap
FILES_PER_ARTICLE = 10
FILE_TYPES = file_kinds.SUFFIXES  # said in words by file_kinds.hint
REASON_MAX = 500


def _(message: str, **values: object) -> str:
    """The message in the page's language; as written outside a request (the demo, the CLI)."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


@dataclass
class ArticleText:
    title: str
    body: str
    category: str
    audience: str = Audience.PUBLIC.value


class ArticleErrors(InvalidInput):
    """Every wrong field of an article at once, {field: message}: the form shows each under
    its field. The first (in the order checked before) is the error's own message and field,
    which the API answers."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def check(session: Session, text: ArticleText) -> ArticleText:
    """The fields cleaned, or every wrong one named (an empty form was once told of its title,
    then of its text, then of its service, one submit at a time)."""
    title = " ".join((text.title or "").split())
    body = (text.body or "").replace("\x00", "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the article a title.")
    elif len(title) < TITLE_MIN or len(title) > TITLE_MAX:
        errors["title"] = _(
            "The title takes %(low)d to %(high)d characters.", low=TITLE_MIN, high=TITLE_MAX
        )
    if not body:
        errors["body"] = _("Write the article's text.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("The text takes at most %(limit)d characters.", limit=BODY_MAX)
    code = (text.category or "").strip()
    if not code or len(code) > 64 or session.get(ServiceCategory, code) is None:
        errors["category"] = _("Choose a service from the list.")
    if text.audience not in {a.value for a in Audience}:
        errors["audience"] = _("Choose who may read it.")
    if errors:
        raise ArticleErrors(errors)
    return ArticleText(title, body, code, text.audience)


def _ensure_editor(user: User) -> None:
    if not permissions.can_edit_articles(user):
        raise Forbidden(_("Only the service centre's staff write articles."), field="user")


def _version(
    article: Article, user: User, files: list[ArticleFile] | None = None
) -> ArticleVersion:
    return ArticleVersion(
        files=list(files or []),
        article_id=article.id,
        number=article.latest_version,
        category_code=article.category_code,
        title=article.title,
        body=article.body,
        audience=article.audience,
        saved_by_id=user.id,
        saved_at=clock.now(),
    )


def create(session: Session, user: User, text: ArticleText) -> Article:
    """A new draft, version 1."""
    _ensure_editor(user)
    clean = check(session, text)
    now = clock.now()
    article = Article(
        title=clean.title,
        body=clean.body,
        category_code=clean.category,
        audience=Audience(clean.audience),
        status=ArticleStatus.DRAFT,
        latest_version=1,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(article)
    session.flush()
    session.add(_version(article, user))
    return article


def save(session: Session, user: User, article: Article, text: ArticleText) -> Article:
    """A new version; it waits for review again. Readers keep the published one meanwhile."""
    _ensure_editor(user)
    clean = check(session, text)
    article.title, article.body = clean.title, clean.body
    article.category_code, article.audience = clean.category, Audience(clean.audience)
    _new_version(session, user, article, latest(session, article).files)
    return article


def _new_version(
    session: Session, user: User, article: Article, files: list[ArticleFile]
) -> ArticleVersion:
    """The article's next version with these files; it waits for review again."""
    article.latest_version += 1
    article.status = ArticleStatus.DRAFT
    article.updated_at = clock.now()
    version = _version(article, user, files)
    session.add(version)
    session.flush()
    return version


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


def attach(session: Session, user: User, article: Article, upload: Upload) -> ArticleFile:
    """A file added: a new version with the newest one's files and this one."""
    _ensure_editor(user)
    name = clean_filename(upload.filename)
    if not upload.filename:
        raise InvalidInput(_("Choose a file to attach."), field="file")
    if PurePath(name).suffix.lower() not in FILE_TYPES:
        raise InvalidInput(
            _("Attach %(kinds)s.", kinds=file_kinds.kinds_in_words()),
            field="file",
        )
    if not upload.data:
        raise InvalidInput(_("The file is empty."), field="file")
    if len(upload.data) > FILE_LIMIT:
        raise InvalidInput(
            _("The file is larger than %(limit)d KB.", limit=FILE_LIMIT // 1024),
            field="file",
        )
    files = latest(session, article).files
    if len(files) >= FILES_PER_ARTICLE:
        raise InvalidInput(
            _("An article takes at most %(limit)d files.", limit=FILES_PER_ARTICLE), field="file"
        )
    stored = ArticleFile(
        key=secrets.token_urlsafe(32),
        article_id=article.id,
        filename=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=len(upload.data),
        data=upload.data,
        uploaded_by_id=user.id,
        created_at=clock.now(),
    )
    session.add(stored)
    _new_version(session, user, article, [*files, stored])
    return stored


def detach(session: Session, user: User, article: Article, key: str) -> ArticleFile:
    """A file taken off: a new version without it (older versions keep it in their history)."""
    _ensure_editor(user)
    files = latest(session, article).files
    gone = next((f for f in files if f.key == key), None)
    if gone is None:
        raise NotFound(_("That file is not on the newest version."), field="file")
    _new_version(session, user, article, [f for f in files if f is not gone])
    return gone


def submit(session: Session, user: User, article: Article) -> None:
    """draft → 待审核."""
    _ensure_editor(user)
    if article.status is not ArticleStatus.DRAFT:
        raise Conflict(_("Only a draft can be sent for review."), field="status")
    article.status = ArticleStatus.REVIEW


def _ensure_reviewer(user: User) -> None:
    if not permissions.can_publish_articles(user):
        raise Forbidden(_("Only a supervisor or an administrator publishes."), field="user")


def publish(session: Session, user: User, article: Article) -> ArticleVersion:
    """待审核 → published: readers now see the newest version, and search finds it."""
    _ensure_reviewer(user)
    if article.status is not ArticleStatus.REVIEW:
        raise Conflict(_("Only an article waiting for review can be published."), field="status")
    version = latest(session, article)
    version.published_by_id, version.published_at = user.id, clock.now()
    article.status = ArticleStatus.PUBLISHED
    article.published_version = article.latest_version
    index.article_published(session, article.id, version.title, version.body, version.audience)
    return version


def send_back(session: Session, user: User, article: Article, reason: str) -> None:
    """待审核 → draft, for the writer to change: the reason is required, and goes to the
    writers as a notification (the article page shows the newest one while it is a draft)."""
    _ensure_reviewer(user)
    if article.status is not ArticleStatus.REVIEW:
        raise Conflict(_("Only an article waiting for review can be sent back."), field="status")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            _("Say why it is sent back, so the writer knows what to change."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("The reason can be at most %(max)d characters.", max=REASON_MAX), field="reason"
        )
    article.status = ArticleStatus.DRAFT
    writers = [article.created_by_id, latest(session, article).saved_by_id]
    notifications.add(
        session,
        [w for w in writers if w is not None and w != user.id],
        SENT_BACK,
        article_id=article.id,
        title=article.title,
        by=user.name,
        reason=reason,
    )


def latest(session: Session, article: Article) -> ArticleVersion:
    return version_of(session, article.id, article.latest_version)


def version_of(session: Session, article_id: int, number: int) -> ArticleVersion:
    found = session.scalars(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.number == number
        )
    ).one()
    return found
