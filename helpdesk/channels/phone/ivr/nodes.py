"""IVR node kinds, looked up by their YAML `type:` in NODE_TYPES.

A node either passes the call on at once (`enter` returns the next node id), waits for keys
(`waits`; `on_input` decides where they lead), or ends the call's path (`enter` calls finish).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from helpdesk.channels.phone.ivr.actions import Dial, Enqueue, Gather, SetVar
from helpdesk.channels.phone.ivr.schema import LANGUAGES, Prompt, Reader, check_id
from helpdesk.channels.phone.ivr.state import Run

DTMF = "0123456789*#"
TICKET_FIELDS = {"category", "district", "type", "priority"}
TICKET_TYPES = {"request", "inquiry", "complaint", "suggestion"}
PRIORITIES = {"low", "normal", "high", "urgent"}
BASE_FIELDS = {"type", "line"}


def parse_fields(reader: Reader, raw: Any) -> dict[str, str]:
    """`set:` — ticket fields a path chooses; values are checked where they can be offline."""
    if not isinstance(raw, dict):
        raise reader.fail(None, "must be a mapping of ticket fields")
    reader.reject_unknown(TICKET_FIELDS)
    out = {key: reader.text(key) for key in raw}
    if "type" in out and out["type"] not in TICKET_TYPES:
        raise reader.fail("type", f"must be one of {', '.join(sorted(TICKET_TYPES))}")
    if "priority" in out and out["priority"] not in PRIORITIES:
        raise reader.fail("priority", f"must be one of {', '.join(sorted(PRIORITIES))}")
    if "district" in out and not (out["district"].isdigit() and len(out["district"]) == 6):
        raise reader.fail("district", "must be a six-digit district code")
    return out


@dataclass
class Node(ABC):
    kind: ClassVar[str] = ""
    fields: ClassVar[set[str]] = set()
    waits: ClassVar[bool] = False
    terminal: ClassVar[bool] = False

    id: str
    line: int

    @classmethod
    def parse(cls, node_id: str, reader: Reader) -> Node:
        reader.reject_unknown(BASE_FIELDS | cls.fields)
        return cls(node_id, reader.line(), **cls.read(reader))

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return {}

    def targets(self) -> dict[str, str]:
        """Where this node can lead, labelled (for checks and the graph)."""
        return {}

    def prompts(self) -> dict[str, Prompt]:
        return {}

    @abstractmethod
    def enter(self, run: Run) -> str | None:
        """Act on arrival; the next node's id, or None to wait for keys or end."""

    def on_input(self, run: Run, digits: str | None) -> str | None:
        """Keys for a node that waits for them; the interpreter never sends keys elsewhere."""
        raise RuntimeError(f"{self.kind} node {self.id} does not take keys")


@dataclass
class SayNode(Node):
    kind = "say"
    fields = {"prompt", "next"}
    prompt: Prompt | None = None
    next: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return {
            "prompt": reader.prompt("prompt"),
            "next": check_id(reader, "next", reader.text("next")),
        }

    def targets(self) -> dict[str, str]:
        return {"next": self.next}

    def prompts(self) -> dict[str, Prompt]:
        return {"prompt": self.prompt} if self.prompt else {}

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        return self.next


@dataclass
class Option:
    next: str
    set: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    label: str = ""


