"""IVR node kinds, looked up by their YAML `type:` in NODE_TYPES.

A node either passes the call on at once (`enter` returns the next node id), waits for keys
(`waits`; `on_input` decides where they lead), or ends the call's path (`enter` calls finish).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Union

from pydantic import AfterValidator, BeforeValidator, model_validator

from helpdesk.channels.phone.ivr.actions import Dial, Enqueue, Gather, SetVar
from helpdesk.channels.phone.ivr.schema import (
    DTMF,
    LANGUAGES,
    FieldsSpec,
    NodeId,
    Prompt,
    PromptField,
    PromptSpec,
    between,
    script_model,
)
from helpdesk.channels.phone.ivr.state import Run
from helpdesk.yamlcheck.errors import Msg, _
from helpdesk.yamlcheck.validate import Spec, SpecModel, Text, choice, fail, spec_model, tagged

# a node's prompt from its validated spec: (field name, spec) -> Prompt with its default file
Prompts = Callable[[str, PromptSpec | None], Prompt | None]


@dataclass
class Node(ABC):
    kind: ClassVar[str] = ""
    fields: ClassVar[set[str]] = set()
    waits: ClassVar[bool] = False
    terminal: ClassVar[bool] = False

    id: str
    line: int

    @classmethod
    def spec_fields(cls) -> dict[str, Any]:
        """The node's YAML fields besides `type:`, as pydantic field definitions."""
        return {}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        """The node's dataclass fields from its validated spec."""
        return {}

    @classmethod
    def from_spec(cls, node_id: str, line: int, spec: Any, prompt: Prompts) -> Node:
        return cls(node_id, line, **cls.spec_values(spec, prompt))

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
    def spec_fields(cls) -> dict[str, Any]:
        return {"prompt": (PromptField, ...), "next": (NodeId, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {"prompt": prompt("prompt", spec.prompt), "next": spec.next}

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
    def spec_fields(cls) -> dict[str, Any]:
        return {
            "prompt": (PromptField, ...),
            "timeout": (Annotated[float, between(1, 60)], 5.0),
            "retries": (Annotated[int, between(0, 9, whole=True)], 2),
            "finish_key": (Annotated[str | None, BeforeValidator(_finish_key)], "#"),
            "invalid_prompt": (PromptField | None, None),
            "no_input_prompt": (PromptField | None, None),
            "on_fail": (NodeId | None, None),
        }

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {
            "prompt": prompt("prompt", spec.prompt),
            "timeout": float(spec.timeout),
            "retries": spec.retries,
            "finish_key": spec.finish_key,
            "invalid_prompt": prompt("invalid_prompt", spec.invalid_prompt),
            "no_input_prompt": prompt("no_input_prompt", spec.no_input_prompt),
            "on_fail": spec.on_fail,
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
    def spec_fields(cls) -> dict[str, Any]:
        options = Annotated[dict[str, OptionField], BeforeValidator(_option_keys)]
        return {**super().spec_fields(), "options": (options, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        options = {
            key: Option(o.next, o.set.values() if o.set else {}, o.language, o.label or "")
            for key, o in spec.options.items()
        }
        return {**super().spec_values(spec, prompt), "options": options}

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
    def spec_fields(cls) -> dict[str, Any]:
        return {
            **super().spec_fields(),
            "count": (Annotated[int, between(1, 32, whole=True)], 1),
            "min": (Annotated[int, between(1, 32, whole=True)] | None, None),
            "store": (Text, ...),
            "next": (NodeId, ...),
            "__validators__": {"fewest": model_validator(mode="after")(_fewest)},
        }

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {
            **super().spec_values(spec, prompt),
            "count": spec.count,
            "min": spec.count if spec.min is None else spec.min,
            "store": spec.store,
            "next": spec.next,
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
    def spec_fields(cls) -> dict[str, Any]:
        return {"set": (FieldsSpec, ...), "next": (NodeId, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {"values": spec.set.values(), "next": spec.next}

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
    def spec_fields(cls) -> dict[str, Any]:
        return {"open": (NodeId, ...), "closed": (NodeId, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {"open": spec.open, "closed": spec.closed}

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
    def spec_fields(cls) -> dict[str, Any]:
        return {"known": (NodeId, ...), "unknown": (NodeId, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {"known": spec.known, "unknown": spec.unknown}

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
    prompt_required: ClassVar[bool] = False
    prompt: Prompt | None = None
    ticket: bool = True

    @classmethod
    def spec_fields(cls) -> dict[str, Any]:
        said = (PromptField, ...) if cls.prompt_required else (PromptField | None, None)
        return {"prompt": said, "ticket": (bool, cls.default_ticket)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {"prompt": prompt("prompt", spec.prompt), "ticket": spec.ticket}

    def prompts(self) -> dict[str, Prompt]:
        return {"prompt": self.prompt} if self.prompt else {}


@dataclass
class QueueNode(EndNode):
    kind = "queue"
    fields = {"prompt", "ticket", "group"}
    group: str = ""

    @classmethod
    def spec_fields(cls) -> dict[str, Any]:
        return {**super().spec_fields(), "group": (Text, ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {**super().spec_values(spec, prompt), "group": spec.group}

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
    def spec_fields(cls) -> dict[str, Any]:
        return {**super().spec_fields(), "to": (Annotated[Text, AfterValidator(_number)], ...)}

    @classmethod
    def spec_values(cls, spec: Any, prompt: Prompts) -> dict[str, Any]:
        return {**super().spec_values(spec, prompt), "to": spec.to}

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
    prompt_required = True

    def enter(self, run: Run) -> str | None:
        run.say(self.prompt)
        run.finish("message", self.ticket)
        return None


@dataclass
class HangupNode(EndNode):
    kind = "hangup"
    fields = {"prompt", "ticket"}
    default_ticket = False

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


def _finish_key(value: Any) -> str | None:
    if value in (None, "", "none"):
        return None
    text = str(value)
    if len(text) != 1 or text not in "*#":
        raise fail(_("must be one of %(allowed)s, not %(value)s", allowed="* #", value=repr(text)))
    return text


def _number(value: str) -> str:
    if not value.lstrip("+").isdigit():
        raise fail(_("must be an extension or a phone number, not %(value)s", value=repr(value)))
    return value


def _option_keys(value: Any) -> Any:
    if isinstance(value, dict):
        if not value:
            raise fail(_("a menu needs at least one option"))
        for key in value:
            if not all(ch in DTMF for ch in key):
                raise fail(_("option keys are DTMF keys, not %(key)s", key=repr(key)), key=key)
    return value


def _fewest(spec: Any) -> Any:
    if spec.min is not None and spec.min > spec.count:
        raise fail(
            _(
                "min must be between 1 and count (%(count)s), not %(min)s",
                count=spec.count,
                min=spec.min,
            )
        )
    return spec


class OptionSpec(Spec):
    shape: ClassVar[Msg] = _("a node id or a mapping with next, set, language, label")
    next: NodeId
    set: FieldsSpec | None = None
    language: choice(LANGUAGES) | None = None  # type: ignore[valid-type]
    label: str | None = None


def _option(value: Any) -> Any:
    return {"next": value} if isinstance(value, str) else value  # `'1': main_menu`


OptionField = Annotated[OptionSpec, BeforeValidator(_option)]


def _node_spec(kinds: tuple[str, ...], cls: type[Node]) -> SpecModel:
    fields = cls.spec_fields()
    validators = fields.pop("__validators__", None)
    # `line`: free text for people (e.g. which hotline line); not used
    return spec_model(f"{cls.__name__}Spec", kinds, validators, line=(Any, None), **fields)


def _kinds(cls: type[Node]) -> tuple[str, ...]:
    return tuple(k for k, c in NODE_TYPES.items() if c is cls)


SPECS: dict[type[Node], SpecModel] = {
    cls: _node_spec(_kinds(cls), cls) for cls in dict.fromkeys(NODE_TYPES.values())
}
NodeField = tagged(Union[tuple(SPECS.values())], lambda: NODE_TYPES, _("node type"))  # noqa: UP007
ScriptSpec = script_model(NodeField)
