"""API fixtures: bearer tokens, clients acting as a user, a two-provider world for scoping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import ApiToken, Role, User
from helpdesk.auth.passwords import new_token
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.tickets.models import Ticket

from .support import Api, World


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """API tests authenticate with tokens; scrypt for every fixture user only costs time."""
    from werkzeug import security

    monkeypatch.setattr(
        "helpdesk.auth.passwords.generate_password_hash",
        lambda password: security.generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


@pytest.fixture
def token(session: Session) -> Callable[..., str]:
    def make(user: User, revoked: bool = False) -> str:
        raw, digest = new_token()
        session.add(ApiToken(user_id=user.id, name="test", token_hash=digest, revoked=revoked))
        session.commit()
        return raw

    return make


@pytest.fixture
def api_as(client: FlaskClient, token: Callable[..., str]) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        return Api(client, {"Authorization": f"Bearer {token(user)}"})

    return make


@pytest.fixture
def anonymous(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def world(
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> World:
    org_a, org_b = make_org(slug="provider-a"), make_org(slug="provider-b")
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    agent = make_user(Role.AGENT, centre)
    e1, e2 = make_enterprise(), make_enterprise(district="330106")
    ticket_a = make_ticket(
        agent, enterprise_id=e1.id, organisation_id=org_a.id, contact_phone="13800001111"
    )
    ticket_b = make_ticket(
        agent, enterprise_id=e2.id, organisation_id=org_b.id, contact_phone="13800002222"
    )
    return World(
        org_a=org_a,
        org_b=org_b,
        centre=centre,
        agent=agent,
        supervisor=make_user(Role.SUPERVISOR, centre),
        provider_a=make_user(Role.PROVIDER, org_a),
        provider_b=make_user(Role.PROVIDER, org_b),
        enterprise_1=e1,
        enterprise_2=e2,
        ent_user_1=make_user(Role.ENTERPRISE, enterprise_id=e1.id),
        ent_user_2=make_user(Role.ENTERPRISE, enterprise_id=e2.id),
        ticket_a=ticket_a,
        ticket_b=ticket_b,
    )
