"""Data files (SLA policies, calendar years): YAML read with a line number on every value.

Values stay as text until the caller checks them, so a wrong date or duration is reported as
"2027.yaml, line 7, holidays[2].to: 2027-02-30 is not a date" instead of a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True, order=True)
class FileError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}{', ' + self.field if self.field else ''}: {self.message}"


class DataFileError(Exception):
    """A data file that cannot be used; carries every error found in it."""

    def __init__(self, errors: list[FileError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Node:
    """A YAML value (dict of Nodes, list of Nodes, or the scalar's text) and where it is."""

    value: Any
    line: int
    field: str

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None


def read(text: str, file: str) -> Node | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DataFileError(
            [FileError(file, line, "", f"YAML syntax error: {exc.problem}")]
        ) from None
    return None if root is None else _node(root, "")


def _node(node: yaml.Node, field: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return Node(
            {
                str(k.value): _node(v, f"{field}.{k.value}" if field else str(k.value))
                for k, v in node.value
            },
            line,
            field,
        )
    if isinstance(node, yaml.SequenceNode):
        return Node([_node(n, f"{field}[{i}]") for i, n in enumerate(node.value)], line, field)
    null = node.tag == "tag:yaml.org,2002:null"
    return Node(None if null else str(node.value), line, field)


class Checker:
    """Collects errors for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[FileError] = []

    def error(self, node: Node | None, message: str, field: str = "") -> None:
        line = node.line if node else 0
        self.errors.append(FileError(self.file, line, node.field if node else field, message))

    def mapping(self, node: Node | None, allowed: tuple[str, ...]) -> dict[str, Node]:
        if node is None or not isinstance(node.value, dict):
            self.error(node, "should be a mapping of fields")
            return {}
        for key, child in node.value.items():
            if key not in allowed:
                self.error(child, f"unknown field {key}; expected one of: {', '.join(allowed)}")
        return dict(node.value)

    def items(self, node: Node | None) -> list[Node]:
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.error(node, "should be a list")
            return []
        return list(node.value)

    def text(self, node: Node | None, required: bool = True) -> str | None:
        if node is None or node.value is None:
            if required:
                self.error(node, "is required")
            return None
        if not isinstance(node.value, str):
            self.error(node, "should be a text, not a list or mapping")
            return None
        return node.value
