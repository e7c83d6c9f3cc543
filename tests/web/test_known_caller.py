"""The caller stays who they are: a known contact's number brings its enterprise, and the name
the agent typed is kept (a new contact of that enterprise, or the stored one renamed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Contact, Enterprise
from helpdesk.tickets.models import Ticket
from web.helpers import login, page


@pytest.fixture
def known(make_enterprise: Callable[..., Enterprise], session: Session) -> Enterprise:
    """Like the demo's fifth enterprise: contact 联系人5 on 138 5710 0004, in 拱墅区."""
    enterprise = make_enterprise(district="330105", name="杭州拱墅五金商贸有限公司")
    enterprise.contacts[0].name = "联系人5"
    enterprise.contacts[0].phone = "+8613857100004"
    session.commit()
    return enterprise


def _call(client: FlaskClient, session: Session, **changes: str) -> Ticket:
    data = {
        "caller_phone": "13857100004",
        "caller_name": "",
        "enterprise_id": "",
        "uscc": "",
        "category": "finance/guarantee",
        "district": "",  # from the enterprise
        "type": "request",
        "channel": "phone",
        "priority": "normal",
        "subject": "咨询担保贷款额度",
        "description": "",
        "organisation_id": "",
    }
    data.update(changes)
    response = client.post("/tickets/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    number = response.headers["Location"].rsplit("/", 1)[1]
    return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def _contacts(session: Session, enterprise: Enterprise) -> list[tuple[str, str | None]]:
    rows = session.scalars(
        select(Contact).where(Contact.enterprise_id == enterprise.id).order_by(Contact.id)
    )
    return [(c.name, c.phone) for c in rows]


def test_a_known_number_brings_its_enterprise(
    client: FlaskClient, session: Session, agent: User, known: Enterprise
) -> None:
    login(client, agent)
    ticket = _call(client, session)
    assert ticket.enterprise_id == known.id
    assert ticket.district_code == "330105"  # the enterprise's, though none was chosen
    assert ticket.contact is not None and ticket.contact.name == "联系人5"
    assert known.name in page(client, f"/tickets/{ticket.number}")


def test_another_name_on_a_known_number_is_a_new_contact_of_that_enterprise(
    client: FlaskClient, session: Session, agent: User, known: Enterprise
) -> None:
    login(client, agent)
    ticket = _call(client, session, caller_name="周杰")
    assert ticket.enterprise_id == known.id
    assert ticket.contact is not None and ticket.contact.name == "周杰"
    assert _contacts(session, known) == [
        ("联系人5", "+8613857100004"),
        ("周杰", "+8613857100004"),
    ]
    assert "周杰" in page(client, f"/tickets/{ticket.number}")
    again = _call(client, session, caller_name="周杰")  # the same person calls again
    assert again.contact_id == ticket.contact_id
    assert len(_contacts(session, known)) == 2


def test_the_agent_may_rename_the_stored_contact_instead(
    client: FlaskClient, session: Session, agent: User, known: Enterprise
) -> None:
    login(client, agent)
    ticket = _call(client, session, caller_name="周杰", update_contact="y")
    assert ticket.contact_id == known.contacts[0].id
    assert _contacts(session, known) == [("周杰", "+8613857100004")]


def test_a_chosen_enterprise_wins_over_the_number(
    client: FlaskClient,
    session: Session,
    agent: User,
    known: Enterprise,
    make_enterprise: Callable[..., Enterprise],
) -> None:
    other = make_enterprise(district="330106")
    login(client, agent)
    ticket = _call(client, session, caller_name="周杰", enterprise_id=str(other.id))
    assert ticket.enterprise_id == other.id and ticket.district_code == "330106"
    assert _contacts(session, other)[-1] == ("周杰", "+8613857100004")
    assert _contacts(session, known) == [("联系人5", "+8613857100004")]


def test_the_form_offers_to_update_the_stored_name(client: FlaskClient, agent: User) -> None:
    login(client, agent)
    assert 'name="update_contact"' in page(client, "/tickets/new")
