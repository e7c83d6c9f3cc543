"""Bearer tokens remembered for a few seconds (issue 17, item 2): an integration sends the same
token with every call, and looking it up cost a query per request.

A hit gives the request its own copy of the user, merged into its session without a query
(`Session.merge(load=False)`). The bound: a token revoked, or its user disabled or changed,
by another process is refused at most TOKEN_SECONDS later; in this process at once, because
the change's flush forgets every remembered token (helpdesk.auth.lifetime's flush check, the
one place that already watches user changes). The age is read from helpdesk.clock, so tests
move time instead of waiting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from helpdesk import clock
from helpdesk.auth.models import User

TOKEN_SECONDS = 5.0

# (database, token digest) -> (when it was looked up, a detached copy of its user)
_remembered: dict[tuple[str, str], tuple[datetime, User]] = {}


def _copy(user: User) -> User:
    """A detached copy of the user's columns, never attached to a session itself."""
    columns = {attr.key: getattr(user, attr.key) for attr in inspect(User).column_attrs}
    copy = User(**columns)
    make_transient_to_detached(copy)
    return copy


def get(session: Session, database: str, digest: str) -> User | None:
    """The user of a token looked up less than TOKEN_SECONDS ago, in `session`; else None."""
    found = _remembered.get((database, digest))
    if found is None:
        return None
    age = (clock.now() - found[0]).total_seconds()
    if not 0 <= age < TOKEN_SECONDS:
        _remembered.pop((database, digest), None)
        return None
    return session.merge(found[1], load=False)


def remember(database: str, digest: str, user: User) -> None:
    _remembered[(database, digest)] = (clock.now(), _copy(user))


def forget_all() -> None:
    _remembered.clear()
