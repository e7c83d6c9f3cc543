"""tests/core: the shared fixtures are tests/conftest.py's."""

from __future__ import annotations

import os

# test_pipelined_postgresql.py needs a PostgreSQL server: CI runs it in its PostgreSQL stage
# and leaves it out of its SQLite stage (HELPDESK_REQUIRE_ALL: CI never skips), as
# tests/runtime/conftest.py does for its PostgreSQL-only tests.
collect_ignore = (
    ["test_pipelined_postgresql.py"]
    if os.environ.get("HELPDESK_REQUIRE_ALL") and not os.environ.get("HELPDESK_TEST_DATABASE_URL")
    else []
)
