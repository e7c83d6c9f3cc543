"""The web process leaves WAL checkpoints (and their fsyncs) to a thread, not its requests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from helpdesk.runner.checkpoint import checkpoint, move_checkpoints_off_loop


def _write_rows(engine, count: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
    for n in range(count):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 2000 + str(n)})


def test_commits_on_the_web_process_no_longer_checkpoint(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    greenlet = move_checkpoints_off_loop(engine, interval=3600)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        # past the default threshold of 1,000 pages, nothing has been copied back yet
        _write_rows(engine, 1500)
        busy, wal_pages, copied = checkpoint(str(tmp_path / "db.sqlite3"))
        assert busy == 0 and wal_pages > 1000 and copied == wal_pages
    finally:
        greenlet.kill()
        engine.dispose()


def test_other_processes_keep_sqlites_default(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    engine.dispose()


def test_nothing_to_move_for_postgresql_or_memory() -> None:
    assert move_checkpoints_off_loop(create_engine("sqlite://")) is None
    pg = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert move_checkpoints_off_loop(pg) is None
