"""A web process is ready for its first ticket or comment when it starts serving."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from processes import helpdesk_env

PROBE = """
from gevent import monkey
monkey.patch_all()
import os
from helpdesk import schema
from helpdesk.config import load_settings
from helpdesk.runner.web import web_app
schema.upgrade(os.environ["HELPDESK_DATABASE_URL"])
from helpdesk.search import segment
web_app(load_settings())
print("loaded" if segment._tokenizer is not None else "lazy")
"""


def test_the_search_dictionary_is_loaded_before_the_first_request(tmp_path: Path) -> None:
    # Loaded by the first comment instead, it held the gevent loop for 0.6 s of CPU (seconds
    # on a busy machine), and no console socket of the process was served meanwhile
    # (bench/console_fanout.py: its first update arrived 1.1-1.5 s late).
    env = helpdesk_env(tmp_path, "web.sqlite3")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "loaded"
