"""The difference between two versions, file by file, as lines a page can colour."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "same", "gap"
    old: int | None  # line number in the old file
    new: int | None
    text: str


@dataclass(frozen=True)
class FileDiff:
    name: str
    status: str  # "changed", "added", "removed"
    lines: tuple[DiffLine, ...]


def diff_files(old: dict[str, str], new: dict[str, str], context: int = 3) -> list[FileDiff]:
    """Only the files that differ; each with `context` unchanged lines around a change."""
    found = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        found.append(FileDiff(name, status, tuple(_lines(a or "", b or "", context))))
    return found


def _lines(a: str, b: str, context: int) -> list[DiffLine]:
    old, new = a.splitlines(), b.splitlines()
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [
                    DiffLine("same", i1 + k + 1, j1 + k + 1, old[i1 + k]) for k in range(i2 - i1)
                ]
                continue
            out += [DiffLine("remove", i + 1, None, old[i]) for i in range(i1, i2)]
            out += [DiffLine("add", None, j + 1, new[j]) for j in range(j1, j2)]
    return out