@dataclass
class InputNode(Node):
    """Shared by menu and gather: prompt, timeout, retries and what to say on a bad entry."""

    waits = True
    common = {
        "prompt",
        "timeout",
        "retries",
        "finish_key",
        "invalid_prompt",
        "no_input_prompt",
        "on_fail",
    }
    prompt: Prompt | None = None
    timeout: float = 5.0
    retries: int = 2
    finish_key: str | None = "#"
    invalid_prompt: Prompt | None = None
    no_input_prompt: Prompt | None = None
    on_fail: str | None = None

    @classmethod
    def read_common(cls, reader: Reader) -> dict[str, Any]:
        on_fail = reader.optional_text("on_fail")
        return {
            "prompt": reader.prompt("prompt"),
            "timeout": reader.number("timeout", 5, 1, 60),
            "retries": reader.integer("retries", 2, 0, 9),
            "finish_key": reader.key("finish_key", "#", "*#"),
            "invalid_prompt": reader.prompt("invalid_prompt", required=False),
            "no_input_prompt": reader.prompt("no_input_prompt", required=False),
            "on_fail": check_id(reader, "on_fail", on_fail) if on_fail else None,
        }

    def prompts(self) -> dict[str, Prompt]:
        named = {
            "prompt": self.prompt,
            "invalid_prompt": self.invalid_prompt,
            "no_input_prompt": self.no_input_prompt,
        }
        return {k: v for k, v in named.items() if v is not None}

    def max_digits(self) -> int:
        return 1

    def enter(self, run: Run) -> str | None:
        run.state.tries = 0
        self.ask(run)
        return None

    def ask(self, run: Run, before: Prompt | None = None) -> None:
        prompts = [run.spoken(p) for p in (before, self.prompt) if p is not None]
        run.actions.append(Gather(tuple(prompts), self.max_digits(), self.timeout, self.finish_key))

    def retry(self, run: Run, digits: str | None) -> str | None:
        """A bad or missing entry: ask again, or give up after `retries` more tries."""
        run.state.tries += 1
        if run.state.tries > self.retries:
            if self.on_fail:
                return self.on_fail
            run.finish("failed", ticket=False, node=self.id)
            return None
        self.ask(run, self.no_input_prompt if digits is None else self.invalid_prompt)
        return None

    @staticmethod
    def clean(digits: str | None, finish_key: str | None) -> str | None:
        """None for no input; the keys pressed without the finish key; '' marks garbage."""
        if digits is None:
            return None
        text = digits.strip()
        if finish_key and text.endswith(finish_key):
            text = text[: -len(finish_key)]
        if not text:
            return None
        return text if all(ch in DTMF for ch in text) else ""


@dataclass
class MenuNode(InputNode):
    kind = "menu"
    fields = InputNode.common | {"options"}
    options: dict[str, Option] = field(default_factory=dict)

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        raw = reader.mapping("options")
        if not raw:
            raise reader.fail("options", "a menu needs at least one option")
        options: dict[str, Option] = {}
        for key, value in raw.items():
            sub = reader.child(f"options.{key}", value)
            if not all(ch in DTMF for ch in str(key)):
                raise reader.fail("options", f"option keys are DTMF keys, not {key!r}")
            if isinstance(value, str):
                options[str(key)] = Option(check_id(sub, "next", value))
                continue
            if not isinstance(value, dict):
                raise sub.fail(None, "is a node id or a mapping with next, set, language, label")
            sub.reject_unknown({"next", "set", "language", "label"})
            language = sub.optional_text("language")
            if language is not None and language not in LANGUAGES:
                raise sub.fail("language", f"must be one of {', '.join(LANGUAGES)}")
            chosen = (
                parse_fields(sub.child("set", value["set"]), value["set"]) if "set" in value else {}
            )
            options[str(key)] = Option(
                check_id(sub, "next", sub.text("next")),
                chosen,
                language,
                sub.optional_text("label") or "",
            )
        return {**cls.read_common(reader), "options": options}

    def targets(self) -> dict[str, str]:
        out = {f"key {k}": o.next for k, o in self.options.items()}
        if self.on_fail:
            out["on_fail"] = self.on_fail
        return out

    def max_digits(self) -> int:
        return max(len(k) for k in self.options)

    def on_input(self, run: Run, digits: str | None) -> str | None:
        key = self.clean(digits, self.finish_key)
        option = self.options.get(key) if key else None
        if option is None:
            return self.retry(run, key)
        run.visit(self.id, key)
        run.state.fields.update(option.set)
        if option.language:
            run.state.lang = option.language
        return option.next


@dataclass
class GatherNode(InputNode):
    kind = "gather"
    fields = InputNode.common | {"count", "min", "store", "next"}
    count: int = 1
    min: int = 1
    store: str = ""
    next: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        count = reader.integer("count", 1, 1, 32)
        low = reader.integer("min", count, 1, count)
        store = reader.text("store")
        return {
            **cls.read_common(reader),
            "count": count,
            "min": low,
            "store": store,
            "next": check_id(reader, "next", reader.text("next")),
        }

    def targets(self) -> dict[str, str]:
        out = {"next": self.next}
        if self.on_fail:
            out["on_fail"] = self.on_fail
        return out

    def max_digits(self) -> int:
        return self.count

    def on_input(self, run: Run, digits: str | None) -> str | None:
        value = self.clean(digits, self.finish_key)
        if not value or not value.isdigit() or not self.min <= len(value) <= self.count:
            return self.retry(run, value)
        run.visit(self.id, value)
        run.state.vars[self.store] = value
        return self.next


