"""A call's progress through a script, as plain JSON-able data, and the facts it starts with."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from helpdesk.channels.phone.ivr.actions import Action, Hangup, Say
from helpdesk.channels.phone.ivr.schema import LANGUAGES, Prompt

RUNNING, WAITING, FINISHED, ABANDONED = "running", "waiting", "finished", "abandoned"


@dataclass(frozen=True)
class Facts:
    """What the edge found out before the call entered the script (the interpreter does no I/O)."""

    caller: str = ""  # E.164 when known
    business_hours: bool = True
    enterprise_id: int | None = None  # a known enterprise calling
    enterprise_name: str | None = None
    enterprise_district: str | None = None


@dataclass
class CallState:
    script: str
    node: str
    lang: str = LANGUAGES[0]
    status: str = RUNNING
    tries: int = 0
    fields: dict[str, str] = field(default_factory=dict)  # ticket fields: category, district...
    vars: dict[str, str] = field(default_factory=dict)  # gathered values, lookups
    path: list[dict[str, str]] = field(default_factory=list)  # nodes visited and keys pressed
    outcome: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, without its deep copy of every string one call at a
        # time (each IVR step saves the state; bench/phone_queue.py's burst profile).
        return {
            "script": self.script,
            "node": self.node,
            "lang": self.lang,
            "status": self.status,
            "tries": self.tries,
            "fields": dict(self.fields),
            "vars": dict(self.vars),
            "path": [dict(entry) for entry in self.path],
            "outcome": deepcopy(self.outcome),
            "facts": deepcopy(self.facts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallState:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    @property
    def done(self) -> bool:
        return self.status in (FINISHED, ABANDONED)


class Run:
    """One step in progress: the state being changed and the actions gathered so far."""

    def __init__(self, state: CallState, facts: Facts) -> None:
        self.state = state
        self.facts = facts
        self.actions: list[Action] = []

    def say(self, prompt: Prompt | None) -> None:
        if prompt is not None:
            self.actions.append(self.spoken(prompt))

    def spoken(self, prompt: Prompt) -> Say:
        lang = self.state.lang
        return Say(prompt.for_language(lang), lang, prompt.file)

    def visit(self, node_id: str, pressed: str | None = None) -> None:
        entry = {"node": node_id}
        if pressed is not None:
            entry["input"] = pressed
        self.state.path.append(entry)

    def finish(self, kind: str, ticket: bool, hang_up: bool = True, **detail: Any) -> None:
        self.state.status = FINISHED
        self.state.outcome = {"kind": kind, "ticket": ticket, **detail}
        if hang_up:
            self.actions.append(Hangup())
