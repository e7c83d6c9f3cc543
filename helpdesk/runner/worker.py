"""`helpdesk worker`: one RQ worker with its scheduler, running jobs inside the Flask app.

A non-forking worker (`SimpleWorker`): forking per job managed 52 no-op jobs/s here against
255/s without (measured; ARCHITECTURE.md), and our jobs are many and small. Jobs run in an app
context, so they can use the database session; the session is removed after each job.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from multiprocessing.process import BaseProcess
from typing import Any

from flask import Flask
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.job import Job
from rq.scheduler import ForkProcess, RQScheduler
from rq.scheduler import run as run_scheduler

from helpdesk import redis_connections
from helpdesk.runner.children import die_with_parent, forget_inherited_redis, open_redis_connections
from helpdesk.sla.recovery import TimerWatch

QUEUES = ("default", "timers")
# Abandoned jobs (a killed worker) are noticed at each maintenance run: every minute, not ten.
MAINTENANCE_INTERVAL = 60
# Wake from the blocking pop this often (RQ: 405 s) to look for a Redis that lost the timers.
WAKE_EVERY = 1
# RQ's scheduler polls once a second; SLA timers want a tighter poll (helpdesk.sla.timers). Its
# lock expiry stays interval + 60 s with the default whole-second interval (Redis wants integers).
SCHEDULER_POLL = 0.2

log = logging.getLogger(__name__)


class OwnedScheduler(RQScheduler):
    """RQ forks its scheduler from the worker; make that fork die with the worker too, and
    share no Redis socket with it."""

    def start(self) -> BaseProcess:
        """As rq's own, with `_run_owned` as the forked process's first code."""
        self._status = self.Status.STARTED
        self._connection = None  # as rq: the fork makes its own (RQScheduler.connection)
        process = ForkProcess(target=_run_owned, args=(self, os.getpid()), name="Scheduler")
        self._process = process  # type: ignore[assignment]  # rq types it as None only
        process.start()
        return process

    def work(self) -> None:
        """As rq's own loop, polling every SCHEDULER_POLL seconds instead of every second."""
        self._install_signal_handlers()
        self.register_birth()
        while not self._stop_requested:
            if self.should_reacquire_locks:
                self.acquire_locks()
            self.heartbeat()
            self.enqueue_scheduled_jobs()
            time.sleep(SCHEDULER_POLL)
        self.stop()


def _run_owned(scheduler: OwnedScheduler, worker: int) -> None:
    """The scheduler process. SIGTERM (not KILL) when the worker dies: the scheduler then
    releases its locks, so the next worker's scheduler takes over at once, not after expiry.
    Its copies of the worker's Redis sockets are closed first: one kept open after the worker
    was killed kept the worker's BLPOP alive on the server, and that took the next job."""
    die_with_parent(worker, signal.SIGTERM)
    forget_inherited_redis()
    run_scheduler(scheduler)


