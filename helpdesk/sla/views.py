"""/admin/calendar (the business calendar: one year at a glance, days entered by hand) and
/admin/sla (the SLA policies: targets per priority and type and the escalation ladder, edited
by admins as versions, read only for supervisors).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.console_forms import FieldErrors, VersionConflict, commit
from helpdesk.oplog import queries as oplog_queries
from helpdesk.people.views import _attach, _version, admin_required
from helpdesk.sla import calendar_edit, calendar_store, forms, policy_edit, policy_store
from helpdesk.sla.clock import PAUSE_STATES
from helpdesk.sla.holidays import sla_folder
from helpdesk.sla.models import CalendarDay
from helpdesk.sla.year_view import year_at_a_glance
from helpdesk.web import db_session
from helpdesk.yamldocs import views as yamldocs_views

blueprint = Blueprint("sla_admin", __name__)


def _restore(session: Any, actor: Any, number: int) -> Any:
    return policy_store.rollback(session, actor, number, sla_folder())


DOCUMENT = yamldocs_views.Document(
    kind=policy_store.KIND,
    page="sla_admin.policies_page",
    version_page="sla_admin.policy_version",
    rollback="sla_admin.policy_rollback",
    title=lambda n: _("SLA policies version %(n)s", n=n),
    back_label=lambda: _("Back to the SLA policies"),
    shipped=sla_folder,
    restore=_restore,
    failure=policy_store.RollbackError,
    forget=policy_store.forget,
    edited=lambda: _("Targets, pause rules or ladder edited"),
)


def _year_arg() -> int:
    raw = request.args.get("year", "")
    today = clock.local_today_date()
    if raw.isdigit() and calendar_edit.FIRST_YEAR <= int(raw) <= calendar_edit.LAST_YEAR:
        return int(raw)
    return today.year + 1 if today.month >= calendar_store.WARN_FROM_MONTH else today.year


def _page(
    year: int, form: forms.CalendarDayForm | None = None, status: int = 200
) -> ResponseReturnValue:
    session = db_session()
    entered = calendar_store.entered_years(session)
    days = calendar_store.working_days(session)
    source = calendar_store.source_of(days, year, entered)
    form = form or forms.CalendarDayForm(prefix="add")
    if form.kind.data is None:
        form.kind.data = calendar_store.HOLIDAY
    form.version.data = str(calendar_edit.year_version(session, year) or "")
    rows = session.scalars(
        select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
    ).all()
    return render_template(
        "sla/calendar.html",
        year=year,
        source=source,
        months=year_at_a_glance(year, days, source),
        entries=rows,
        form=form,
        remove=forms.RemoveDayForm(prefix="rm"),
        missing=calendar_store.missing_years(session),
        history=oplog_queries.for_target(session, "calendar", year, limit=20),
    ), status


@blueprint.get("/admin/calendar")
@admin_required
def calendar_page() -> ResponseReturnValue:
    return _page(_year_arg())


@blueprint.post("/admin/calendar/<int:year>/days")
@admin_required
def calendar_add(year: int) -> ResponseReturnValue:
    form = forms.CalendarDayForm(prefix="add")
    if not form.validate_on_submit():
        return _page(year, form, 400)
    try:
        added = calendar_edit.add_days(
            db_session(), current_user._get_current_object(), year, form.first.data or "",
            form.last.data or "", form.kind.data or "", form.name.data or "",
            _version(form.version.data),
        )  # fmt: skip
    except VersionConflict as exc:
        db_session().rollback()
        form.form_errors.append(exc.message)
        return _page(year, form, 409)
    except FieldErrors as exc:
        db_session().rollback()
        _attach(form, exc.errors)
        return _page(year, form, 422)
    flash(_("%(n)d day(s) entered; the SLA clock counts with them from now on.", n=len(added)),
          "success")  # fmt: skip
    return redirect(url_for("sla_admin.calendar_page", year=year))


@blueprint.post("/admin/calendar/<int:year>/remove")
@admin_required
def calendar_remove(year: int) -> ResponseReturnValue:
    form = forms.RemoveDayForm(prefix="rm")
    if form.validate_on_submit():
        try:
            calendar_edit.remove_day(
                db_session(), current_user._get_current_object(), year, form.day.data or ""
            )
        except (FieldErrors, VersionConflict) as exc:
            db_session().rollback()
            message = (
                exc.errors["day"]
                if isinstance(exc, FieldErrors) and "day" in exc.errors
                else str(exc.message)
            )
            flash(message, "error")
        else:
            flash(_("%(day)s removed.", day=form.day.data), "success")
    return redirect(url_for("sla_admin.calendar_page", year=year))


def _duration(value: timedelta | None, day_length: timedelta) -> str:
    """4h, 2d (working days), 30m: as policies.yaml says it, in the page's words."""
    if value is None:
        return _("none")
    if day_length and value >= day_length and value % day_length == timedelta(0):
        return _("%(n)d working day(s)", n=value // day_length)
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)d h %(m)d min", h=hours, m=rest)
    return _("%(h)d h", h=hours) if hours else _("%(m)d min", m=rest)


