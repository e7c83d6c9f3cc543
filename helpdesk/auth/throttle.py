"""Failed logins slow down, then lock, per account and per client address, on every login path
(staff /login and the portal's): a guesser gets a growing wait after a few misses and a lock
after more, and is told how long in words. A success clears the account's count.

Counts and locks live in helpdesk.auth.keystore (Redis, shared by every web process). A lock is
an event in the log (logger `helpdesk.auth.throttle`, WARNING): the audit chain holds ticket
events only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from helpdesk import clock
from helpdesk.auth import keystore

log = logging.getLogger(__name__)

FREE_MISSES = 3  # misses before any wait: typing errors
LOCK_AFTER = 10  # misses of one account that lock it
ADDRESS_LOCK_AFTER = 30  # misses from one address (an office behind one NAT: more room)
LOCK_SECONDS = 15 * 60
WINDOW_SECONDS = 60 * 60  # misses older than this are forgotten
MAX_WAIT_SECONDS = 60


@dataclass(frozen=True)
class Refusal:
    seconds: int  # until the next attempt counts
    locked: bool  # a lock (told in minutes), not only a wait


def _keys(login: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
    account = f"login:account:{login.strip().lower()[:64]}"
    return (account, LOCK_AFTER), (f"login:address:{address}", ADDRESS_LOCK_AFTER)


def _now() -> float:
    return clock.now().timestamp()


def refusal(login: str, address: str) -> Refusal | None:
    """Whether an attempt must be refused now, without looking at the password."""
    longest: Refusal | None = None
    for key, _limit in _keys(login, address):
        raw = keystore.get(f"{key}:until")
        if raw is None:
            continue
        until, _, kind = raw.partition(" ")
        left = int(float(until) - _now() + 0.999)
        if left > 0 and (longest is None or left > longest.seconds):
            longest = Refusal(left, kind == "lock")
    return longest


def failed(login: str, address: str) -> Refusal | None:
    """Count a miss; the wait or lock it brings, if any."""
    worst: Refusal | None = None
    for key, limit in _keys(login, address):
        misses = keystore.incr(f"{key}:misses", WINDOW_SECONDS)
        if misses >= limit:
            keystore.delete(f"{key}:misses")  # after the lock, counting starts again
            wait, locked = LOCK_SECONDS, True
            log.warning(
                "login locked for %d s after %d misses: %s (login %r from %s)",
                LOCK_SECONDS, misses, key.split(":")[1], login[:64], address,
            )  # fmt: skip
        elif misses > FREE_MISSES and key.startswith("login:account:"):
            wait, locked = min(2 ** (misses - FREE_MISSES), MAX_WAIT_SECONDS), False
        else:
            continue
        kind = "lock" if locked else "wait"
        keystore.put(f"{key}:until", f"{_now() + wait} {kind}", wait + 60)
        if worst is None or wait > worst.seconds:
            worst = Refusal(wait, locked)
    return worst


def succeeded(login: str, address: str) -> None:
    """The right password: the account's misses and wait are forgotten (the address's stay, so
    one known account cannot reset a guesser's count against others)."""
    (account, _), _address = _keys(login, address)
    keystore.delete(f"{account}:misses", f"{account}:until")


def message(refused: Refusal) -> str:
    """What the person is told, in their language."""
    from flask_babel import gettext as _

    if refused.locked:
        minutes = (refused.seconds + 59) // 60
        return _(
            "Too many failed logins: locked for %(minutes)s minutes. Please try again later.",
            minutes=minutes,
        )
    return _(
        "Too many failed logins: please wait %(seconds)s seconds before trying again.",
        seconds=refused.seconds,
    )
