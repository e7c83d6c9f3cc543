"""A throwaway PostgreSQL database for one test session or one benchmark run: created empty on
a server, dropped at the end even if connections are still open. One copy of this, for
tests/conftest.py, the backend parity test and the benchmarks (bench/api_create.py,
bench/phone_queue.py); the server URL's own database is only where CREATE DATABASE is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(server_url: str, prefix: str = "helpdesk_test") -> Iterator[str]:
    """The URL of a new database named `<prefix>_<random>` on the server of `server_url`."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
