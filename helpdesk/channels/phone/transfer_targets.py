"""Where the call console can send a call, offered as the transfer box's suggestions: agents
typed an extension or an organisation's code they had no way to look up on the page, and a
name was refused."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.directory.models import Organisation, OrgKind, OrgStatus


@dataclass(frozen=True)
class Targets:
    agents: list[tuple[str, str]]  # (extension, name)
    queues: list[str]  # organisation names (the service takes a name as well as a code)
    numbers: list[tuple[str, str]]  # (an organisation's phone, its name)


def transfer_targets(session: Session) -> Targets:
    agents = session.execute(
        select(User.extension, User.name)
        .where(User.active.is_(True), User.role.in_(STAFF_ROLES), User.extension.is_not(None))
        .order_by(User.extension)
    ).all()
    orgs = session.execute(
        select(Organisation.name, Organisation.phone)
        .where(Organisation.status == OrgStatus.ACTIVE, Organisation.kind != OrgKind.SERVICE_CENTRE)
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    return Targets(
        agents=[(str(ext), name) for ext, name in agents],
        queues=[name for name, _phone in orgs],
        numbers=[(phone, name) for name, phone in orgs if phone],
    )
