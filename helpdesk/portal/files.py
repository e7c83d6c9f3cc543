"""Files on tickets (from a chat or a portal reply): size-capped on the way in, and on the way
out always a download with `nosniff`, so no upload is ever rendered or run by a browser."""

from __future__ import annotations

import secrets
import unicodedata
from typing import Protocol

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from helpdesk import clock
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.portal.models import Attachment
from helpdesk.web import disposition

NAME_LIMIT = 120


def clean_filename(raw: str | None) -> str:
    """The last path part, without control characters; CJK names are kept as they are."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[-NAME_LIMIT:] or "file"


def store(
    session: Session,
    upload: FileStorage | None,
    ticket_id: int,
    limit: int,
    uploaded_by_id: int | None = None,
    conversation_id: int | None = None,
) -> Attachment:
    if upload is None or not upload.filename:
        raise InvalidInput("choose a file to send", field="file")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"the file is larger than {limit // 1024} KB", field="file")
    if not data:
        raise InvalidInput("the file is empty", field="file")
    attachment = Attachment(
        key=secrets.token_urlsafe(32),
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        uploaded_by_id=uploaded_by_id,
        filename=clean_filename(upload.filename),
        content_type=(upload.mimetype or "application/octet-stream")[:100],
        size=len(data),
        data=data,
        created_at=clock.now(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def by_key(session: Session, key: str) -> Attachment:
    found = session.scalars(select(Attachment).where(Attachment.key == key)).first()
    if found is None:
        raise NotFound("no such file", field="key")
    return found


class StoredFile(Protocol):
    """A ticket's attachment or a guide's file (kb.models.ArticleFile)."""

    filename: str
    data: bytes


def download(attachment: StoredFile) -> Response:
    """Bytes as application/octet-stream, attachment disposition, nosniff, a sandbox CSP."""
    response = Response(attachment.data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = disposition.attachment(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def describe(attachment: Attachment) -> dict[str, object]:
    return {
        "key": attachment.key,
        "name": attachment.filename,
        "size": attachment.size,
        "url": f"/portal/files/{attachment.key}",
    }
