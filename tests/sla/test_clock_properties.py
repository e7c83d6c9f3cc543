"""Property tests of the business clock: monotonic, exact pauses, holidays and 调休."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.sla import clock
from helpdesk.sla.calendar import HANGZHOU, BusinessCalendar, WorkingDays
from helpdesk.sla.clock import SlaState, Step, Targets

CAL = BusinessCalendar("business", WorkingDays())
# 2026 spans the Spring Festival, Qingming, May Day, Dragon Boat, Mid-Autumn and National Day,
# with their swapped working weekends: the properties are checked across all of them.
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120))
TARGETS = Targets(
    "standard",
    "business",
    timedelta(hours=4),
    timedelta(hours=15),
    timedelta(hours=37, minutes=30),
    (Step("warn", 0.8, "assignee"), Step("escalate", 1.0, "org_supervisors")),
)
fast = settings(max_examples=300, deadline=None)


@fast
@given(moments, durations, durations)
def test_add_is_monotonic_in_the_duration(start, a, b):
    low, high = sorted((a, b))
    assert CAL.add(start, low) <= CAL.add(start, high)


@fast
@given(moments, moments, durations)
def test_add_is_monotonic_in_the_start(a, b, d):
    early, late = sorted((a, b))
    assert CAL.add(early, d) <= CAL.add(late, d)


@fast
@given(moments, durations)
def test_between_undoes_add_exactly(start, d):
    end = CAL.add(start, d)
    assert CAL.between(start, end) == d
    assert end >= start


@fast
@given(moments, durations)
def test_due_times_only_land_in_working_time(start, d):
    if d > timedelta(0):
        end = CAL.add(start, d)
        # the instant just before the due time is working time
        assert CAL.is_working_time(end - timedelta(microseconds=1))


@fast
@given(moments, durations, durations, st.data())
def test_a_pause_adds_exactly_the_paused_business_time(start, before, pause_length, data):
    state = SlaState(started_at=start)
    paused_at = start + before
    resumed_at = paused_at + pause_length
    state = clock.transition(state, "pended", paused_at, CAL)
    assert clock.due_times(state, TARGETS, CAL) == {}  # no clock runs while paused
    state = clock.transition(state, "resumed", resumed_at, CAL)
    paused = CAL.between(paused_at, resumed_at)
    assert state.paused == paused
    due = clock.due_times(state, TARGETS, CAL)["resolution"]
    assert due == CAL.add(start, TARGETS.resolution + paused)
    # measured the other way: business time from start to due, less the pause, is the target
    assert CAL.between(start, due) - paused == TARGETS.resolution
    assert due >= CAL.add(start, TARGETS.resolution)  # a pause never brings a due time forward


@fast
@given(moments, st.lists(durations, min_size=1, max_size=6))
def test_elapsed_never_runs_backwards_through_pauses(start, gaps):
    state, at, last = SlaState(started_at=start), start, timedelta(0)
    for i, gap in enumerate(gaps):
        at = at + gap
        state = clock.transition(state, "pended" if i % 2 == 0 else "resumed", at, CAL)
        now_elapsed = clock.elapsed(state, at, CAL)
        assert now_elapsed >= last
        last = now_elapsed


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HANGZHOU)


def test_holiday_span_national_day_2026():
    # 7.5 h is one working day: Sept 30 → Oct 8 (Oct 1–7 off), not Oct 1.
    assert CAL.add(local(2026, 9, 30, 8, 30), timedelta(hours=7, minutes=30)) == local(
        2026, 9, 30, 17, 30
    )
    assert CAL.add(local(2026, 9, 30, 8, 30), timedelta(hours=8)) == local(2026, 10, 8, 9, 0)
    assert CAL.between(local(2026, 10, 1), local(2026, 10, 8)) == timedelta(0)


def test_swapped_working_days_count():
    # Friday Oct 9 17:00, 1 h: the next working time is Saturday Oct 10 (调休上班).
    assert CAL.add(local(2026, 10, 9, 17, 0), timedelta(hours=1)) == local(2026, 10, 10, 9, 0)
    assert CAL.between(local(2026, 10, 10), local(2026, 10, 11)) == timedelta(hours=7, minutes=30)


def test_steps_fire_at_their_share_of_the_target():
    start = local(2026, 11, 23, 8, 30)  # Monday
    plan = clock.plan(SlaState(started_at=start), TARGETS, CAL)
    assert plan[("first_response", "warn", 0)] == local(2026, 11, 23, 11, 42)  # 80 % of 4 h
    assert plan[("first_response", "escalate", 0)] == local(2026, 11, 23, 14, 0)
    assert ("next_update", "warn", 1) not in plan  # only after the first response


def test_accept_stops_first_response_and_starts_next_update():
    start = local(2026, 11, 23, 8, 30)
    state = clock.transition(SlaState(started_at=start), "accepted", local(2026, 11, 23, 9), CAL)
    plan = clock.plan(state, TARGETS, CAL)
    assert {k[0] for k in plan} == {"resolution", "next_update"}
    state = clock.transition(state, "commented", local(2026, 11, 24, 9), CAL, public_update=True)
    assert ("next_update", "warn", 2) in clock.plan(state, TARGETS, CAL)
    assert (
        clock.plan(clock.transition(state, "closed", local(2026, 11, 25), CAL), TARGETS, CAL) == {}
    )
