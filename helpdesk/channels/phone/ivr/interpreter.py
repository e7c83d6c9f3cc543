"""The IVR interpreter: (script, state, event) -> (actions, new state). Pure: no I/O, no clock.

Events are `Start(facts)` when the call enters the script, `Keys(digits)` when a gather ends
(None for silence) and `HangUp()` when the caller goes. A step runs nodes until one waits for
keys or ends the path; the adapters (TwiML webhook, FastAGI) render the actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from helpdesk.channels.phone.ivr.actions import Action, Hangup
from helpdesk.channels.phone.ivr.loader import Script
from helpdesk.channels.phone.ivr.state import (
    ABANDONED,
    RUNNING,
    WAITING,
    CallState,
    Facts,
    Run,
)

MAX_HOPS = 64  # a step visiting more nodes than this is a script bug: end the call cleanly


@dataclass(frozen=True)
class Start:
    facts: Facts = field(default_factory=Facts)


@dataclass(frozen=True)
class Keys:
    digits: str | None  # None: the caller pressed nothing before the timeout


@dataclass(frozen=True)
class HangUp:
    pass


Event = Start | Keys | HangUp


@dataclass(frozen=True)
class Step:
    actions: tuple[Action, ...]
    state: CallState

    @property
    def done(self) -> bool:
        return self.state.done

    @property
    def waiting(self) -> bool:
        return self.state.status == WAITING


class StepError(ValueError):
    """An event that makes no sense in this state (keys before the start, after the end)."""


def _facts(state: CallState) -> Facts:
    return Facts(**state.facts) if state.facts else Facts()


def start(script: Script, facts: Facts | None = None) -> Step:
    return step(script, None, Start(facts or Facts()))


def step(script: Script, state: CallState | None, event: Event) -> Step:
    if isinstance(event, Start):
        if state is not None:
            raise StepError("the call has already started")
        fresh = CallState(script=script.name, node=script.start, facts=_facts_dict(event.facts))
        return _advance(script, fresh, script.start, None)
    if state is None:
        raise StepError("the call has not started")
    state = _copy(state)
    if isinstance(event, HangUp):
        if not state.done:
            state.status = ABANDONED
            state.outcome = {"kind": "abandoned", "ticket": False, "node": state.node}
        return Step((), state)
    if state.done:
        raise StepError(f"the call's path is over ({state.status})")
    if state.status != WAITING:
        raise StepError(f"keys arrived while the call was {state.status}")
    node = script.nodes.get(state.node)
    if node is None or not node.waits:
        raise StepError(f"the call waits at {state.node!r}, which is not an input node")
    run = Run(state, _facts(state))
    state.status = RUNNING
    following = node.on_input(run, event.digits)
    if following is None:
        if not state.done:
            state.status = WAITING
        return Step(tuple(run.actions), state)
    return _advance(script, state, following, run)


def repeat(script: Script, state: CallState) -> Step:
    """The current prompt again (a webhook request sent twice); the state does not change."""
    node = script.nodes.get(state.node)
    if state.status != WAITING or node is None or not node.waits:
        return Step((), state)
    run = Run(_copy(state), _facts(state))
    node.ask(run)  # type: ignore[attr-defined]
    return Step(tuple(run.actions), run.state)


def _advance(script: Script, state: CallState, node_id: str, run: Run | None) -> Step:
    run = run or Run(state, _facts(state))
    hops = 0
    current: str | None = node_id
    while current is not None:
        hops += 1
        if hops > MAX_HOPS:
            run.finish("error", ticket=False, node=current, error="too many nodes without input")
            break
        node = script.nodes[current]
        state.node = current
        if not node.waits:
            run.visit(current)
        current = node.enter(run)
        if node.waits and current is None and not state.done:
            state.status = WAITING
    if not state.done and state.status != WAITING:
        run.finish("error", ticket=False, node=state.node, error="path ended without an end node")
    actions = tuple(run.actions)
    if state.done and actions and not isinstance(actions[-1], Hangup) and _needs_hangup(state):
        actions = (*actions, Hangup())
    return Step(actions, state)


def _needs_hangup(state: CallState) -> bool:
    return state.outcome.get("kind") not in ("queue", "transfer")


def _copy(state: CallState) -> CallState:
    return replace(
        state,
        fields=dict(state.fields),
        vars=dict(state.vars),
        path=[dict(p) for p in state.path],
        outcome=dict(state.outcome),
        facts=dict(state.facts),
    )


def _facts_dict(facts: Facts) -> dict[str, object]:
    return {k: getattr(facts, k) for k in Facts.__dataclass_fields__}


def run_through(script: Script, facts: Facts, presses: list[str | None]) -> list[Step]:
    """Drive a whole call offline (the simulate tool, tests): one entry per gather."""
    steps = [start(script, facts)]
    for digits in presses:
        if not steps[-1].waiting:
            break
        steps.append(step(script, steps[-1].state, Keys(digits)))
    return steps
