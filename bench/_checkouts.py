"""Benchmarks that time this checkout against another one, each in a child process of its own
(its own `helpdesk` on PYTHONPATH), interleaved round after round."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def checkouts(baseline: str | Path | None) -> list[tuple[str, Path]]:
    """("this", the current folder), then ("baseline", `baseline`) when given."""
    found = [("this", Path.cwd())]
    if baseline:
        found.append(("baseline", Path(baseline).resolve()))
    return found


def child_figures(checkout: Path, arguments: list[str], env: dict[str, str] | None = None) -> Any:
    """Run `python ARGUMENTS` in `checkout` with its own code first on the path; the JSON of
    the last line it printed."""
    environ = {**(os.environ if env is None else env), "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, *arguments],
        cwd=checkout,
        env=environ,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
