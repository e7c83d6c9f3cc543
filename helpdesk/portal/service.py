"""Enterprise self-registration and its approval by the service centre (登记备案).

A registration makes the enterprise, its first contact and its portal user together. The user
may log in once the registration is approved; the demo approves at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.logins import LOGIN_RE, taken_by
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import hash_password
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Contact, Enterprise
from helpdesk.directory.validation import check_length, normalise_phone, validate_uscc
from helpdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.portal.models import EnterpriseRegistration, RegistrationStatus
from helpdesk.search import index as search_index
from helpdesk.settings import settings

PASSWORD_MIN = 8


def check_login(raw: str) -> str:
    login = check_length(raw, 64, "login", required=True)
    if not LOGIN_RE.match(login):
        raise InvalidInput(f"{login!r}: a login is 2 to 64 letters, digits, . - or _", "login")
    return login


def auto_approve(database_url: str) -> bool:
    """HELPDESK_PORTAL_AUTO_APPROVE=1/0; by default on for the embedded demo (SQLite) only."""
    flag = settings().portal_auto_approve
    return database_url.startswith("sqlite") if flag is None else flag


def register(
    session: Session,
    *,
    name: str,
    uscc: str,
    district: str,
    contact_name: str,
    phone: str,
    login: str,
    password: str,
    approve: bool,
) -> EnterpriseRegistration:
    enterprise_name = check_length(name, 120, "name", required=True)
    code = validate_uscc(uscc, "uscc")
    directory.region(session, district, "district")
    person = check_length(contact_name, 60, "contact_name", required=True)
    number = normalise_phone(phone, "phone")
    user_login = check_login(login)
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(f"the password needs at least {PASSWORD_MIN} characters", "password")
    if session.scalars(select(Enterprise.id).where(Enterprise.uscc == code)).first():
        raise Conflict("this enterprise is already registered", field="uscc")
    if taken_by(session, user_login) is not None:  # as the people console: case aside
        raise Conflict("this login is taken", field="login")
    enterprise = Enterprise(name=enterprise_name, uscc=code, district_code=district)
    session.add(enterprise)
    session.flush()
    search_index.enterprise_changed(session, enterprise)
    session.add(Contact(enterprise_id=enterprise.id, name=person, phone=number))
    user = User(
        login=user_login,
        name=person,
        password_hash=hash_password(password),
        role=Role.ENTERPRISE,
        enterprise_id=enterprise.id,
        active=approve,
    )
    session.add(user)
    session.flush()
    now = clock.now()
    registration = EnterpriseRegistration(
        enterprise_id=enterprise.id,
        user_id=user.id,
        status=RegistrationStatus.APPROVED if approve else RegistrationStatus.PENDING,
        submitted_at=now,
        decided_at=now if approve else None,
    )
    session.add(registration)
    return registration


def decide(session: Session, actor: User, enterprise_id: int, approve: bool) -> None:
    if not actor.is_staff:
        raise Forbidden("the service centre approves registrations", field="enterprise_id")
    registration = session.get(EnterpriseRegistration, enterprise_id)
    if registration is None:
        raise NotFound("no such registration", field="enterprise_id")
    if registration.status is not RegistrationStatus.PENDING:
        raise Conflict("this registration was already decided", field="enterprise_id")
    registration.status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED
    registration.decided_at = clock.now()
    registration.decided_by_id = actor.id
    user = session.get(User, registration.user_id)
    if user is not None:
        user.active = approve


@dataclass(frozen=True)
class Pending:
    """A registration waiting, with who to call back before deciding: the person who
    registered (their login and name) and the phone they gave."""

    registration: EnterpriseRegistration
    enterprise: Enterprise
    user: User
    phone: str | None


def pending(session: Session) -> list[Pending]:
    rows = session.execute(
        select(EnterpriseRegistration, Enterprise, User)
        .join(Enterprise, Enterprise.id == EnterpriseRegistration.enterprise_id)
        .join(User, User.id == EnterpriseRegistration.user_id)
        .where(EnterpriseRegistration.status == RegistrationStatus.PENDING)
        .order_by(EnterpriseRegistration.submitted_at)
    ).all()
    phones: dict[int | None, str | None] = {}
    for enterprise_id, phone in session.execute(
        select(Contact.enterprise_id, Contact.phone)
        .where(Contact.enterprise_id.in_([e.id for _, e, _ in rows]))
        .order_by(Contact.id)  # the first contact is the one the registration made
    ).tuples():
        phones.setdefault(enterprise_id, phone)
    return [Pending(r, e, u, phones.get(e.id)) for r, e, u in rows]


def status_of(session: Session, user: User) -> RegistrationStatus | None:
    found = session.scalars(
        select(EnterpriseRegistration.status).where(EnterpriseRegistration.user_id == user.id)
    ).first()
    return found
