"""激励淘汰: the watch bar, a supervisor's decision, and the 优秀服务机构 list.

A provider whose last `watch_days` fall below the bar (satisfaction, SLA compliance, upheld
complaints; settings in loop.config) is put 观察 with the reasons written down. A supervisor
then confirms the suspension (the organisation's existing `suspended` status: routing skips it
and it cannot be assigned) or lifts the watch. Each step is an admin change in the operations
log's sealed chain (helpdesk.oplog), since none of them changes a ticket.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgStatus
from helpdesk.directory.validation import check_length
from helpdesk.errors import Forbidden, InvalidInput
from helpdesk.loop import scorecards
from helpdesk.loop.config import LoopConfig
from helpdesk.loop.models import LIFTED, SUSPENDED, WATCH, ProviderWatch
from helpdesk.loop.words import say as _
from helpdesk.oplog.record import record_change
from helpdesk.stats.period import Period

NOTE_LIMIT = 1000


def window(config: LoopConfig) -> Period:
    """The last `watch_days` Hangzhou days, today included."""
    today = clock.local_today_date()
    return Period(today - timedelta(days=config.watch_days - 1), today)


def reasons_for(card: scorecards.Scorecard, config: LoopConfig) -> list[dict[str, Any]]:
    """Which parts of the bar the card falls below; empty when it clears it (or is too small
    to judge)."""
    if card.received < config.watch_min_tickets:
        return []
    found: list[dict[str, Any]] = []
    if card.satisfaction is not None and card.satisfaction < config.watch_satisfaction:
        found.append(
            {"measure": "satisfaction", "value": card.satisfaction,
             "bar": config.watch_satisfaction}
        )  # fmt: skip
    compliance = card.compliance
    if compliance is not None and compliance < config.watch_sla_percent:
        found.append({"measure": "sla", "value": compliance, "bar": config.watch_sla_percent})
    if card.complaints_upheld >= config.watch_upheld:
        found.append(
            {"measure": "upheld", "value": card.complaints_upheld, "bar": config.watch_upheld}
        )
    return found


def current(session: Session, organisation_id: int) -> ProviderWatch | None:
    """The organisation's watch still waiting for a decision, or its suspension."""
    return session.scalars(
        select(ProviderWatch)
        .where(
            ProviderWatch.organisation_id == organisation_id,
            ProviderWatch.state.in_((WATCH, SUSPENDED)),
        )
        .order_by(ProviderWatch.id.desc())
        .limit(1)
    ).first()


def evaluate(session: Session, actor: Any, config: LoopConfig) -> list[ProviderWatch]:
    """Judge every active provider against the bar; put newly failing ones on watch.
    `actor`: the supervisor who asked, or a string for the job ("job")."""
    opened = []
    period = window(config)
    for card in scorecards.build(session, period):
        org = session.get(Organisation, card.organisation_id)
        if org is None or org.status is not OrgStatus.ACTIVE:
            continue
        reasons = reasons_for(card, config)
        if not reasons or current(session, org.id) is not None:
            continue
        watch = ProviderWatch(
            organisation_id=org.id, state=WATCH, reasons=reasons, opened_at=clock.now()
        )
        session.add(watch)
        session.flush()
        after = {"state": WATCH, "watch": watch.id, "reasons": reasons,
                 "window": [period.first.isoformat(), period.last.isoformat()]}  # fmt: skip
        record_change(
            session, actor, "provider.watched", "organisation", org.id, org.slug, None, after
        )
        opened.append(watch)
    return opened


def _decide(session: Session, actor: User, watch: ProviderWatch, note: str | None) -> str:
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden(_("Only supervisors decide on a watched provider."), field="decision")
    if watch.state != WATCH:
        raise InvalidInput(_("This watch has already been decided."), field="decision")
    text = check_length(note, NOTE_LIMIT, "note", required=True)
    watch.decided_at, watch.decided_by_id, watch.decision_note = clock.now(), actor.id, text
    return text


def suspend(session: Session, actor: User, watch: ProviderWatch, note: str | None) -> None:
    """Confirmed: the provider is suspended, so routing sends it no new tickets."""
    text = _decide(session, actor, watch, note)
    org = watch.organisation
    watch.state = SUSPENDED
    org.status, org.status_reason = OrgStatus.SUSPENDED, text  # as the console's suspend
    before = {"state": WATCH, "status": OrgStatus.ACTIVE.value}
    after = {"state": SUSPENDED, "status": OrgStatus.SUSPENDED.value, "watch": watch.id,
             "note": text}  # fmt: skip
    record_change(
        session, actor, "provider.suspended", "organisation", org.id, org.slug, before, after
    )


def lift(session: Session, actor: User, watch: ProviderWatch, note: str | None) -> None:
    text = _decide(session, actor, watch, note)
    org = watch.organisation
    watch.state = LIFTED
    after = {"state": LIFTED, "watch": watch.id, "note": text}
    record_change(
        session, actor, "provider.watch_lifted", "organisation", org.id, org.slug,
        {"state": WATCH}, after,
    )  # fmt: skip


def _watched(session: Session) -> set[int]:
    """Organisations on watch or suspended after one."""
    return set(
        session.scalars(
            select(ProviderWatch.organisation_id).where(ProviderWatch.state.in_((WATCH, SUSPENDED)))
        )
    )


def excellent(session: Session, period: Period, config: LoopConfig) -> list[scorecards.Scorecard]:
    """优秀服务机构: the top `excellent_top` by scorecard score among those with enough tickets
    to judge, none with an upheld complaint, none below the watch bar in the period, none on
    watch or suspended (the ranking page listed a provider 观察中 among them)."""
    watched = _watched(session)
    cards = [
        c
        for c in scorecards.build(session, period)
        if c.received >= config.watch_min_tickets
        and c.complaints_upheld == 0
        and not reasons_for(c, config)
        and c.organisation_id not in watched
    ]
    return cards[: config.excellent_top]
