"""What the operations console's services share (people, organisations, catalogue,
enterprises, SLA policies): field-level errors, the version check against concurrent edits,
the message that names who saved meanwhile, and the commit that turns a lost race into one.

The CLI side is `service_session`: the app and a request context (so messages come in the
installation's language), the session, and field errors turned into a clear exit 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from helpdesk.errors import Conflict, InvalidInput


class FieldErrors(InvalidInput):
    """Several fields at once: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), next(iter(errors)))
        self.errors = errors


class VersionConflict(Conflict):
    """Someone else saved this record since the form was opened; nothing was written."""


def last_change(session: Session, target_type: str, target_id: int) -> tuple[str, str] | None:
    """(who, local time) of the record's newest oplog row, for the conflict message."""
    from helpdesk.oplog.models import AdminChange
    from helpdesk.web import local_time

    last = session.scalars(
        select(AdminChange)
        .where(AdminChange.target_type == target_type, AdminChange.target_id == target_id)
        .order_by(AdminChange.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    return last.actor_login, local_time(last.at)


def conflict(message: str) -> VersionConflict:
    return VersionConflict(message, field="version")


def ensure_version(current: int, version: int | None, message: Callable[[], str]) -> None:
    """The form's hidden version against the row's; `message` is built only on a conflict."""
    if version is not None and version != current:
        raise conflict(message())


def commit(
    session: Session,
    conflict_message: Callable[[], str],
    unique: tuple[str, Callable[[], str]] | None = None,
    refresh: Any = None,
) -> None:
    """Commit; a concurrent save (the version moved under us) becomes VersionConflict, a unique
    key race becomes FieldErrors on `unique` = (field, its message). Messages are built only
    when needed: a job or command may commit outside a request."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        if refresh is not None:
            session.refresh(refresh)
        raise conflict(conflict_message()) from None
    except IntegrityError:
        session.rollback()
        if unique is None:
            raise
        raise FieldErrors({unique[0]: unique[1]()}) from None


@contextmanager
def service_session(service: Any) -> Iterator[tuple[Any, Any]]:
    """For CLI commands: the app context, the session and the service module."""
    import click

    from helpdesk.cli import app_context
    from helpdesk.errors import DomainError
    from helpdesk.extensions import db

    with app_context() as app, app.test_request_context():  # type: ignore[attr-defined]
        try:
            yield db.session(), service
        except FieldErrors as exc:
            lines = [f"{name}: {message}" for name, message in exc.errors.items()]
            raise click.ClickException("\n".join(lines)) from None
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
