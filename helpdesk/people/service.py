"""People: create, edit, disable, re-enable, reset a password, end sessions (issue 13, item 1).

Pages (`helpdesk.people.views`) and the CLI (`helpdesk user ...`) both call here. Each change
is written with its operations-log row (helpdesk.oplog) in one transaction: who, when,
before -> after. Bad input raises `FieldErrors`, one message per field, in the page's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth import lifetime
from helpdesk.auth.logins import LOGIN_RE, taken_by
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import check_password, hash_password
from helpdesk.console_forms import (
    FieldErrors,
    VersionConflict,
    commit,
    ensure_version,
    last_change,
)
from helpdesk.directory.models import Enterprise, Organisation, ServiceCategory
from helpdesk.oplog.record import changed_fields, record_change

__all__ = ["FieldErrors", "PersonData", "VersionConflict"]
from helpdesk.people.sessions import end_sessions

EXTENSION_RE = re.compile(r"^[0-9]{3,8}$")
LANGUAGES = ("zh", "en")  # languages a person answers in (chat, phone)
MIN_PASSWORD = 8
MIN_DISTINCT = 4  # different characters in a new password
NAME_LIMIT = 60


@dataclass
class PersonData:
    """What the form or the CLI gives; strings as typed, checked by `_check`."""

    login: str = ""
    name: str = ""
    role: str = ""
    organisation: str = ""  # an organisation's id or slug; "" for none
    enterprise: str = ""  # an enterprise's USCC; only for enterprise users
    skills: list[str] = field(default_factory=list)
    extension: str = ""
    languages: list[str] = field(default_factory=list)


def snapshot(user: User) -> dict[str, Any]:
    """A person as the operations log shows them (never the password hash)."""
    return {
        "login": user.login,
        "name": user.name,
        "role": user.role.value,
        "organisation": user.organisation.slug if user.organisation else None,
        "enterprise": user.enterprise.uscc if user.enterprise else None,
        "skills": list(user.skills or []),
        "extension": user.extension,
        "languages": list(user.languages or []),
        "active": user.active,
    }


def split_list(raw: str | list[str] | None) -> list[str]:
    """'finance, tech；law' -> ['finance', 'tech', 'law'] (commas, Chinese commas, spaces)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else re.split(r"[,，;；\s]+", raw)
    return list(dict.fromkeys(i.strip() for i in items if i and i.strip()))


def _organisation(session: Session, ref: str) -> Organisation | None:
    ref = ref.strip()
    if ref.isdigit():
        return session.get(Organisation, int(ref))
    return session.scalars(select(Organisation).where(Organisation.slug == ref)).first()


def _check(session: Session, data: PersonData, user: User | None, actor: Any) -> dict[str, Any]:
    """The checked values, or FieldErrors naming every bad field."""
    errors: dict[str, str] = {}
    login = data.login.strip()
    if not LOGIN_RE.match(login):
        errors["login"] = _(
            "2 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit."
        )
    else:
        taken = taken_by(session, login)
        if taken is not None and (user is None or taken != user.id):
            errors["login"] = _("The login %(login)s is already taken.", login=login)
    name = data.name.strip()
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > NAME_LIMIT:
        errors["name"] = _("At most %(n)d characters.", n=NAME_LIMIT)
    role: Role | None = None
    try:
        role = Role(data.role)
    except ValueError:
        errors["role"] = _("Choose a role.")
    organisation = None
    if data.organisation.strip():
        organisation = _organisation(session, data.organisation)
        if organisation is None:
            errors["organisation"] = _("No such organisation.")
    elif role is Role.PROVIDER:
        errors["organisation"] = _("Provider staff belong to an organisation: choose one.")
    enterprise = None
    if role is Role.ENTERPRISE:
        uscc = data.enterprise.strip().upper()
        enterprise = session.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).first()
        if enterprise is None:
            errors["enterprise"] = _("No enterprise has this unified social credit code.")
        if organisation is not None:
            errors["organisation"] = _("An enterprise user belongs to no organisation.")
    skills = split_list(data.skills)
    known = set(session.scalars(select(ServiceCategory.code)))
    unknown = [s for s in skills if s not in known]
    if unknown:
        errors["skills"] = _(
            "Unknown skill: %(codes)s. Use service catalogue codes such as finance or "
            "finance/guarantee.",
            codes=", ".join(unknown),
        )
    extension = data.extension.strip() or None
    if extension is not None:
        if not EXTENSION_RE.match(extension):
            errors["extension"] = _("An extension is 3 to 8 digits.")
        else:
            holder = session.scalars(
                select(User).where(User.extension == extension, User.active.is_(True))
            ).first()
            if holder is not None and (user is None or holder.id != user.id):
                errors["extension"] = _(
                    "Extension %(ext)s is already %(name)s's (%(login)s).",
                    ext=extension,
                    name=holder.name,
                    login=holder.login,
                )
    languages = split_list(data.languages)
    if any(code not in LANGUAGES for code in languages):
        errors["languages"] = _("Choose from the listed languages.")
    if (
        user is not None
        and not isinstance(actor, str)
        and user.id == actor.id
        and role is not None
        and role is not Role.ADMIN
    ):
        errors["role"] = _("You cannot take away your own administrator role.")
    if errors:
        raise FieldErrors(errors)
    return {
        "login": login,
        "name": name,
        "role": role,
        "organisation_id": organisation.id if organisation else None,
        "enterprise_id": enterprise.id if enterprise else None,
        "skills": skills,
        "extension": extension,
        "languages": languages,
    }