def _policy_page(
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    base: int | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    from helpdesk.sla import service

    session = db_session()
    number, text = policy_store.current_text(session, service.sla_folder() / policy_store.FILE)
    fields = policy_edit.fields_of(text)
    pauses = policy_edit.pauses_of(text)
    if values is not None:  # a posted form: its boxes as ticked, not the file's
        ticked = policy_edit.chosen_pauses(pauses, values)
    else:
        ticked = {name: pause.states for name, pause in pauses.items()}
    # "none" (no next-update target) in the page's words; the form takes either back
    shown = {
        key: _("none") if field.text in ("none", "off") else field.text
        for key, field in fields.items()
    } | (values or {})
    loaded = service.policies(session)
    lengths = {
        "business": service.calendar_named("business").day_length,
        "24x7": timedelta(days=1),
    }
    return render_template(
        "sla/policies.html",
        policies=loaded,
        duration=lambda v, cal: _duration(v, lengths.get(cal, timedelta(hours=7, minutes=30))),
        may_edit=permissions.can_publish_configuration(current_user),
        fields=fields,
        pauses=pauses,
        ticked=ticked,
        pause_states=PAUSE_STATES,
        values=shown,
        errors=errors or {},
        form=forms.PolicyForm(
            formdata=None, version=str(base if base is not None else number or 0)
        ),
        **yamldocs_views.listing(session, DOCUMENT),
    ), status


@blueprint.get("/admin/sla")
@login_required
def policies_page() -> ResponseReturnValue:
    if not permissions.can_supervise(current_user):
        abort(403)
    return _policy_page()


@blueprint.post("/admin/sla")
@admin_required
def policies_save() -> ResponseReturnValue:
    from helpdesk.sla import service
    from helpdesk.yamldocs import service as versions

    session = db_session()
    form = forms.PolicyForm()
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "version")}
    if not form.validate_on_submit():
        return _policy_page(
            values, {"file": _("The form expired; open the page again.")}, status=400
        )
    base = _version(form.version.data)
    number, text = policy_store.current_text(session, service.sla_folder() / policy_store.FILE)
    if base is not None and base != (number or 0):
        return _policy_page(values, {"version": _stale(session)}, base, 409)
    fields = policy_edit.fields_of(text)
    try:
        clean = policy_edit.check(fields, values)
        edited, before, after = policy_edit.rewrite(text, fields, clean)
        pauses = policy_edit.pauses_of(text)
        chosen = policy_edit.chosen_pauses(pauses, values)
        edited, paused_before, paused_after = policy_edit.rewrite_pauses(edited, pauses, chosen)
        before, after = before | paused_before, after | paused_after
        if not after:
            flash(_("Nothing changed: no new version."), "info")
            return redirect(url_for("sla_admin.policies_page"))
        policy_edit.validate_file(edited, service.policy_source().day_lengths)
        row = policy_store.save(session, current_user._get_current_object(), edited,
                                service.sla_folder(), before, after, number)  # fmt: skip
        commit(session, lambda: _stale(session))
    except versions.StaleEdit:
        session.rollback()
        return _policy_page(values, {"version": _stale(session)}, base, 409)
    except VersionConflict as exc:
        return _policy_page(values, {"version": str(exc.message)}, base, 409)
    except FieldErrors as exc:
        session.rollback()
        return _policy_page(values, exc.errors, base, 422)
    policy_store.forget()
    flash(_("SLA policies version %(n)d saved: new tickets follow it within seconds; existing "
            "tickets keep their due times.", n=row.number), "success")  # fmt: skip
    return redirect(url_for("sla_admin.policies_page"))


def _stale(session: Any) -> str:
    from helpdesk.web import local_time
    from helpdesk.yamldocs import service as versions

    row = versions.latest(session, policy_store.KIND)
    if row is None:
        return _("The policies changed while you edited: nothing was saved. Open the page again.")
    return _(
        "%(who)s saved version %(n)d at %(when)s while you edited: nothing was saved. The page "
        "now shows their version; enter your change again.",
        who=row.published_by,
        n=row.number,
        when=local_time(row.published_at),
    )


@blueprint.get("/admin/sla/versions/<id:number>")
@login_required
def policy_version(number: int) -> ResponseReturnValue:
    if not permissions.can_supervise(current_user):
        abort(403)
    return yamldocs_views.version_page(DOCUMENT, number)


@blueprint.post("/admin/sla/versions/<id:number>/rollback")
@admin_required
def policy_rollback(number: int) -> ResponseReturnValue:
    return yamldocs_views.rollback(DOCUMENT, number)
