"""Reading an IVR script: YAML with every mapping's line kept, so errors name file, line, field.

A script is `name`, `start` and `nodes` (id -> node). Each node has a `type:` that picks its class
from the node registry (nodes.py); an unknown type, a missing field or a wrong value fails at load
time with a ScriptError pointing at the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("zh", "en")  # zh first: the hotline's language; en is the alternative
ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


class ScriptError(ValueError):
    """A script that cannot be loaded: where, which field, and what is wrong."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {message}")


class Located(dict[str, Any]):
    """A YAML mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key) if isinstance(key, int | float | bool) else key
        if key in mapping:
            raise ScriptError(
                str(loader.name), key_node.start_mark.line + 1, str(key), "duplicate key"
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Prompt:
    """What the caller hears: text per language (TTS / Say) and optionally a recorded file."""

    text: dict[str, str]
    file: str | None = None

    def for_language(self, lang: str) -> str:
        return self.text.get(lang) or self.text.get(LANGUAGES[0]) or next(iter(self.text), "")

    def missing(self) -> list[str]:
        return [lang for lang in LANGUAGES if not self.text.get(lang)]


@dataclass
class Reader:
    """Reads one node's fields, raising ScriptError with the file, line and dotted field."""

    file: str
    where: str  # e.g. "nodes.main_menu"
    raw: Located

    def line(self, key: str | None = None) -> int:
        if key is not None and key in getattr(self.raw, "key_lines", {}):
            return self.raw.key_lines[key]
        return getattr(self.raw, "line", 0)

    def fail(self, key: str | None, message: str) -> ScriptError:
        name = f"{self.where}.{key}" if key else self.where
        return ScriptError(self.file, self.line(key), name, message)

    def has(self, key: str) -> bool:
        return key in self.raw

    def text(self, key: str, default: str | None = None, required: bool = True) -> str:
        value = self.raw.get(key, default)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key, required=False) or None if key in self.raw else None

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, not {value!r}")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:g} and {high:g}, not {value}")
        return float(value)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, not {value!r}")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}, not {value}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def key(self, key: str, default: str | None, allowed: str) -> str | None:
        """A single DTMF key such as the finish key; `none` or empty means no key."""
        value = self.raw.get(key, default)
        if value in (None, "", "none"):
            return None
        value = str(value)
        if len(value) != 1 or value not in allowed:
            raise self.fail(key, f"must be one of {' '.join(allowed)}, not {value!r}")
        return value

    def prompt(self, key: str, required: bool = True) -> Prompt | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        return parse_prompt(Reader(self.file, f"{self.where}.{key}", _located(value, self)), value)

    def mapping(self, key: str, required: bool = True) -> Located:
        value = self.raw.get(key)
        if value is None and not required:
            return Located()
        if not isinstance(value, dict):
            raise self.fail(key, "must be a mapping")
        return _located(value, self)

    def child(self, key: str, value: Any) -> Reader:
        return Reader(self.file, f"{self.where}.{key}", _located(value, self))

    def reject_unknown(self, known: set[str]) -> None:
        for key in self.raw:
            if key not in known:
                expected = ", ".join(sorted(known))
                raise self.fail(str(key), f"unknown field (expected one of: {expected})")


def _located(value: Any, parent: Reader) -> Located:
    if isinstance(value, Located):
        return value
    wrapped = Located(value if isinstance(value, dict) else {})
    wrapped.line = parent.raw.line
    wrapped.key_lines = {}
    return wrapped


def parse_prompt(reader: Reader, value: Any) -> Prompt:
    """`"中文"`, or `{zh: ..., en: ..., file: name}`; a bare string is the Chinese text."""
    if isinstance(value, str):
        if not value.strip():
            raise reader.fail(None, "must not be empty")
        return Prompt({LANGUAGES[0]: value.strip()}, default_file(reader))
    if not isinstance(value, dict):
        raise reader.fail(None, "must be a string or a mapping of zh/en/file")
    reader.reject_unknown({*LANGUAGES, "file"})
    text = {lang: reader.text(lang) for lang in LANGUAGES if lang in value}
    file = reader.text("file") if "file" in value else None
    if not text and not file:
        raise reader.fail(None, "needs zh or en text, or a file")
    return Prompt(text, file or default_file(reader))


def default_file(reader: Reader) -> str:
    """A recorded prompt's name when the script names none: `<script>/<node>-<field>`, the
    file a telephony adapter plays (Asterisk picks the language folder itself)."""
    parts = reader.where.split(".")
    node = parts[1] if len(parts) > 2 and parts[0] == "nodes" else parts[-1]
    return f"{Path(reader.file).stem}/{node}-{parts[-1]}"


@dataclass
class Document:
    """The parsed YAML of one script, before its nodes are built."""

    file: str
    raw: Located
    node_lines: dict[str, int] = field(default_factory=dict)


def read_yaml(text: str, file: str) -> Located:
    try:
        loaded = yaml.load(text, Loader=_named_loader(file))  # a SafeLoader subclass
    except ScriptError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ScriptError(file, line, "yaml", str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise ScriptError(file, None, "yaml", str(exc)) from exc
    if not isinstance(loaded, Located):
        raise ScriptError(file, 1, "script", "a script is a mapping with name, start and nodes")
    return loaded


def _named_loader(file: str) -> type[_Loader]:
    class Named(_Loader):
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.name = file

    return Named


def read_file(path: Path) -> Located:
    return read_yaml(path.read_text(encoding="utf-8"), str(path))


def check_id(reader: Reader, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value or not set(value) <= ID_CHARS:
        raise reader.fail(key, f"node ids are lower-case letters, digits, - and _, not {value!r}")
    return value
