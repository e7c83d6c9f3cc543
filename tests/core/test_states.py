"""Every transition of the state machine, allowed and forbidden."""

from __future__ import annotations

import pytest

from helpdesk.tickets.models import Status
from helpdesk.tickets.states import (
    ACTIONS,
    TRANSITIONS,
    TransitionError,
    allowed_actions,
    target_status,
)

S = Status
EXPECTED = {
    ("assign", S.NEW): S.ASSIGNED,
    ("accept", S.ASSIGNED): S.ACCEPTED,
    ("start", S.ACCEPTED): S.IN_PROGRESS,
    ("pend", S.ACCEPTED): S.PENDING,
    ("pend", S.IN_PROGRESS): S.PENDING,
    ("resume", S.PENDING): S.IN_PROGRESS,
    ("resolve", S.ACCEPTED): S.RESOLVED,
    ("resolve", S.IN_PROGRESS): S.RESOLVED,
    ("resolve", S.PENDING): S.RESOLVED,
    ("close", S.RESOLVED): S.CLOSED,
    ("reopen", S.RESOLVED): S.IN_PROGRESS,
    ("reopen", S.CLOSED): S.IN_PROGRESS,
    ("decline", S.ASSIGNED): S.NEW,
    ("decline", S.ACCEPTED): S.NEW,
    **{
        ("transfer", s): S.ASSIGNED
        for s in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.PENDING)
    },
    **{
        ("cancel", s): S.CANCELLED
        for s in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.PENDING)
    },
    **{("merge", s): S.MERGED for s in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.PENDING)},
    **{
        ("comment", s): s
        for s in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.PENDING, S.RESOLVED)
    },
}

ALL_PAIRS = [(action, status) for action in ACTIONS for status in Status]


@pytest.mark.parametrize(("action", "status"), list(EXPECTED))
def test_allowed_transition_reaches_its_target(action: str, status: Status) -> None:
    assert target_status("HZ-1", status, action) is EXPECTED[(action, status)]


@pytest.mark.parametrize(("action", "status"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_forbidden_transition_names_state_and_allowed_actions(action: str, status: Status) -> None:
    with pytest.raises(TransitionError) as caught:
        target_status("HZ-20261127-00001", status, action)
    error = caught.value
    assert error.status == 409
    assert status.value in error.message and action in error.message
    assert error.allowed == allowed_actions(status)
    for allowed in error.allowed:
        assert allowed in error.message


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    table = {(a, s) for a, t in TRANSITIONS.items() for s in t.sources}
    assert table == set(EXPECTED)


def test_final_states_allow_nothing_but_reopening_a_closed_ticket() -> None:
    assert allowed_actions(S.CANCELLED) == []
    assert allowed_actions(S.MERGED) == []
    assert allowed_actions(S.CLOSED) == ["reopen"]


def test_unknown_action_is_a_transition_error() -> None:
    with pytest.raises(TransitionError):
        target_status("HZ-1", S.NEW, "teleport")
