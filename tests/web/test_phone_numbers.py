"""Numbers as people write them: stored in E.164, shown in the national format everywhere, and
a landline's trunk 0 never lost (a callback to 57187005678 misdials)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import Organisation
from helpdesk.directory.phone_format import dial_digits, masked, national
from helpdesk.tickets.models import Ticket
from web.helpers import login, page

LANDLINE = "+8657187005678"
MOBILE = "+8613857100004"


@pytest.mark.parametrize(
    ("e164", "shown", "dialled", "hidden"),
    [
        (LANDLINE, "0571-8700 5678", "057187005678", "0571****5678"),
        (MOBILE, "138 5710 0004", "13857100004", "138****0004"),
        ("+861087654321", "010-8765 4321", "01087654321", "0108****4321"),
        ("+864008123456", "400 812 3456", "4008123456", "400****3456"),
        ("+85221234567", "+852 2123 4567", "+85221234567", "852****4567"),
    ],
)
def test_one_format_for_people_one_for_the_phone(
    e164: str, shown: str, dialled: str, hidden: str
) -> None:
    assert national(e164) == shown
    assert dial_digits(e164) == dialled
    assert masked(e164) == hidden


def test_nothing_is_nothing() -> None:
    assert national(None) == dial_digits("") == masked(None) == ""


def test_the_callback_list_shows_and_dials_the_landline_with_its_zero(
    client: FlaskClient, session: Session, agent: User
) -> None:
    session.add(
        CallRecord(
            call_id="missed-landline",
            source="cti",
            direction="in",
            status="ended",
            missed=True,
            from_number="057187005678",
            caller_e164=LANDLINE,
            ivr_path=[{"node": "welcome"}],
        )
    )
    session.commit()
    login(client, agent)
    html = page(client, "/phone/console")
    assert "0571-8700 5678" in html
    assert 'href="tel:057187005678"' in html  # click-to-dial: the national number


@pytest.fixture
def landline_ticket(make_ticket: Callable[..., Ticket], agent: User) -> Ticket:
    return make_ticket(
        actor=agent,
        contact_phone="057187005678",
        contact_name="王先生",
        subject="商标注册咨询",
    )


def test_the_ticket_page_shows_the_national_number(
    client: FlaskClient, agent: User, landline_ticket: Ticket
) -> None:
    login(client, agent)
    html = page(client, f"/tickets/{landline_ticket.number}")
    assert "0571-8700 5678" in html
    assert 'href="tel:057187005678"' in html


def test_the_api_gives_the_stored_number_and_its_display_form(
    client: FlaskClient, agent: User, landline_ticket: Ticket
) -> None:
    login(client, agent)
    body = client.get(f"/api/v1/tickets/{landline_ticket.number}").get_json()
    assert body["contact"] == {
        "name": "王先生",
        "phone": LANDLINE,
        "phone_display": "0571-8700 5678",
    }


def test_provider_staff_see_the_landline_masked_with_its_zero(
    client: FlaskClient,
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    landline_ticket: Ticket,
) -> None:
    provider = make_org(name="杭州银行科技支行")
    staff = make_user(Role.PROVIDER, provider)
    landline_ticket.assigned_org_id = provider.id
    session.commit()
    login(client, staff)
    body = client.get(f"/api/v1/tickets/{landline_ticket.number}").get_json()
    assert body["contact"]["phone_display"] == "0571****5678"
    html = page(client, f"/tickets/{landline_ticket.number}")
    assert "0571****5678" in html and "tel:" not in html