class AppWorker(SimpleWorker):
    app: Flask | None = None
    timer_watch: TimerWatch | None = None

    @property
    def dequeue_timeout(self) -> int:
        return WAKE_EVERY

    def work(self, burst: bool = False, *args: Any, **kwargs: Any) -> bool:
        # A long-running worker watches the timers; a burst run (tests, one-off) only works.
        if not burst and self.app is not None:
            self.timer_watch = TimerWatch(self.connection)
        return super().work(burst, *args, **kwargs)

    def subscribe(self) -> None:
        """RQ's command channel, read by a thread that looks at its stop flag every second.

        RQ starts it with sleep_time=60, and redis-py's stop() waits for that read to end:
        every worker shutdown (a restart by `helpdesk serve`, the end of a burst run) then
        took up to 60 s (seen: the ghost-call sweep test, 64 s of which 60 in teardown)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ types it None
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """RQ calls this at each wake-up and after each job: look after the timers too."""
        super().heartbeat(timeout, pipeline)
        if pipeline is None and self.timer_watch is not None:
            self._watch_timers(self.timer_watch)

    def _watch_timers(self, watch: TimerWatch) -> None:
        from helpdesk.extensions import db
        from helpdesk.sla.jobs import ensure_periodic

        assert self.app is not None
        with self.app.app_context():
            try:
                if watch.check(db.session()) is not None:
                    ensure_periodic(self.connection)  # the periodic chain went with the data
            except RedisConnectionError:
                raise  # RQ's loop waits for Redis to come back
            except Exception:  # the next look tries again; the worker goes on working
                log.exception("SLA timer watch failed")
            finally:
                db.session.remove()

    def execute_job(self, job: Job, queue: Queue) -> None:
        if self.app is None:
            super().execute_job(job, queue)
            return
        from helpdesk.extensions import db

        with self.app.app_context():
            try:
                super().execute_job(job, queue)
            finally:
                db.session.remove()

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        if self.app is not None:  # the SLA reconciler's periodic run and the audit sealer
            from helpdesk.sla.jobs import on_worker_maintenance

            with self.app.app_context():
                on_worker_maintenance(self.connection)
            self._sweep_calls()
            self._close_the_loop()
            self._retention()
            self._roll_statistics()

    def _close_the_loop(self) -> None:
        """Auto-close unrated resolved tickets, and the daily watch bar (helpdesk.loop.jobs)."""
        from helpdesk.extensions import db
        from helpdesk.loop.jobs import run

        assert self.app is not None
        with self.app.app_context():
            try:
                run(self.connection)
            except Exception:  # the next run tries again; the worker must keep working
                self.log.exception("the loop's maintenance failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def _retention(self) -> None:
        """Personal data past its retention anonymised, once a day (helpdesk.retention.jobs)."""
        from helpdesk.extensions import db
        from helpdesk.retention.jobs import run

        assert self.app is not None
        with self.app.app_context():
            try:
                run(self.connection)
            except Exception:  # tomorrow's run tries again; the worker must keep working
                self.log.exception("retention failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def _sweep_calls(self) -> None:
        """Calls whose PBX never hung up end here (helpdesk.channels.phone.sweep)."""
        from helpdesk.channels.phone.sweep import run
        from helpdesk.extensions import db

        assert self.app is not None
        with self.app.app_context():
            try:
                run()
            except Exception:  # the next run tries again; the worker must keep working
                self.log.exception("the call sweep failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def _roll_statistics(self) -> None:
        """The dashboard's daily rollup: closed days, and days changed since (stats.rollup)."""
        from helpdesk.extensions import db
        from helpdesk.stats.rollup import maintain

        assert self.app is not None
        with self.app.app_context():
            try:
                maintain(db.session())
            except Exception:  # the next run tries again; panels count such days live
                self.log.exception("the statistics rollup failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        # As rq's own, with the scheduler class above.
        self.scheduler = OwnedScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if not burst:
            self.scheduler.start()
            return
        try:
            self.scheduler.register_birth()
            self.scheduler.enqueue_scheduled_jobs()
        finally:
            self.scheduler.release_locks()
            self.scheduler.register_death()


def build_worker(redis_url: str, app: Flask | None = None) -> AppWorker:
    # Its own client: RQ sets a socket timeout above its blocking pop in the client's pool.
    connection = redis_connections.client(redis_url, timeout=None)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    worker = AppWorker(queues, connection=connection, maintenance_interval=MAINTENANCE_INTERVAL)
    worker.app = app
    return worker


def worker_app() -> Flask:
    """The app jobs run in, with the search index's word list loaded before the first job."""
    from helpdesk import create_app
    from helpdesk.search.segment import tokenizer

    app = create_app()
    # jieba's dictionary, loaded lazily, cost the first job that indexed a ticket or comment
    # 0.6-0.9 s of CPU, while due SLA timers waited behind it; loaded here, before the forks
    # (runner.warm), a worker forked again after a crash does not load it again either.
    tokenizer()
    return app


def run_worker(redis_url: str, *, burst: bool = False) -> bool:
    """Build the app, then work the queues until SIGINT/SIGTERM (or until empty with `burst`),
    each worker forked from the built app and forked again if it dies (runner.warm)."""
    app = worker_app()
    if burst:
        return build_worker(redis_url, app).work(burst=True, with_scheduler=True)
    from helpdesk.runner.warm import keep_forking

    # This process only forks from now on: it keeps no Redis socket open for its forks to
    # inherit (closed once here; reconnected should anything here use one again).
    inherited = open_redis_connections()
    for connection in inherited:
        connection.disconnect()

    def fresh_connections() -> None:
        """The fork shares no database connection or Redis socket with its parent."""
        from helpdesk.extensions import db

        forget_inherited_redis(inherited)
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)

    # Each worker forked from this built app: a killed one is replaced in milliseconds.
    return keep_forking(
        lambda: build_worker(redis_url, app).work(with_scheduler=True), in_child=fresh_connections
    )
