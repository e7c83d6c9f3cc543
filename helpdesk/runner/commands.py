"""The `helpdesk serve`, `helpdesk web` and `helpdesk worker` verbs (registered in cli.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from helpdesk.config import load_settings
from helpdesk.settings import settings as read_env


@click.command("serve")
def serve() -> None:
    """The whole system: web + Socket.IO, an RQ worker, and the embedded Redis unless
    HELPDESK_REDIS_URL is set. Ctrl-C stops everything it started."""
    from helpdesk.runner.serve import run_serve

    default_database = not read_env().database_url
    sys.exit(run_serve(load_settings(), default_database=default_database))


@click.command("web")
def web() -> None:
    """One web process (pages, API, Socket.IO) on HELPDESK_HOST:HELPDESK_PORT, under gevent."""
    from helpdesk.runner import web as runner

    if not runner.is_patched():
        runner.exec_patched()
    _refuse_schema_behind(runner.run_web)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Quit when the queues are empty.")
def worker(burst: bool) -> None:
    """One RQ worker (queues default and timers) with the scheduler, on HELPDESK_REDIS_URL."""
    from helpdesk.runner.worker import run_worker

    url = load_settings().redis_url
    if url is None:
        raise click.UsageError("set HELPDESK_REDIS_URL (`helpdesk serve` sets it for its worker)")
    _refuse_schema_behind(lambda: run_worker(url, burst=burst))


def _refuse_schema_behind(run: Callable[[], object]) -> None:
    from helpdesk.schema import SchemaBehind

    try:
        run()
    except SchemaBehind as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
