"""A real `helpdesk` RQ worker process whose escalation stops half-way, to be killed -9.

Run by test_kill_worker: the step's ticket event is written and its stage claimed inside the
open transaction, then the job touches MARKER and hangs before commit.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from helpdesk import clock, create_app, redis_connections
from helpdesk.config import load_settings
from helpdesk.runner.worker import build_worker
from helpdesk.sla import escalation


def main(database_url: str, redis_url: str, instance: str, frozen: str, marker: str) -> None:
    env = {"HELPDESK_DATABASE_URL": database_url, "HELPDESK_INSTANCE_PATH": instance}
    app = create_app(load_settings(env).with_(testing=True))
    app.extensions[redis_connections.REDIS_OVERRIDE] = redis_url
    clock.freeze(datetime.fromisoformat(frozen))
    original = escalation.record_step

    def record_then_hang(session, ticket, kind, data):  # type: ignore[no-untyped-def]
        original(session, ticket, kind, data)
        session.flush()  # the event row is written, not committed
        Path(marker).write_text(kind)
        time.sleep(600)

    escalation.record_step = record_then_hang  # type: ignore[assignment]
    # Burst: no start-up catch-up (it would fire the stage itself), so the hang is in a job.
    build_worker(redis_url, app).work(burst=True, with_scheduler=False)


if __name__ == "__main__":
    main(*sys.argv[1:6])
