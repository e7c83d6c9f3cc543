"""Ending what a person has open right now: their live sockets, in every web process.

Their browser logins end through the session generation (`helpdesk.auth.lifetime`): a new
password or a disabled account bumps it on flush, and the admin's "end sessions" bumps it
itself (`service.end_all_sessions`); this is the socket half, called after the commit.
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
