"""The environment of a helpdesk process a test starts (a web process, a worker, the CLI)."""

from __future__ import annotations

import os
from pathlib import Path


def helpdesk_env(tmp_path: Path, database: str, redis_url: str | None = None) -> dict[str, str]:
    """This environment plus a process of its own: a SQLite file `database` and the instance
    folder in tmp_path, a fixed secret, and `redis_url` (None: no Redis setting at all)."""
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=f"sqlite:///{tmp_path / database}",
        HELPDESK_INSTANCE_PATH=str(tmp_path),
        HELPDESK_SECRET_KEY="x" * 32,
    )
    if redis_url is None:
        env.pop("HELPDESK_REDIS_URL", None)
    else:
        env["HELPDESK_REDIS_URL"] = redis_url
    return env
