"""A worker is ready for its first job that writes a ticket or comment when it starts working."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from processes import helpdesk_env

pytestmark = pytest.mark.slow

# The job runs in the worker (a SimpleWorker: in its own process) and says whether the search
# index's word list was there before it. RQ takes no function from __main__: it has a module.
JOB = """
from helpdesk.search import segment

def word_list_at_job_start():
    return "loaded" if segment._tokenizer is not None else "lazy"
"""
PROBE = """
import os, sys
from redis import Redis
from rq import Queue
from helpdesk import schema
from helpdesk.runner.worker import run_worker

sys.path.insert(0, sys.argv[2])
schema.upgrade(os.environ["HELPDESK_DATABASE_URL"])
queue = Queue("default", connection=Redis.from_url(sys.argv[1]))
job = queue.enqueue("probe_job.word_list_at_job_start")
assert run_worker(sys.argv[1], burst=True)
print(job.return_value())
"""


def test_the_search_dictionary_is_loaded_before_the_first_job(
    redis_url: str, tmp_path: Path
) -> None:
    # Loaded by the first job that indexed text instead, it cost that job 0.6-0.9 s of CPU
    # while due SLA timers waited behind it.
    (tmp_path / "probe_job.py").write_text(JOB)
    env = helpdesk_env(tmp_path, "worker.sqlite3", redis_url)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, redis_url, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "loaded"
