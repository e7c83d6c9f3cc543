"""Ending everything a person has open: the one seam for "end all of a user's sessions".

Today that is their live sockets (consoles, chat desks) in every web process; a session
cookie stops working only when the account is disabled (the user loader refuses inactive
users). Server-side sessions (issue 12) add a per-user session generation: bumping it belongs
here, so every caller (disable, password reset, the admin's button, the CLI) gets it at once.
"""

from __future__ import annotations

import logging

from helpdesk.auth.models import User
from helpdesk.realtime.revoke import revoke_user

log = logging.getLogger(__name__)


def end_sessions(user: User) -> int:
    """End the person's sessions; call after the change that asks for it has committed.
    Returns how many sockets were ended. Never raises: the change itself is already saved."""
    try:
        return revoke_user(user.id, "sessions_ended")
    except Exception:  # Redis down: the sockets re-authorise on their next reconnect anyway
        log.exception("ending the sessions of user %s failed", user.id)
        return 0
