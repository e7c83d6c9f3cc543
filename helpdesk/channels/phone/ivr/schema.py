"""An IVR script's file: pydantic models of the script and of each node type's fields.

A script is `name`, `start` and `nodes` (id -> node). Each node has a `type:` that picks its model
(and its class, nodes.py); helpdesk.yamlcheck reads the file keeping lines and turns every model
error into a ScriptError naming file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, model_validator

from helpdesk.yamlcheck.errors import DocError, DocErrors, Msg, _
from helpdesk.yamlcheck.read import Doc, read
from helpdesk.yamlcheck.validate import Spec, Text, choice, fail

LANGUAGES = ("zh", "en")  # zh first: the hotline's language; en is the alternative
ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
DTMF = "0123456789*#"
TICKET_TYPES = ("request", "inquiry", "complaint", "suggestion")
PRIORITIES = ("low", "normal", "high", "urgent")

ScriptError = DocError  # (file, line, field, message)
ScriptErrors = DocErrors  # every error of a script that cannot be loaded


@dataclass(frozen=True)
class Prompt:
    """What the caller hears: text per language (TTS / Say) and optionally a recorded file."""

    text: dict[str, str]
    file: str | None = None

    def for_language(self, lang: str) -> str:
        return self.text.get(lang) or self.text.get(LANGUAGES[0]) or next(iter(self.text), "")

    def missing(self) -> list[str]:
        return [lang for lang in LANGUAGES if not self.text.get(lang)]


def _node_id(value: Any) -> str:
    if not isinstance(value, str) or not value or not set(value) <= ID_CHARS:
        raise fail(
            _("node ids are lower-case letters, digits, - and _, not %(value)s", value=repr(value))
        )
    return value


NodeId = Annotated[str, BeforeValidator(_node_id)]


def between(low: float, high: float, whole: bool = False) -> Any:
    lowest, highest = f"{low:g}", f"{high:g}"

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            if whole:
                raise fail(_("must be a whole number, not %(value)s", value=repr(value)))
            raise fail(_("must be a number, not %(value)s", value=repr(value)))
        if not low <= value <= high:
            raise fail(
                _(
                    "must be between %(low)s and %(high)s, not %(value)s",
                    low=lowest,
                    high=highest,
                    value=value,
                )
            )
        return value

    return BeforeValidator(check)


def _prompt(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise fail(_("must not be empty"))
        return {"zh": value}  # a bare string is the Chinese text
    if not isinstance(value, dict):
        raise fail(_("must be a string or a mapping of zh/en/file"))
    return value


class PromptSpec(Spec):
    """`"中文"`, or `{zh: ..., en: ..., file: name}`."""

    zh: Text | None = None
    en: Text | None = None
    file: Text | None = None

    @model_validator(mode="after")
    def _said(self) -> PromptSpec:
        if not (self.zh or self.en or self.file):
            raise fail(_("needs zh or en text, or a file"))
        return self


PromptField = Annotated[PromptSpec, BeforeValidator(_prompt)]


def _district(value: str) -> str:
    if not (value.isdigit() and len(value) == 6):
        raise fail(_("must be a six-digit district code"))
    return value


class FieldsSpec(Spec):
    """`set:` — ticket fields a path chooses; values are checked where they can be offline."""

    shape: ClassVar[Msg] = _("a mapping of ticket fields")
    category: Text | None = None
    district: Annotated[Text, AfterValidator(_district)] | None = None
    type: choice(TICKET_TYPES) | None = None  # type: ignore[valid-type]
    priority: choice(PRIORITIES) | None = None  # type: ignore[valid-type]

    def values(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


def _script_name(value: str) -> str:
    if not set(value) <= ID_CHARS:
        raise fail(
            _("script names are lower-case letters, digits, - and _: %(value)s", value=repr(value))
        )
    return value


def _node_ids(value: Any) -> Any:
    if isinstance(value, dict):
        for key in value:
            if not set(key) <= ID_CHARS:
                raise fail(_("node ids are lower-case letters, digits, - and _"), key=key)
    return value


def script_model(node: Any) -> type[Spec]:
    """The script's model over the node union (nodes.py builds it from its node types)."""

    class ScriptSpec(Spec):
        shape: ClassVar[Msg] = _("a script: a mapping with name, start and nodes")
        name: Annotated[Text, AfterValidator(_script_name)]
        description: str | None = None
        start: Text
        nodes: Annotated[dict[str, node], BeforeValidator(_node_ids)]

    return ScriptSpec


def where(path: tuple[str | int, ...]) -> str:
    """Fields as the IVR names them: `nodes.main_menu.prompt`, `script.start`."""
    parts = [str(p) for p in path]
    if not parts:
        return "script"
    return ".".join(parts if parts[0] == "nodes" else ["script", *parts])


def default_file(file: str, node: str, field: str) -> str:
    """A recorded prompt's name when the script names none: `<script>/<node>-<field>`, the
    file a telephony adapter plays (Asterisk picks the language folder itself)."""
    return f"{Path(file).stem}/{node}-{field}"


def read_yaml(text: str, file: str) -> Doc:
    """The file read with lines; ScriptErrors for a syntax error or a repeated key."""
    return read(text, file)


def read_file(path: Path) -> Doc:
    return read_yaml(path.read_text(encoding="utf-8"), str(path))
