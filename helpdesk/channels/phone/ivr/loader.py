"""Scripts from ivr_scripts/*.yaml: built into nodes, checked, cached until the file changes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from helpdesk.channels.phone.ivr.nodes import Node, node_type
from helpdesk.channels.phone.ivr.schema import (
    ID_CHARS,
    Located,
    Reader,
    ScriptError,
    read_file,
    read_yaml,
)

SCRIPT_FIELDS = {"name", "description", "start", "nodes"}
DEFAULT_FOLDER = Path(__file__).resolve().parents[4] / "ivr_scripts"


@dataclass(frozen=True)
class Script:
    name: str
    file: str
    start: str
    nodes: dict[str, Node]
    description: str = ""

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


def parse(text: str, file: str) -> Script:
    """Build a script; raises the first ScriptError (schema, dangling target, silent loop)."""
    script, problems = build(read_yaml(text, file), file)
    if problems:
        raise problems[0]
    return script


def build(raw: Located, file: str) -> tuple[Script, list[ScriptError]]:
    """The script and its structural problems (targets that lead nowhere, loops with no input).

    Schema errors inside a node raise at once: a node that cannot be read cannot be checked.
    """
    top = Reader(file, "script", raw)
    top.reject_unknown(SCRIPT_FIELDS)
    name = top.text("name")
    if not set(name) <= ID_CHARS:
        raise top.fail("name", f"script names are lower-case letters, digits, - and _: {name!r}")
    start = top.text("start")
    nodes_raw = top.mapping("nodes")
    nodes: dict[str, Node] = {}
    for node_id, value in nodes_raw.items():
        reader = top.child(f"nodes.{node_id}", value)
        reader.where = f"nodes.{node_id}"
        if not isinstance(value, dict):
            raise ScriptError(
                file, nodes_raw.key_lines.get(node_id), reader.where, "must be a mapping"
            )
        if not set(str(node_id)) <= ID_CHARS:
            raise reader.fail(None, "node ids are lower-case letters, digits, - and _")
        kind = reader.text("type")
        cls = node_type(kind)
        if cls is None:
            raise reader.fail("type", f"unknown node type {kind!r}")
        nodes[str(node_id)] = cls.parse(str(node_id), reader)
    script = Script(name, file, start, nodes, top.optional_text("description") or "")
    problems: list[ScriptError] = []
    if start not in nodes:
        problems.append(top.fail("start", f"no node named {start!r}"))
    for node in nodes.values():
        for label, target in node.targets().items():
            if target not in nodes:
                problems.append(
                    ScriptError(
                        file, node.line, f"nodes.{node.id}", f"{label} -> {target!r}: no such node"
                    )
                )
    if not problems:
        problems.extend(silent_loops(script))
    return script, problems


def silent_loops(script: Script) -> list[ScriptError]:
    """Cycles made only of nodes that never wait for keys would spin forever: refuse them."""
    passing = {nid: n for nid, n in script.nodes.items() if not n.waits and not n.terminal}
    colour: dict[str, int] = {}
    found: list[ScriptError] = []

    def visit(nid: str, trail: list[str]) -> None:
        colour[nid] = 1
        for target in passing[nid].targets().values():
            if target not in passing:
                continue
            if colour.get(target) == 1:
                loop = [*trail[trail.index(target) :], target] if target in trail else [nid, target]
                node = script.nodes[target]
                found.append(
                    ScriptError(
                        script.file,
                        node.line,
                        f"nodes.{target}",
                        "loop that never waits for keys: " + " -> ".join(loop),
                    )
                )
            elif target not in colour:
                visit(target, [*trail, target])
        colour[nid] = 2

    for nid in passing:
        if nid not in colour:
            visit(nid, [nid])
    return found


def folder() -> Path:
    """The newest published version's folder (ivr/published.py), else HELPDESK_IVR_SCRIPTS,
    else the repository's ivr_scripts/."""
    from helpdesk.channels.phone.ivr import published

    return published.folder_in_force() or Path(
        os.environ.get("HELPDESK_IVR_SCRIPTS") or DEFAULT_FOLDER
    )


_cache: dict[Path, tuple[float, Script]] = {}


def load_path(path: Path) -> Script:
    """A script file, parsed again only when its modification time changes (reload, no restart)."""
    stamp = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    script, problems = build(read_file(path), str(path))
    if problems:
        raise problems[0]
    _cache[path] = (stamp, script)
    return script


def script_path(name: str, base: Path | None = None) -> Path | None:
    if not name or not set(name) <= ID_CHARS:
        return None
    where = base or folder()
    for suffix in (".yaml", ".yml"):
        candidate = where / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load(name: str, base: Path | None = None) -> Script:
    """The script called `name` in the scripts folder; KeyError when there is none."""
    path = script_path(name, base)
    if path is None:
        raise KeyError(name)
    return load_path(path)


def all_paths(base: Path | None = None) -> list[Path]:
    where = base or folder()
    return sorted([*where.glob("*.yaml"), *where.glob("*.yml")])
