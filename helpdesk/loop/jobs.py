"""The loop's periodic work, run at each worker maintenance (every minute, like the call
sweep): close resolved tickets left unrated, and once a Hangzhou day, judge the providers
against the watch bar."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.loop import followups
from helpdesk.loop.config import LoopConfig

log = logging.getLogger(__name__)


def close_unrated(session: Session, config: LoopConfig) -> int:
    """Every due ticket, a committed batch at a time; how many were closed."""
    closed = 0
    while batch := followups.auto_close(session, config):
        session.commit()
        closed += len(batch)
        log.info("auto-closed %d resolved tickets nobody rated", len(batch))
    return closed


def run(redis: Any | None = None) -> dict[str, int]:
    """The maintenance step. `redis` (the worker's) makes the daily evaluation once a day
    across workers; without it the evaluation is left to the CLI and the page."""
    from helpdesk.extensions import db
    from helpdesk.loop import watch
    from helpdesk.loop.config import loop_config
    from helpdesk.outbox.dispatcher import dispatch_all

    config = loop_config()
    session = db.session()
    result = {"closed": close_unrated(session, config), "watched": 0}
    day_key = f"helpdesk:loop:evaluated:{clock.local_today()}"
    if redis is not None and redis.set(day_key, "1", nx=True, ex=2 * 86400):
        result["watched"] = len(watch.evaluate(session, "job", config))
        session.commit()
    dispatch_all()
    return result
