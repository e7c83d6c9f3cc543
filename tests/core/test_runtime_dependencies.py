"""`make run` installs only the runtime dependencies (pyproject's `dependencies`), not the test
extras: every third-party module the package imports must come from them, or a fresh clone's
`make run` dies on an ImportError that `make test` never sees (it happened with `requests`)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "helpdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "helpdesk"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_closure() -> set[str]:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [Requirement(r) for r in declared["project"]["dependencies"]]
    seen: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = _canonical(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for extra in requirement.extras:
            seen.add(f"{name}[{extra}]")
        for line in metadata.requires(requirement.name) or []:
            child = Requirement(line)
            marker_env = {"extra": next(iter(requirement.extras), "")}
            if child.marker is None or child.marker.evaluate(marker_env):
                todo.append(child)
    return seen


def test_every_imported_package_is_a_runtime_dependency() -> None:
    providers = metadata.packages_distributions()
    runtime = _runtime_closure()
    missing = {
        module: providers.get(module, ["?"])
        for module in _imported_top_level_modules()
        if not any(_canonical(dist) in runtime for dist in providers.get(module, []))
    }
    assert not missing, f"imported by helpdesk/ but not installed by `make run`: {missing}"
