"""Models and migrations agree; the app refuses a database that is behind."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from helpdesk import create_app, schema
from helpdesk.models import Base
from helpdesk.search.models import is_backend_object


def test_migrations_leave_no_pending_autogenerate_diff(app, database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                # the search backend's FTS5 tables and GIN indexes are the migration's
                "include_name": lambda name, kind, _: not is_backend_object(name, kind),
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_create_every_table_on_an_empty_database(app, database_url):
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert schema.current_revision(database_url) == schema.head_revision(database_url)


def test_app_refuses_a_database_behind_and_says_what_to_run(settings, tmp_path):
    empty = settings.with_(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(schema.SchemaBehind, match="helpdesk db upgrade"):
        create_app(empty)
