"""Scripts from ivr_scripts/*.yaml: built into nodes, checked, cached until the file changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpdesk.channels.phone.ivr.nodes import NODE_TYPES, Node, ScriptSpec
from helpdesk.channels.phone.ivr.schema import (
    ID_CHARS,
    Prompt,
    PromptSpec,
    ScriptError,
    ScriptErrors,
    default_file,
    read_file,
    read_yaml,
    where,
)
from helpdesk.channels.phone.ivr.words import edge_label
from helpdesk.settings import settings
from helpdesk.yamlcheck.errors import _
from helpdesk.yamlcheck.read import Doc
from helpdesk.yamlcheck.validate import validate

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
    try:
        script, problems = build(read_yaml(text, file), file)
    except ScriptErrors as exc:
        raise exc.errors[0] from None
    if problems:
        raise problems[0]
    return script


def build(doc: Doc, file: str) -> tuple[Script, list[ScriptError]]:
    """The script and its structural problems (targets that lead nowhere, loops with no input).

    Schema errors raise ScriptErrors (all of them): a script that cannot be read cannot be
    checked further.
    """
    if doc.value is None:
        raise ScriptErrors(
            [ScriptError(file, 1, "script", _("a script is a mapping with name, start and nodes"))]
        )
    doc.file = file
    validated, errors = validate(ScriptSpec, doc, where=where)
    if validated is None:
        raise ScriptErrors(errors)
    spec: Any = validated  # a ScriptSpec, built at import over the node types
    nodes: dict[str, Node] = {}
    for node_id, node_spec in spec.nodes.items():

        def prompt(name: str, said: PromptSpec | None, node_id: str = node_id) -> Prompt | None:
            if said is None:
                return None
            text = {lang: getattr(said, lang) for lang in ("zh", "en") if getattr(said, lang)}
            return Prompt(text, said.file or default_file(file, node_id, name))

        cls = NODE_TYPES[node_spec.type]
        line = doc.start(("nodes", node_id))
        nodes[node_id] = cls.from_spec(node_id, line, node_spec, prompt)
    script = Script(spec.name, file, spec.start, nodes, spec.description or "")
    problems: list[ScriptError] = []
    if spec.start not in nodes:
        problems.append(
            ScriptError(
                file,
                doc.line(("start",)),
                "script.start",
                _("no node named %(name)s", name=repr(spec.start)),
            )
        )
    for node in nodes.values():
        for label, target in node.targets().items():
            if target not in nodes:
                problems.append(
                    ScriptError(
                        file,
                        node.line,
                        f"nodes.{node.id}",
                        _(
                            "%(label)s -> %(target)s: no such node",
                            label=edge_label(label),
                            target=repr(target),
                        ),
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
                        _("loop that never waits for keys: %(loop)s", loop=" -> ".join(loop)),
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

    return published.folder_in_force() or settings().ivr_scripts or DEFAULT_FOLDER


_cache: dict[Path, tuple[float, Script]] = {}


def load_path(path: Path) -> Script:
    """A script file, parsed again only when its modification time changes (reload, no restart)."""
    stamp = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        script, problems = build(read_file(path), str(path))
    except ScriptErrors as exc:
        raise exc.errors[0] from None
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
