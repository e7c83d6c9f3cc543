"""The service catalogue: the five platforms (and complaints) and their sub-services; names in
Chinese and English, order, active or retired (issue 13, item 4).

A retired entry stays on old tickets and in reports (the row stays, its code never changes)
but is not offered for new ones (`directory.queries.offered`). Codes are fixed once created:
tickets, rules, skills and SLA overrides name them. Each change is written with its
operations-log row (target "category", labelled by its code), as People's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.console_forms import FieldErrors, VersionConflict, commit, ensure_version
from helpdesk.directory.models import ServiceCategory
from helpdesk.oplog.record import changed_fields, record_change

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
ZH_LIMIT, EN_LIMIT = 60, 80

__all__ = ["Entry", "FieldErrors", "VersionConflict"]


@dataclass
class Entry:
    name_zh: str = ""
    name_en: str = ""
    position: str = "0"


def snapshot(c: ServiceCategory) -> dict[str, Any]:
    return {"name_zh": c.name_zh, "name_en": c.name_en, "position": c.position,
            "active": c.active}  # fmt: skip


def _check(data: Entry, blank_position: int | None = None) -> dict[str, Any]:
    """`blank_position`: the order an empty 排序 field means (a new entry: after the last)."""
    errors: dict[str, str] = {}
    zh, en = data.name_zh.strip(), data.name_en.strip()
    if not zh:
        errors["name_zh"] = _("Enter the Chinese name.")
    elif len(zh) > ZH_LIMIT:
        errors["name_zh"] = _("At most %(n)d characters.", n=ZH_LIMIT)
    if not en:
        errors["name_en"] = _("Enter the English name.")
    elif len(en) > EN_LIMIT:
        errors["name_en"] = _("At most %(n)d characters.", n=EN_LIMIT)
    raw = str(data.position).strip()
    if not raw and blank_position is not None:
        raw = str(blank_position)
    if not raw.isdigit() or int(raw) > 999:
        errors["position"] = _("The order is a whole number from 0 to 999.")
    if errors:
        raise FieldErrors(errors)
    return {"name_zh": zh, "name_en": en, "position": int(raw)}


def _conflict_message(c: ServiceCategory) -> str:
    return _("Someone else changed %(code)s after you opened the form. Nothing was saved: the "
             "form now shows their version.", code=c.code)  # fmt: skip


def _commit(session: Session, c: ServiceCategory) -> None:
    from helpdesk.directory.queries import forget_reference

    commit(session, lambda: _conflict_message(c))
    forget_reference()  # this process sees the edit at once; the others within seconds


def _ensure_version(c: ServiceCategory, version: int | None) -> None:
    ensure_version(c.version, version, lambda: _conflict_message(c))


def _exists(session: Session, code: str) -> bool:
    return session.get(ServiceCategory, code) is not None


def _after_the_last(session: Session, parent_code: str) -> int:
    """The order that puts a new sub-service after its platform's last one (at most 999)."""
    last = session.scalar(
        select(func.max(ServiceCategory.position)).where(ServiceCategory.parent_code == parent_code)
    )
    return min((last or 0) + 1, 999)


def create(
    session: Session, actor: Any, parent_code: str, code: str, data: Entry
) -> ServiceCategory:
    """A new sub-service under a platform (the platforms are the seed's five and complaints)."""
    errors: dict[str, str] = {}
    parent = session.get(ServiceCategory, parent_code)
    if parent is None or parent.parent_code is not None:
        errors["parent"] = _("Choose a platform.")
    short = code.strip().lower()
    if not CODE_RE.match(short):
        errors["code"] = _("2 to 41 lowercase letters, digits or dashes.")
    elif parent is not None and _exists(session, full := f"{parent.code}/{short}"):
        errors["code"] = _("%(code)s already exists.", code=full)
    try:
        values = _check(data, _after_the_last(session, parent_code))
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    assert parent is not None
    c = ServiceCategory(code=f"{parent.code}/{short}", parent_code=parent.code, active=True,
                        **values)  # fmt: skip
    session.add(c)
    session.flush()
    record_change(session, actor, "catalogue.created", "category", 0, c.code, None, snapshot(c))
    _commit(session, c)
    return c


def edit(
    session: Session, actor: Any, c: ServiceCategory, data: Entry, version: int | None
) -> ServiceCategory:
    _ensure_version(c, version)
    values = _check(data)
    before = snapshot(c)
    for name, value in values.items():
        setattr(c, name, value)
    old, new = changed_fields(before, snapshot(c))
    if not new:
        session.rollback()
        return c
    record_change(session, actor, "catalogue.updated", "category", 0, c.code, old, new)
    _commit(session, c)
    return c


def set_active(
    session: Session, actor: Any, c: ServiceCategory, active: bool, version: int | None = None
) -> ServiceCategory:
    """Retire (not offered for new tickets; old tickets and reports keep it) or restore."""
    _ensure_version(c, version)
    if c.active == active:
        raise FieldErrors(
            {"active": _("%(code)s is already active.", code=c.code) if active
             else _("%(code)s is already retired.", code=c.code)}
        )  # fmt: skip
    c.active = active
    kind = "catalogue.restored" if active else "catalogue.retired"
    record_change(session, actor, kind, "category", 0, c.code, {"active": not active},
                  {"active": active})  # fmt: skip
    _commit(session, c)
    return c


def entries(session: Session) -> list[tuple[ServiceCategory, list[ServiceCategory]]]:
    """Each platform with its sub-services, in order."""
    order = (ServiceCategory.position, ServiceCategory.code)
    rows = session.scalars(select(ServiceCategory).order_by(*order)).all()
    tops = [c for c in rows if c.parent_code is None]
    return [(t, [c for c in rows if c.parent_code == t.code]) for t in tops]
