"""The SLA clock, pure: a ticket's SLA state, how events move it, and when each step fires.

Business time pauses in the states the policy's ``pause_when`` names (by default while a ticket
waits on the enterprise: pended, and from resolved until reopened): the paused *business* time
is added to every running target, so a due time is always ``calendar.add(start, target +
paused)``. The next-update clock restarts whenever staff give the enterprise an update, and
when the enterprise answers a pending ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from helpdesk.sla.calendar import ZERO, BusinessCalendar

TARGETS = ("first_response", "next_update", "resolution")
FINAL_KINDS = frozenset({"closed", "cancelled", "merged"})
PAUSE_STATES = ("pended", "resolved")  # the states a policy may stop the clock in
PAUSING_KINDS = frozenset(PAUSE_STATES)  # the default: a policy without `pause_when`
RESUMING_KINDS = frozenset({"resumed", "reopened"})


@dataclass(frozen=True)
class Step:
    """One rung of the escalation ladder, fired at `fraction` of a target (0.8, 1.0, 1.5)."""

    name: str
    fraction: float
    notify: str  # assignee | org_supervisors | centre_supervisors
    overdue: bool = False


@dataclass(frozen=True)
class Targets:
    policy: str
    calendar: str  # business | 24x7
    first_response: timedelta | None
    next_update: timedelta | None
    resolution: timedelta | None
    ladder: tuple[Step, ...]
    pause_when: frozenset[str] = PAUSING_KINDS

    def of(self, target: str) -> timedelta | None:
        value: timedelta | None = getattr(self, target)
        return value


@dataclass(frozen=True)
class SlaState:
    started_at: datetime
    paused: timedelta = ZERO  # business time spent paused, in total
    paused_at: datetime | None = None
    responded: bool = False
    resolved: bool = False
    closed: bool = False
    update_started_at: datetime | None = None
    update_cycle: int = 0
    resolution_cycle: int = 0


def transition(
    state: SlaState,
    kind: str,
    at: datetime,
    calendar: BusinessCalendar,
    public_update: bool = False,
    pause_when: frozenset[str] = PAUSING_KINDS,
) -> SlaState:
    """The state after a ticket event of `kind` at `at`; `pause_when`: the policy's pausing
    states (a resume always ends a pause, so a ticket paused under another rule still resumes)."""
    if kind in FINAL_KINDS:
        return replace(state, closed=True)
    if kind in RESUMING_KINDS and state.paused_at is not None:
        state = resume(state, at, calendar)
    if kind == "accepted" and not state.responded:
        return replace(state, responded=True, update_started_at=at, update_cycle=1)
    if kind == "pended":
        return pause(state, at) if kind in pause_when else state
    if kind == "resolved":
        paused = pause(state, at) if kind in pause_when else state
        return replace(paused, responded=True, resolved=True)
    if kind == "resumed" or (kind == "commented" and public_update and state.responded):
        return replace(state, update_started_at=at, update_cycle=state.update_cycle + 1)
    if kind == "reopened":
        return replace(
            state,
            resolved=False,
            closed=False,
            responded=True,
            update_started_at=at,
            update_cycle=state.update_cycle + 1,
            resolution_cycle=state.resolution_cycle + 1,
        )
    return state


def pause(state: SlaState, at: datetime) -> SlaState:
    return state if state.paused_at is not None else replace(state, paused_at=at)


def resume(state: SlaState, at: datetime, calendar: BusinessCalendar) -> SlaState:
    if state.paused_at is None:
        return state
    gap = calendar.between(state.paused_at, at)
    return replace(state, paused=state.paused + gap, paused_at=None)


def active(state: SlaState, targets: Targets) -> dict[str, tuple[datetime, timedelta, int]]:
    """The running targets: name -> (clock start, target + paused time, cycle)."""
    if state.closed or state.paused_at is not None:
        return {}
    running: dict[str, tuple[datetime, timedelta, int]] = {}
    if not state.responded and targets.first_response is not None:
        running["first_response"] = (state.started_at, targets.first_response, 0)
    if not state.resolved and targets.resolution is not None:
        running["resolution"] = (state.started_at, targets.resolution, state.resolution_cycle)
    if (
        state.responded
        and not state.resolved
        and state.update_started_at is not None
        and targets.next_update is not None
    ):
        running["next_update"] = (state.update_started_at, targets.next_update, state.update_cycle)
    return running


def _offset(target: str, state: SlaState) -> timedelta:
    """Paused time counts for the clocks measured from the ticket's start, not for updates."""
    return ZERO if target == "next_update" else state.paused


def due_times(state: SlaState, targets: Targets, calendar: BusinessCalendar) -> dict[str, datetime]:
    return {
        target: calendar.add(start, length + _offset(target, state))
        for target, (start, length, _cycle) in active(state, targets).items()
    }


def plan(
    state: SlaState, targets: Targets, calendar: BusinessCalendar
) -> dict[tuple[str, str, int], datetime]:
    """Every timer that should be pending: (target, step, cycle) -> when it fires."""
    out: dict[tuple[str, str, int], datetime] = {}
    for target, (start, length, cycle) in active(state, targets).items():
        offset = _offset(target, state)
        for step in targets.ladder:
            out[(target, step.name, cycle)] = calendar.add(start, length * step.fraction + offset)
    return out


def elapsed(state: SlaState, now: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time the ticket's clock has run (pauses excluded), for reports and the page."""
    end = state.paused_at or now
    return calendar.between(state.started_at, end) - state.paused
