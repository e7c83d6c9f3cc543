"""The ticket state machine, pure: which action moves which status where."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.errors import Conflict
from helpdesk.tickets.models import OPEN_STATUSES, Status

S = Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change (a comment)


TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(frozenset({S.NEW}), S.ASSIGNED),
    "accept": Transition(frozenset({S.ASSIGNED}), S.ACCEPTED),
    "start": Transition(frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    "pend": Transition(frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.PENDING),
    "resume": Transition(frozenset({S.PENDING}), S.IN_PROGRESS),
    "resolve": Transition(frozenset({S.ACCEPTED, S.IN_PROGRESS, S.PENDING}), S.RESOLVED),
    "close": Transition(frozenset({S.RESOLVED}), S.CLOSED),
    "reopen": Transition(frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS),
    "decline": Transition(frozenset({S.ASSIGNED, S.ACCEPTED}), S.NEW),
    "transfer": Transition(OPEN_STATUSES, S.ASSIGNED),
    "cancel": Transition(OPEN_STATUSES, S.CANCELLED),
    "merge": Transition(OPEN_STATUSES, S.MERGED),
    "comment": Transition(OPEN_STATUSES | {S.RESOLVED}, None),
}

ACTIONS = tuple(TRANSITIONS)


def allowed_actions(status: Status) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]


class TransitionError(Conflict):
    """An action the ticket's current status does not allow; names what is allowed."""

    code = "invalid_transition"

    def __init__(self, number: str, status: Status, action: str) -> None:
        self.number, self.current, self.action = number, status, action
        self.allowed = allowed_actions(status)
        allowed = ", ".join(self.allowed) or "none"
        super().__init__(
            f"ticket {number} is {status.value}: '{action}' is not allowed; "
            f"allowed actions: {allowed}",
            field="action",
        )


def target_status(number: str, status: Status, action: str) -> Status:
    """The status after `action`, or TransitionError when the current status forbids it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(number, status, action)
    if status not in transition.sources:
        raise TransitionError(number, status, action)
    return transition.target or status
