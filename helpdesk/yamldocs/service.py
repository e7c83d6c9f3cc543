"""Publishing, listing and rolling back versions of a YAML document. The caller checks the
text (each engine has its own validator) and commits once; each publish writes its
operations-log row (who, when, digest before → after) in the same transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.oplog.record import record_change
from helpdesk.yamldocs.models import DocumentVersion

SEEDED_BY = "files"  # version 1: the files the repository ships


class StaleEdit(Exception):
    """Someone published another version since the editor opened the one they changed."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"version {latest} was published meanwhile")
        self.latest = latest


class Unchanged(Exception):
    """The edit is the text in force, word for word: publishing it would only add a copy."""


@dataclass(frozen=True)
class Head:
    """The newest version's number and digest: the cheap look-up processes poll."""

    number: int
    digest: str


def digest_of(files: dict[str, str]) -> str:
    return hashlib.sha256(
        json.dumps(files, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def read_folder(folder: Path, suffixes: tuple[str, ...] = (".yaml", ".yml")) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix in suffixes
    }


def head(session: Session, kind: str) -> Head | None:
    row = session.execute(
        select(DocumentVersion.number, DocumentVersion.digest)
        .where(DocumentVersion.kind == kind)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    ).first()
    return Head(row.number, row.digest) if row else None


def latest(session: Session, kind: str) -> DocumentVersion | None:
    return session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.kind == kind)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    ).first()


def get(session: Session, kind: str, number: int) -> DocumentVersion | None:
    return session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.kind == kind, DocumentVersion.number == number
        )
    ).first()


def listing(session: Session, kind: str) -> list[DocumentVersion]:
    return list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.kind == kind)
            .order_by(DocumentVersion.number.desc())
        )
    )


def seed(session: Session, kind: str, folder: Path) -> DocumentVersion:
    """Version 1 from the folder's files, unless a version exists already."""
    found = latest(session, kind)
    if found is not None:
        return found
    files = read_folder(folder)
    row = DocumentVersion(
        kind=kind,
        number=1,
        files=files,
        digest=digest_of(files),
        changed="",
        published_at=clock.now(),
        published_by=SEEDED_BY,
    )
    session.add(row)
    session.flush()
    return row


def publish(
    session: Session,
    actor: Any,
    kind: str,
    files: dict[str, str],
    changed: str,
    base: int | None = None,
    restored_from: int | None = None,
    details: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> DocumentVersion:
    """The next version with these files. `base`: the version the editor started from; when
    another was published since, StaleEdit and nothing is written. `details`: what changed,
    (before, after), added to the operations-log row beside the version numbers."""
    before = latest(session, kind)
    number = (before.number if before else 0) + 1
    if base is not None and before is not None and base != before.number:
        raise StaleEdit(before.number)
    row = DocumentVersion(
        kind=kind,
        number=number,
        files=dict(files),
        digest=digest_of(files),
        changed=changed,
        restored_from=restored_from,
        published_at=clock.now(),
        published_by=actor if isinstance(actor, str) else actor.login,
    )
    session.add(row)
    event = "rolled_back" if restored_from is not None else "published"
    record_change(
        session,
        actor,
        f"{kind}.{event}",
        kind,
        number,
        changed or f"v{restored_from}",
        ({"version": before.number, "digest": before.digest} | (details[0] if details else {}))
        if before
        else None,
        {"version": number, "digest": row.digest, "file": changed}
        | ({"restored_from": restored_from} if restored_from is not None else {})
        | (details[1] if details else {}),
    )
    session.flush()
    return row


def count(session: Session, kind: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(DocumentVersion).where(DocumentVersion.kind == kind)
        )
        or 0
    )