@dataclass
class SetNode(Node):
    kind = "set"
    fields = {"set", "next"}
    values: dict[str, str] = field(default_factory=dict)
    next: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        if not isinstance(reader.raw.get("set"), dict):
            raise reader.fail("set", "must be a mapping of ticket fields")
        values = parse_fields(reader.child("set", reader.raw["set"]), reader.raw["set"])
        return {"values": values, "next": check_id(reader, "next", reader.text("next"))}

    def targets(self) -> dict[str, str]:
        return {"next": self.next}

    def enter(self, run: Run) -> str | None:
        run.state.fields.update(self.values)
        for name, value in self.values.items():
            run.actions.append(SetVar(f"HELPDESK_{name.upper()}", value))
        return self.next


@dataclass
class BusinessHoursNode(Node):
    kind = "business_hours"
    fields = {"open", "closed"}
    open: str = ""
    closed: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return {
            "open": check_id(reader, "open", reader.text("open")),
            "closed": check_id(reader, "closed", reader.text("closed")),
        }

    def targets(self) -> dict[str, str]:
        return {"open": self.open, "closed": self.closed}

    def enter(self, run: Run) -> str | None:
        return self.open if run.facts.business_hours else self.closed


@dataclass
class CallerLookupNode(Node):
    """A caller whose number belongs to a known enterprise skips the district question."""

    kind = "caller_lookup"
    fields = {"known", "unknown"}
    known: str = ""
    unknown: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return {
            "known": check_id(reader, "known", reader.text("known")),
            "unknown": check_id(reader, "unknown", reader.text("unknown")),
        }

    def targets(self) -> dict[str, str]:
        return {"known": self.known, "unknown": self.unknown}

    def enter(self, run: Run) -> str | None:
        facts = run.facts
        if facts.enterprise_id is None:
            return self.unknown
        if facts.enterprise_district:
            run.state.fields.setdefault("district", facts.enterprise_district)
        run.state.vars["enterprise"] = facts.enterprise_name or ""
        return self.known


@dataclass
class EndNode(Node):
    """Nodes that end the path; `ticket` says whether the path makes a ticket."""

    terminal = True
    default_ticket: ClassVar[bool] = True
    prompt: Prompt | None = None
    ticket: bool = True

    @classmethod
    def read_end(cls, reader: Reader, prompt_required: bool = False) -> dict[str, Any]:
        return {
            "prompt": reader.prompt("prompt", required=prompt_required),
            "ticket": reader.flag("ticket", cls.default_ticket),
        }

    def prompts(self) -> dict[str, Prompt]:
        return {"prompt": self.prompt} if self.prompt else {}


@dataclass
class QueueNode(EndNode):
    kind = "queue"
    fields = {"prompt", "ticket", "group"}
    group: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return {**cls.read_end(reader), "group": reader.text("group")}

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        run.actions.append(Enqueue(self.group))
        run.finish("queue", self.ticket, hang_up=False, queue=self.group)
        return None


@dataclass
class TransferNode(EndNode):
    kind = "transfer"
    fields = {"prompt", "ticket", "to"}
    to: str = ""

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        to = reader.text("to")
        if not to.lstrip("+").isdigit():
            raise reader.fail("to", f"must be an extension or a phone number, not {to!r}")
        return {**cls.read_end(reader), "to": to}

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        kind = "extension" if len(self.to) <= 6 else "number"
        run.actions.append(Dial(self.to, kind))
        run.finish("transfer", self.ticket, hang_up=False, target=self.to, target_kind=kind)
        return None


@dataclass
class MessageNode(EndNode):
    """Leave a message: the path becomes a ticket to call back; `{ticket}` speaks its number."""

    kind = "message"
    fields = {"prompt", "ticket"}

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return cls.read_end(reader, prompt_required=True)

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        run.finish("message", self.ticket)
        return None


@dataclass
class HangupNode(EndNode):
    kind = "hangup"
    fields = {"prompt", "ticket"}
    default_ticket = False

    @classmethod
    def read(cls, reader: Reader) -> dict[str, Any]:
        return cls.read_end(reader)

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        run.finish("hangup", self.ticket)
        return None


NODE_TYPES: dict[str, type[Node]] = {
    cls.kind: cls
    for cls in (
        SayNode,
        MenuNode,
        GatherNode,
        SetNode,
        BusinessHoursNode,
        CallerLookupNode,
        QueueNode,
        TransferNode,
        MessageNode,
        HangupNode,
    )
}
NODE_TYPES["play"] = SayNode  # `play` reads better for a file-only prompt; same behaviour


def node_type(kind: str) -> type[Node] | None:
    return NODE_TYPES.get(kind)
