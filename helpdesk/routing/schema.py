"""Rule files: YAML read with line numbers, checked field by field, errors in plain words.

PyYAML's composer keeps a mark (line, column) on every node; `read_yaml` turns the node tree
into plain Python values and remembers the line of every path, so an error can say
"finance.yaml, line 12, rule finance-providers → conditions[1] → in: unknown district 330199".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class RuleError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        field = f", {self.field}" if self.field else ""
        return f"{where}{field}: {self.message}"


class RuleLoadError(Exception):
    """A rule folder that cannot become the active rule set; carries every error found."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Reference:
    """The codes a rule may name: districts, service categories (`finance/guarantee`)."""

    districts: frozenset[str]
    categories: frozenset[str]

    @classmethod
    def hangzhou(cls) -> Reference:
        from helpdesk.directory.reference import CATALOGUE, REGIONS

        categories = {code for code, *_ in CATALOGUE}
        categories |= {f"{code}/{kid}" for code, _zh, _en, kids in CATALOGUE for kid, *_ in kids}
        return cls(frozenset(code for code, *_ in REGIONS), frozenset(categories))


# libyaml's parser when PyYAML has it: a 1,000-rule file composes in a fraction of the pure
# Python parser's seconds (bench/rules_publish.py); nodes and marks are the same
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, file: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse one document; raises RuleLoadError naming the line of a syntax error."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or "invalid YAML"
        raise RuleLoadError([RuleError(file, line, "", f"YAML syntax error: {problem}")]) from None
    lines: dict[PathKey, int] = {}
    errors: list[RuleError] = []
    value = _convert(node, (), lines, errors, file) if node is not None else None
    if errors:
        raise RuleLoadError(errors)
    return value, lines


def _convert(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], errors: list[RuleError], file: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                errors.append(
                    RuleError(file, key_node.start_mark.line + 1, _describe(path), f"{key} twice")
                )
            result[key] = _convert(value_node, (*path, key), lines, errors, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, (*path, i), lines, errors, file) for i, n in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    """Resolve a scalar exactly as yaml.safe_load would (int, bool, null, str...)."""
    loader = _Loader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _describe(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class At:
    """A place in a rule file: reports errors there and steps into children."""

    file: str
    lines: dict[PathKey, int]
    errors: list[RuleError]
    path: PathKey = ()
    label: str = ""  # how the rule is named in messages, e.g. `rule finance-providers`
    base: int = 0  # how many path parts the label replaces
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> int:
        path = self.path
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 0)

    @property
    def field(self) -> str:
        rest = _describe(self.path[self.base :]).lstrip(".")
        if self.label:
            return f"{self.label} → {rest}" if rest else self.label
        return rest

    def child(self, key: str | int) -> At:
        return At(
            self.file, self.lines, self.errors, (*self.path, key), self.label, self.base, self.extra
        )

    def named(self, label: str) -> At:
        return At(self.file, self.lines, self.errors, self.path, label, len(self.path), self.extra)

    def error(self, message: str) -> None:
        self.errors.append(RuleError(self.file, self.line, self.field, message))

    # typed getters: return None (and record an error) when the value has the wrong shape
    def mapping(self, value: Any, what: str = "a mapping of fields") -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(f"should be {what}, found {_kind(value)}")
            return None
        return value

    def text(self, value: Any, what: str = "a text") -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            self.error(f"should be {what}, found {_kind(value)}")
            return None
        return str(value)

    def integer(self, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"should be a whole number, found {_kind(value)}")
            return None
        return value

    def texts(self, value: Any, what: str = "a list of texts") -> list[str] | None:
        """A list of texts; a single text is accepted as a list of one."""
        if isinstance(value, str | int) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list) or not value:
            self.error(f"should be {what}, found {_kind(value)}")
            return None
        out = []
        for i, item in enumerate(value):
            text = self.child(i).text(item)
            if text is not None:
                out.append(text)
        return out if len(out) == len(value) else None

    def unknown_keys(self, value: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in value:
            if key not in allowed:
                self.child(key).error(f"unknown field {key}; expected one of: {', '.join(allowed)}")

    def choice(self, value: Any, allowed: tuple[str, ...], what: str) -> str | None:
        text = self.text(value, what)
        if text is not None and text not in allowed:
            self.error(f"unknown {what} {text}; expected one of: {', '.join(allowed)}")
            return None
        return text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, int):
        return f"the number {value}"
    return f"`{value}`"


def rule_files(folder: Path) -> Iterator[Path]:
    """The folder's *.yaml and *.yml files in name order (a stable order for errors and traces)."""
    yield from sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
