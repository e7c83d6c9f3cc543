"""Rule files: the codes a rule may name, which files a folder holds, and the error type.

Reading and checking a file is helpdesk.yamlcheck's (line numbers kept, pydantic models in
rules.py, conditions.py and strategies.py); errors are its DocError, named for routing here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpdesk.yamlcheck.errors import DocError, DocErrors

RuleError = DocError  # (file, line, field, message)
RuleLoadError = DocErrors  # a rule folder that cannot become the active rule set


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


def rule_files(folder: Path) -> Iterator[Path]:
    """The folder's *.yaml and *.yml files in name order (a stable order for errors and traces)."""
    yield from sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
