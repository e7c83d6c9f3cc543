"""What a login may be, and whether one is taken: one rule for the people console and the
portal's registration."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User

# typed at every visit, on any keyboard: no spaces, no Chinese
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


def taken_by(session: Session, login: str) -> int | None:
    """The id of the person whose login this is, whatever its letters' case (Admin is admin:
    two people told apart by case alone is a mix-up waiting to happen), or None."""
    return session.scalars(select(User.id).where(func.lower(User.login) == login.lower())).first()
