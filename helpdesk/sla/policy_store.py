"""SLA policies edited in the console: the YAML stays the format, every save is a published
version (helpdesk.yamldocs, kind "sla") with who and when, and the newest version is what new
tickets are planned with. Each process learns the newest number with the other reference data
(helpdesk.reference_version, at most one SELECT every 0.5 s, as the routing rules and IVR scripts
do), so a save or a rollback reaches every web process and worker within seconds.

A ticket remembers the version it was planned with (TicketSla.policy_version): an edit changes
new tickets only; existing tickets keep their due times and escalation stages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.sla.policies import DataFileError, Policies, parse
from helpdesk.yamldocs import published
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

KIND = "sla"
FILE = "policies.yaml"


def newest(session: Session) -> int | None:
    """The newest saved version's number (None: nothing saved, the file is in force)."""
    return published.newest(session, KIND)


def version_policies(session: Session, number: int, day_lengths: Any) -> Policies | None:
    """The policies of a saved version (parsed once per process and database); None if it
    does not exist or no longer parses (then the caller falls back to the file)."""

    def build(row: DocumentVersion) -> Policies | None:
        if FILE not in row.files:
            return None
        try:
            return parse(row.files[FILE], FILE, day_lengths)
        except DataFileError:
            return None

    return published.built(session, KIND, number, build)


def current_text(session: Session, folder_file: Any) -> tuple[int | None, str]:
    """The text in force and its version number (None: the file, nothing saved yet)."""
    row = versions.latest(session, KIND)
    if row is not None and FILE in row.files:
        return row.number, row.files[FILE]
    return None, folder_file.read_text(encoding="utf-8")


def save(
    session: Session,
    actor: Any,
    text: str,
    folder: Any,
    before: dict[str, str],
    after: dict[str, str],
    base: int | None,
) -> DocumentVersion:
    """The next version with this text (checked by the caller); the first save stores the
    shipped file as version 1 first. versions.StaleEdit when another admin saved since `base`;
    the caller commits."""
    if versions.head(session, KIND) is None:
        versions.seed(session, KIND, folder)
        base = 1 if base is None else base
    row = versions.publish(
        session, actor, KIND, {FILE: text}, FILE, base=base, details=(before, after)
    )
    forget()
    return row


class RollbackError(Exception):
    """The version no longer parses: nothing was published."""

    @property
    def errors(self) -> list[str]:
        return [str(self)]


def check(files: dict[str, str]) -> None:
    """A version's policies.yaml must still parse with today's calendars (a rollback);
    RollbackError names the problem."""
    from helpdesk.sla import service

    if FILE not in files:
        raise RollbackError(f"{FILE}: missing")
    try:
        parse(files[FILE], FILE, service.policy_source().day_lengths)
    except DataFileError as exc:
        raise RollbackError("; ".join(str(e) for e in exc.errors)) from exc


def rollback(session: Session, actor: Any, number: int, folder: Path) -> DocumentVersion:
    """Version `number`'s policies again, as the next version (LookupError: no such version;
    RollbackError: it no longer parses). The caller commits."""
    return published.rollback(session, actor, KIND, folder, number, check)


def version_or_shipped(session: Session, number: int, folder: Path) -> DocumentVersion | None:
    return published.stored_or_shipped(session, KIND, number, folder)


def listing(session: Session) -> list[DocumentVersion]:
    return versions.listing(session, KIND)


def forget() -> None:
    """This process's own save: look the newest number up again at the next ticket."""
    published.reread()


def reset() -> None:
    """Forget every version read (tests empty the database between runs)."""
    published.reset()
