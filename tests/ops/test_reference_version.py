"""One notion of "reference data changed" for every in-process cache (issue 17 item 2): a
catalogue entry retired and a holiday entered by another process reach this process's look-ups
within reference_version.CHECK_EVERY (its clock moved here, no sleep)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from helpdesk.directory import queries
from helpdesk.directory.models import ServiceCategory
from helpdesk.sla import calendar_store
from helpdesk.sla.models import CalendarDay, CalendarYear

# A Tuesday no year file or library makes a holiday.
PLAIN_TUESDAY = date(2031, 3, 11)


def test_a_service_retired_by_another_process_is_no_longer_offered(
    session: Session, restore_catalogue: None, later
) -> None:
    assert queries.offered(session, "finance/guarantee")  # the catalogue is cached now
    session.execute(
        update(ServiceCategory)
        .where(ServiceCategory.code == "finance/guarantee")
        .values(active=False, version=ServiceCategory.version + 1)
    )
    session.commit()
    later()
    assert not queries.offered(session, "finance/guarantee")


def test_a_holiday_entered_by_another_process_moves_the_business_calendar(
    session: Session, later
) -> None:
    assert calendar_store.business_calendar(session).intervals(PLAIN_TUESDAY)
    session.execute(insert(CalendarYear).values(year=2031, source="测试", version=1))
    session.execute(
        insert(CalendarDay).values(day=PLAIN_TUESDAY, year=2031, kind="holiday", name="测试假日")
    )
    session.commit()
    later()
    assert not calendar_store.business_calendar(session).intervals(PLAIN_TUESDAY)