def password_errors(password: str, login: str) -> dict[str, str]:
    """The new password's field error, if any (empty when it will do)."""
    if len(password) < MIN_PASSWORD:
        return {"password": _("At least %(n)d characters.", n=MIN_PASSWORD)}
    if password.strip().lower() == login.strip().lower():
        return {"password": _("The password may not be the login.")}
    if password.isdigit() or len(set(password)) < MIN_DISTINCT:  # 12345678, aaaaaaaa
        return {
            "password": _(
                "Too easy to guess: not only digits, and at least %(n)d different characters.",
                n=MIN_DISTINCT,
            )
        }
    return {}


def check_new_password(password: str, login: str) -> None:
    errors = password_errors(password, login)
    if errors:
        raise FieldErrors(errors)


def _ensure_version(session: Session, user: User, version: int | None) -> None:
    ensure_version(user.version, version, lambda: _conflict_message(session, user))


def _conflict_message(session: Session, user: User) -> str:
    last = last_change(session, "user", user.id)
    if last is None:
        return _("Someone else changed this person meanwhile. Nothing was saved; reload to see it.")
    return _(
        "%(who)s changed this person at %(at)s, after you opened the form. Nothing was saved: "
        "the form now shows their version; make your change again.",
        who=last[0],
        at=last[1],
    )


def _commit(session: Session, user: User) -> None:
    """Commit; a concurrent save (version moved under us) or a login race becomes a message."""
    commit(
        session,
        lambda: _conflict_message(session, user),
        unique=("login", lambda: _("This login is already taken.")),
        refresh=user,
    )


def new_person_errors(
    session: Session, actor: Any, data: PersonData, password: str
) -> dict[str, str]:
    """Every field's error at once, the password's too (not only once the rest is right)."""
    try:
        values = _check(session, data, None, actor)
    except FieldErrors as exc:
        return {**exc.errors, **password_errors(password, data.login)}
    return password_errors(password, values["login"])


def create(session: Session, actor: Any, data: PersonData, password: str) -> User:
    errors = new_person_errors(session, actor, data, password)
    if errors:
        raise FieldErrors(errors)
    values = _check(session, data, None, actor)
    user = User(
        **values,
        password_hash=hash_password(password),
        must_change_password=True,  # an administrator chose it: the person picks their own
        active=True,
    )
    session.add(user)
    session.flush()
    record_change(session, actor, "user.created", "user", user.id, user.login, None, snapshot(user))
    _commit(session, user)
    return user


def edit(session: Session, actor: Any, user: User, data: PersonData, version: int | None) -> User:
    _ensure_version(session, user, version)
    values = _check(session, data, user, actor)
    before = snapshot(user)
    for name, value in values.items():
        setattr(user, name, value)
    session.flush()
    session.refresh(user, ["organisation", "enterprise"])
    old, new = changed_fields(before, snapshot(user))
    if not new:
        session.rollback()
        return user
    record_change(session, actor, "user.updated", "user", user.id, user.login, old, new)
    _commit(session, user)
    return user


def set_active(
    session: Session, actor: Any, user: User, active: bool, version: int | None = None
) -> User:
    """Disable (their sockets end, their session stops loading) or re-enable a person."""
    _ensure_version(session, user, version)
    if not active and not isinstance(actor, str) and user.id == actor.id:
        raise FieldErrors({"active": _("You cannot disable your own account.")})
    if user.active == active:
        return user
    user.active = active
    kind = "user.enabled" if active else "user.disabled"
    record_change(
        session, actor, kind, "user", user.id, user.login, {"active": not active},
        {"active": active},
    )  # fmt: skip
    _commit(session, user)
    if not active:
        end_sessions(user)
    return user


def reset_password(session: Session, actor: Any, user: User, password: str) -> None:
    """A new password chosen by an administrator: the person must change it at next login,
    and whatever they have open now is ended."""
    check_new_password(password, user.login)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    record_change(
        session, actor, "user.password_reset", "user", user.id, user.login,
        {"password": "-"}, {"password": "reset", "must_change_password": True},
    )  # fmt: skip
    _commit(session, user)
    end_sessions(user)


def end_all_sessions(session: Session, actor: Any, user: User) -> int:
    """The admin's button: record it, end every browser login (the session generation),
    then, after commit, everything the person has open (their sockets)."""
    lifetime.end_sessions(user)
    record_change(
        session, actor, "user.sessions_ended", "user", user.id, user.login, None,
        {"sessions": "ended"},
    )  # fmt: skip
    session.commit()
    return end_sessions(user)


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """The person's own change (forced after a reset, or by choice)."""
    if not check_password(user.password_hash, current):
        raise FieldErrors({"current": _("This is not your current password.")})
    check_new_password(new, user.login)
    if check_password(user.password_hash, new):
        raise FieldErrors({"password": _("Choose a password different from the current one.")})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    record_change(
        session, user, "user.password_changed", "user", user.id, user.login, None,
        {"password": "changed"},
    )  # fmt: skip
    _commit(session, user)


def find(session: Session, login: str) -> User | None:
    return session.scalars(select(User).where(User.login == login)).first()
