"""Routing fixtures."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpdesk.routing import loader


@pytest.fixture
def use_rules(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Write rule files into a fresh folder and make it this process's rule folder."""
    folder = tmp_path / "rules"
    folder.mkdir()

    def write(files: dict[str, str] | None = None, **named: str) -> Path:
        for name, text in {**(files or {}), **named}.items():
            (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        loader.use(folder)
        return folder

    yield write
    loader.use(None)
