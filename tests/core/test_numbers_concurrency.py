"""Two tickets never get the same number, also when many are created at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from helpdesk.extensions import db
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

THREADS, EACH = 8, 25


def test_concurrent_creation_gives_unique_gapless_numbers(app, session):
    factory = sessionmaker(bind=db.engine)

    def create_many(_: int) -> list[str]:
        numbers = []
        with factory() as own:
            for _ in range(EACH):
                ticket = service.create(
                    own,
                    None,
                    service.NewTicket(subject="并发", category="info/policy", district="330102"),
                )
                own.commit()
                numbers.append(ticket.number)
        return numbers

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for batch in pool.map(create_many, range(THREADS)) for n in batch]

    assert len(numbers) == len(set(numbers)) == THREADS * EACH
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(1, THREADS * EACH + 1))
    assert session.scalar(select(func.count(Ticket.id))) == THREADS * EACH


def test_a_number_taken_does_not_hold_up_the_next_creation(app, session):
    """On PostgreSQL a creation still in its transaction does not make the next one wait for
    a number; on SQLite (one writer) a creation that rolls back gives its number back."""
    factory = sessionmaker(bind=db.engine)
    with factory() as first:
        taken = service.next_number(first)  # this creation is still running
        if db.engine.dialect.name == "postgresql":
            with factory() as second:
                second.execute(text("SET LOCAL lock_timeout = '2s'"))
                following = service.next_number(second)  # would time out on a held lock
            assert int(following[-5:]) == int(taken[-5:]) + 1
            first.rollback()
            return
        first.rollback()
    with factory() as again:
        assert service.next_number(again) == taken


def test_creations_that_fill_the_pool_still_get_numbers(app, session):
    """On PostgreSQL the number comes from its own short transaction. When it took a second
    connection from the request's pool, a burst that held every pooled connection waited for
    ever (a phone queue of 50 calls: 49 failed with "QueuePool limit reached")."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite numbers inside the creation's transaction: no second connection
    tight = create_engine(db.engine.url, pool_size=1, max_overflow=0, pool_timeout=2)
    try:
        with sessionmaker(bind=tight)() as holding_the_only_connection:
            holding_the_only_connection.execute(text("SELECT 1"))
            number = service.next_number(holding_the_only_connection)
            holding_the_only_connection.rollback()
        assert number.startswith("HZ-")
    finally:
        tight.dispose()
