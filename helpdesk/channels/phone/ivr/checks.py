"""Offline tools over scripts: problems (`helpdesk ivr check`) and the menu as a diagram."""

from __future__ import annotations

from pathlib import Path

from helpdesk.channels.phone.ivr.loader import Script, build
from helpdesk.channels.phone.ivr.nodes import MenuNode, SetNode
from helpdesk.channels.phone.ivr.schema import ScriptError, ScriptErrors, read_file
from helpdesk.yamlcheck.errors import _


def reachable(script: Script) -> set[str]:
    seen: set[str] = set()
    todo = [script.start]
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in script.nodes:
            continue
        seen.add(nid)
        todo.extend(script.nodes[nid].targets().values())
    return seen


def check_file(
    path: Path, categories: set[str] | None = None, districts: set[str] | None = None
) -> list[ScriptError]:
    """Every problem in one script file: schema, dangling targets, loops without input,
    unreachable nodes, prompts missing a language, unknown category or district codes."""
    file = str(path)
    try:
        script, problems = build(read_file(path), file)
    except ScriptErrors as exc:
        return list(exc.errors)
    seen = reachable(script)
    for nid, node in script.nodes.items():
        where = f"nodes.{nid}"
        if nid not in seen:
            problems.append(ScriptError(file, node.line, where, _("unreachable from the start")))
        for name, prompt in node.prompts().items():
            for lang in prompt.missing():
                problems.append(
                    ScriptError(
                        file, node.line, f"{where}.{name}", _("no %(lang)s text", lang=lang)
                    )
                )
        for chosen in _choices(node):
            category, district = chosen.get("category"), chosen.get("district")
            if categories is not None and category and category not in categories:
                problems.append(
                    ScriptError(
                        file,
                        node.line,
                        f"{where}.set.category",
                        _("unknown %(code)s", code=category),
                    )
                )
            if districts is not None and district and district not in districts:
                problems.append(
                    ScriptError(
                        file,
                        node.line,
                        f"{where}.set.district",
                        _("unknown %(code)s", code=district),
                    )
                )
    return sorted(problems, key=lambda p: (p.line or 0, p.field))


def _choices(node: object) -> list[dict[str, str]]:
    if isinstance(node, SetNode):
        return [node.values]
    if isinstance(node, MenuNode):
        return [o.set for o in node.options.values() if o.set]
    return []


def reference_codes() -> tuple[set[str], set[str]]:
    """The catalogue and district codes the database is seeded with (no database needed)."""
    from helpdesk.directory.reference import CATALOGUE, REGIONS

    categories = {code for code, *_ in CATALOGUE}
    categories |= {
        f"{code}/{child}" for code, _, _, children in CATALOGUE for child, *_ in children
    }
    return categories, {code for code, *_ in REGIONS}


def _label(script: Script, nid: str) -> str:
    node = script.nodes[nid]
    text = ""
    prompts = node.prompts()
    if "prompt" in prompts:
        text = prompts["prompt"].for_language("zh")[:18]
    label = f"{nid} ({node.kind})" + (f"<br/>{text}…" if text else "")
    return label.replace('"', "'")


def mermaid(script: Script) -> str:
    lines = ["flowchart TD"]
    for nid in script.nodes:
        lines.append(f'  {nid}["{_label(script, nid)}"]')
    for nid, node in script.nodes.items():
        for label, target in node.targets().items():
            lines.append(f"  {nid} -->|{label}| {target}")
    return "\n".join(lines) + "\n"


def graphviz(script: Script) -> str:
    lines = [f'digraph "{script.name}" {{', "  rankdir=LR;", "  node [shape=box];"]
    for nid in script.nodes:
        label = _label(script, nid).replace("<br/>", "\\n")
        lines.append(f'  "{nid}" [label="{label}"];')
    for nid, node in script.nodes.items():
        for label, target in node.targets().items():
            lines.append(f'  "{nid}" -> "{target}" [label="{label}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
