"""What the interpreter asks the telephony side to do; each adapter renders these its own way."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Say:
    text: str
    lang: str  # "zh" or "en"
    file: str | None = None  # a recorded prompt (Play / STREAM FILE) when the script names one


@dataclass(frozen=True)
class Gather:
    """Collect DTMF digits while (or after) playing the prompts."""

    prompts: tuple[Say, ...]
    max_digits: int
    timeout: float  # seconds of silence before the input counts as none
    finish_key: str | None = "#"


@dataclass(frozen=True)
class SetVar:
    name: str
    value: str


@dataclass(frozen=True)
class Dial:
    target: str
    kind: str  # "extension" or "number"


@dataclass(frozen=True)
class Enqueue:
    queue: str


@dataclass(frozen=True)
class Hangup:
    pass


Action = Say | Gather | SetVar | Dial | Enqueue | Hangup


def fill(actions: tuple[Action, ...], **values: str) -> tuple[Action, ...]:
    """Put known values ({ticket}) into the spoken text once the edge knows them."""

    def one(text: str) -> str:
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    out: list[Action] = []
    for action in actions:
        if isinstance(action, Say):
            out.append(replace(action, text=one(action.text)))
        elif isinstance(action, Gather):
            prompts = tuple(replace(p, text=one(p.text)) for p in action.prompts)
            out.append(replace(action, prompts=prompts))
        else:
            out.append(action)
    return tuple(out)
