"""CPU to turn a streamed search statement into the SQL and parameters psycopg is handed
(search/stream.py `_as_sent`), per statement, on PostgreSQL:

    .venv/bin/python -m bench.stream_statement --url postgresql+psycopg://root@127.0.0.1/db \
        [--old ../other-tree/helpdesk/search/stream.py] [--rounds 8]

A SELECT of about the search statement's size (34 columns, CASE flags, an IN list, LIMIT),
3,000 statements a round: new statement objects (their cache key built each time, as in a
search) and the same 50 reused (the cache lookup and the parameters alone), against
`stmt.compile()` each time and, with --old, that file's `_compiled` (main before 2026-12-06:
SQLAlchemy's private compiled-cache API), interleaved round by round. Creates a table
`bench_stream_doc` in the database.

Measured 2026-12-06 on the shared 2-core machine (old `_compiled` / `_as_sent` /
`stmt.compile()`, ms per statement): 8 rounds at load 4.7, new objects 0.508-0.717 /
0.522-0.709, reused 0.041-0.051 / 0.059-0.078; 3 rounds later (--rounds 3), new objects
0.623-0.774 / 0.737-0.951 / 1.131-1.287, reused 0.054-0.078 / 0.079-0.104 / 1.083-1.194.
So the public path costs 0.02-0.05 ms more per search than the private one did.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    case,
    create_engine,
    func,
    or_,
    select,
)

from helpdesk.db import tune_postgresql
from helpdesk.search import stream

N = 3_000
TABLE = Table(
    "bench_stream_doc",
    MetaData(),
    *[Column(f"c{i}", Integer) for i in range(30)],
    Column("words", String),
    Column("created", DateTime(timezone=True)),
)


def statement(n: int) -> Select[Any]:
    t = TABLE.c
    flags = [
        case((t.created >= func.now() - func.make_interval(0, 0, 0, days), 1), else_=0)
        for days in (1, 7, 30, 365)
    ]
    return (
        select(*[t[f"c{i}"] for i in range(30)], *flags)
        .where(t.words.contains(f"w{n}"), t.c1.in_([n, n + 1, n + 2]), or_(t.c2 == n, t.c3 > n))
        .order_by(t.c0.desc())
        .limit(10_001)
    )


def compiled_each_time(connection: Connection, stmt: Select[Any]) -> tuple[str, Any]:
    done = stmt.compile(dialect=connection.dialect)
    return done.string, done.params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--old", help="another tree's helpdesk/search/stream.py")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    engine = create_engine(args.url)
    tune_postgresql(engine)
    TABLE.metadata.create_all(engine)
    ways: list[tuple[str, Callable[[Connection, Select[Any]], tuple[str, Any]]]] = []
    if args.old:
        spec = importlib.util.spec_from_file_location("old_stream", args.old)
        assert spec and spec.loader
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
        ways.append(("old _compiled", old._compiled))
    ways += [("_as_sent", stream._as_sent), ("stmt.compile()", compiled_each_time)]
    with engine.connect() as connection:
        sent = stream._as_sent(connection, statement(5))
        assert all(way(connection, statement(5)) == sent for _name, way in ways[:-1])
        for number in range(args.rounds):
            for reused in (False, True):
                for name, way in ways:
                    shapes = [statement(i % 50) for i in range(50 if reused else N)]
                    stmts = shapes * (N // 50) if reused else shapes
                    start = time.process_time()
                    for stmt in stmts:
                        way(connection, stmt)
                    per = (time.process_time() - start) / N * 1000
                    objects = "reused" if reused else "new"
                    print(f"round {number} {objects:6} {name:15} {per:.3f} ms/statement")


if __name__ == "__main__":
    main()
