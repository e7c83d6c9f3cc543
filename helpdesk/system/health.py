"""What /admin/system shows: the effective settings (secrets masked), the versions in force
(database schema, routing rules, SLA policies, IVR scripts), and the health of Redis, the RQ
workers and their scheduler (heartbeats, queue lengths, failed jobs). Reads only, except
`retry`, which puts a failed job back on its queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from helpdesk.config import Settings
from helpdesk.runner.worker import QUEUES
from helpdesk.web.punctuation import marks

SECRET_WORDS = ("secret", "key", "password", "token")
FAILED_SHOWN = 20


def masked(value: str) -> str:
    """Enough to recognise a secret, not to use it."""
    return f"{value[:2]}…{marks().paren(len(value))}" if value else ""


def _masked_url(url: str | None) -> str | None:
    """A URL's password is a secret: postgresql://root:***@host/db."""
    if not url or "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in credentials else ''}@{host}"


def settings_shown(settings: Settings) -> list[tuple[str, str | bool]]:
    """(name, value) of every setting, secrets masked, URLs without their passwords; switches
    stay booleans so the page says yes or no in words."""
    rows: list[tuple[str, str | bool]] = []
    for name, value in sorted(vars(settings).items()):
        if name == "extra":
            continue
        if any(word in name for word in SECRET_WORDS):
            text = masked(str(value or ""))
        elif name.endswith("_url"):
            text = _masked_url(value) or ""
        elif isinstance(value, bool):
            rows.append((name, value))
            continue
        else:
            text = "" if value is None else str(value)
        rows.append((name, text))
    return rows


@dataclass
class Versions:
    schema_current: str | None
    schema_head: str | None
    rules: str | None
    rules_loaded_at: str | None
    sla: str | None
    ivr: list[tuple[str, str]] = field(default_factory=list)
    # the published version in force per document ("rules", "sla", "ivr"): what the admin
    # knows it by (第 3 版, on its versions page); None: the platform's own files
    published: dict[str, int | None] = field(default_factory=dict)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versions(settings: Settings) -> Versions:
    from sqlalchemy import text

    from helpdesk import schema
    from helpdesk.channels.phone.ivr.loader import all_paths
    from helpdesk.extensions import db
    from helpdesk.routing import loader
    from helpdesk.routing.service import directory_snapshot
    from helpdesk.sla.service import policy_source
    from helpdesk.yamldocs import published

    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = schema.head_revision(settings.database_url)
    ruleset = loader.source().current(frozenset(directory_snapshot(db.session()).organisations))
    policies = policy_source().path
    return Versions(
        schema_current=current,
        schema_head=head,
        rules=getattr(ruleset, "version", None),
        rules_loaded_at=getattr(ruleset, "loaded_at", None),
        sla=_digest(policies) if policies.exists() else None,
        ivr=[(p.stem, _digest(p)) for p in all_paths()],
        published={kind: published.newest(db.session(), kind) for kind in ("rules", "sla", "ivr")},
    )


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str
    error: str
    ended_at: datetime | None


@dataclass
class Health:
    redis_ok: bool
    redis_error: str = ""
    workers: list[dict[str, Any]] = field(default_factory=list)
    schedulers: dict[str, bool] = field(default_factory=dict)  # queue -> a scheduler holds it
    queued: dict[str, int] = field(default_factory=dict)
    scheduled: dict[str, int] = field(default_factory=dict)
    failed_count: dict[str, int] = field(default_factory=dict)
    failed: list[FailedJob] = field(default_factory=list)


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _utc(moment: datetime | None) -> datetime | None:
    """RQ keeps some of its times naive, in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def health(redis: Redis | None) -> Health:
    if redis is None:
        return Health(redis_ok=False, redis_error="no Redis configured")
    try:
        redis.ping()
        found = Health(redis_ok=True)
        for w in Worker.all(connection=redis):
            # RQ names a worker by a random hex id: the page says where it runs and since when
            found.workers.append({
                "host": w.hostname or "—",
                "pid": w.pid,
                "started": _utc(w.birth_date),
                "state": str(w.get_state()),
                "last_heartbeat": _utc(w.last_heartbeat),
                "queues": w.queue_names(),
                "done": w.successful_job_count,
                "failed": w.failed_job_count,
            })  # fmt: skip
        for name in QUEUES:
            queue = Queue(name, connection=redis)
            found.queued[name] = queue.count
            found.scheduled[name] = ScheduledJobRegistry(queue=queue).count
            found.schedulers[name] = bool(redis.exists(f"rq:scheduler-lock:{name}"))
            registry = FailedJobRegistry(queue=queue)
            found.failed_count[name] = registry.count
            for job_id in registry.get_job_ids(0, FAILED_SHOWN - 1):
                try:
                    job = Job.fetch(job_id, connection=redis)
                except NoSuchJobError:
                    continue
                found.failed.append(
                    FailedJob(job.id, name, job.func_name or "", _last_line(job.exc_info),
                              job.ended_at)
                )  # fmt: skip
        return found
    except RedisError as exc:
        return Health(redis_ok=False, redis_error=str(exc)[:200])


def retry(redis: Redis, queue_name: str, job_id: str) -> bool:
    """Put a failed job back on its queue; False when it is no longer among the failed."""
    if queue_name not in QUEUES:
        return False
    registry = FailedJobRegistry(queue=Queue(queue_name, connection=redis))
    if job_id not in registry.get_job_ids():
        return False
    registry.requeue(job_id)
    return True
