"""The sealing job, and asking for it after ticket changes (debounced: one waiting job at most)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from rq import Queue
from rq.job import Job, JobStatus

from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import GRACE, seal

log = logging.getLogger(__name__)

SEAL_JOB = "audit-seal"
QUEUE = "default"
_FILES = "helpdesk.audit.files"


def audit_files(app: Flask | None = None) -> AuditFiles:
    app = app or current_app
    files = app.extensions.get(_FILES)
    if files is None:
        files = AuditFiles.for_instance(app.extensions["helpdesk.settings"].instance_path)
        app.extensions[_FILES] = files
    return files


def seal_job() -> dict[str, Any]:
    from helpdesk.extensions import db
    from helpdesk.oplog.seal import seal_changes

    result = seal(db.session(), audit_files())
    admin = seal_changes(db.session(), audit_files())  # the operations log's own chain
    return {"sealed": result.sealed, "head_seq": result.head_seq, "admin_sealed": admin}


def request_seal(redis: Any) -> None:
    """Seal a little after the grace period, unless a sealing job is already waiting."""
    # One HGET of the job's status, not a fetch of the whole job: this runs after every change.
    status = redis.hget(Job.key_for(SEAL_JOB), "status")
    if isinstance(status, bytes):
        status = status.decode()
    if status in (JobStatus.SCHEDULED, JobStatus.QUEUED):
        return
    Queue(QUEUE, connection=redis).enqueue_in(
        GRACE + timedelta(seconds=1), seal_job, job_id=SEAL_JOB, job_timeout=600, result_ttl=60
    )
