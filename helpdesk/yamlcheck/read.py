"""YAML parsed into plain values plus the line of every mapping key and sequence item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from helpdesk.yamlcheck.errors import DocError, DocErrors, _

Path = tuple[str | int, ...]

# libyaml's parser when PyYAML has it: a 1,000-rule file composes in a fraction of the pure
# Python parser's time (bench/rules_publish.py); nodes and marks are the same
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Doc:
    """One parsed file: its value (dicts, lists, scalars as yaml.safe_load gives them) and
    the 1-based line of every path, e.g. ("rules", 0, "route", "to") -> 8."""

    file: str
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)  # a field's key, an item's start
    starts: dict[Path, int] = field(default_factory=dict)  # where each value itself starts

    def line(self, path: Path) -> int:
        """The line of `path`; for a path the file does not have (a missing field), where its
        nearest ancestor's value starts (the mapping that lacks it)."""
        if path in self.lines:
            return self.lines[path]
        while path and path not in self.starts:
            path = path[:-1]
        return self.starts.get(path, 0)

    def start(self, path: Path) -> int:
        """Where the value at `path` starts (a block mapping: its first key's line)."""
        return self.starts.get(path, 0)


# libyaml's usual complaints in words an editor reads (the rest keep the parser's text)
_PROBLEMS = {
    "did not find expected ',' or ']'": _("a [ list is not closed with ] (or a , is missing)"),
    "did not find expected ',' or '}'": _("a { mapping is not closed with } (or a , is missing)"),
    "mapping values are not allowed in this context": _(
        "a colon where none is allowed: put text with a colon in quotes"
    ),
    "mapping values are not allowed here": _(
        "a colon where none is allowed: put text with a colon in quotes"
    ),
    "did not find expected key": _("the indentation does not match the lines above"),
    "could not find expected ':'": _("a key without its colon"),
    "did not find expected '-' indicator": _("a list item without its -, or wrong indentation"),
    "found unexpected end of stream": _("the file ends inside a quoted text or a bracket"),
    "found character that cannot start any token": _(
        "a character that cannot start a value here (a tab? use spaces)"
    ),
    "found undefined alias": _("an *alias whose &anchor is not defined"),
    "found a tab character": _("a character that cannot start a value here (a tab? use spaces)"),
}


def _problem(text: str) -> Any:
    for known, words in _PROBLEMS.items():
        if text.startswith(known):
            return words
    if text.startswith("found character") and "cannot start any token" in text:
        return _PROBLEMS["found character that cannot start any token"]
    return text


def read(text: str, file: str) -> Doc:
    """Parse one document; DocErrors naming the line of a syntax error or a repeated key."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _problem(exc.problem or "invalid YAML")
        line = mark.line + 1 if mark else 0
        raise DocErrors(
            [DocError(file, line, "", _("YAML syntax error: %(problem)s", problem=problem))]
        ) from None
    except yaml.YAMLError as exc:
        raise DocErrors(
            [DocError(file, 0, "", _("YAML syntax error: %(problem)s", problem=exc))]
        ) from None
    doc = Doc(file, None)
    if node is None:
        return doc
    errors: list[DocError] = []
    constructor = _Loader("")
    try:
        doc.value = _convert(node, (), doc, errors, constructor)
    finally:
        constructor.dispose()
    if errors:
        raise DocErrors(errors)
    return doc


def _convert(
    node: yaml.Node, path: Path, doc: Doc, errors: list[DocError], loader: yaml.SafeLoader
) -> Any:
    doc.starts[path] = node.start_mark.line + 1
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # a key as written (`on:` stays "on", `1:` is "1"): what the reader sees and types
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in result:
                errors.append(
                    DocError(
                        doc.file,
                        key_node.start_mark.line + 1,
                        describe((*path, key)),
                        _("%(key)s appears twice", key=key),
                    )
                )
            # a field's line is its key's: where the reader looks for `priority:`
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*path, key), doc, errors, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, (*path, i), doc, errors, loader) for i, n in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)  # as yaml.safe_load: int, bool, str...
    except (ValueError, yaml.YAMLError):
        return str(node.value)  # e.g. 2027-02-30 looks like a date but is none: the model says so


def describe(path: Path) -> str:
    """("conditions", 0, "in", 1) -> "conditions[0].in[1]"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
