"""Pages of the loop: /followups (回访 and supervisors' follow-ups, complaint findings),
/scorecards (the ranking, exports, the watch list, 优秀服务机构) and /scorecards/<org> (one
provider's card and trend). Providers see their own scorecard only; any other is 404."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.errors import DomainError, InvalidInput
from helpdesk.loop import agents, followups, listing, monthly, queries, scorecards, watch
from helpdesk.loop.config import loop_config
from helpdesk.loop.models import OPEN, SUPERVISOR, FollowUp, ProviderWatch
from helpdesk.stats import exports
from helpdesk.stats.period import Period
from helpdesk.tickets import service as tickets
from helpdesk.web import choices, db_session
from helpdesk.web.errors import localized
from helpdesk.web.labels import label
from helpdesk.web.punctuation import marks

blueprint = Blueprint("loop", __name__)
FORMATS = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" (twice, when it was here already)
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _user() -> User:
    return current_user._get_current_object()


def _staff_only() -> None:
    if not permissions.can_open_staff_pages(current_user):
        abort(403)


def _supervisors_only() -> None:
    if not permissions.can_see_followups_of_supervisors(current_user):
        abort(403)


@blueprint.errorhandler(403)
def _forbidden(_error: Exception) -> ResponseReturnValue:
    title, message = _("Not allowed"), _("This page is not for your role.")
    return render_template("error.html", title=title, message=message), 403


# -- 回访 -------------------------------------------------------------------------------------


@dataclass
class Posted:
    """A 回访 form sent back (no JavaScript ran): which task, the field at fault and its
    message shown beside it, and what was typed, so nothing is lost."""

    task_id: int
    field: str
    message: str
    values: dict[str, str]


def _kept_args() -> dict[str, Any]:
    """The list's filters and page, carried through a form's action and back."""
    return {k: v for k, v in request.args.items() if k != "lang" and v}


@blueprint.get("/followups")
@login_required
def followup_list() -> ResponseReturnValue:
    _staff_only()
    return _list_page()


def _list_page(posted: Posted | None = None) -> ResponseReturnValue:
    s = db_session()
    supervisor = permissions.can_see_followups_of_supervisors(current_user)
    form = listing.CallbackFilterForm(request.args)
    form.fill(choices.organisations(s))
    form.validate()
    error, status = None, 400 if posted else 200
    wanted = listing.CallbackFilter.from_form(form, request.args)
    bad_day = [f.label.text for f in (form.resolved_from, form.resolved_to) if f.errors]
    if bad_day:
        error, status = _("That filter is not valid: %(field)s.", field=bad_day[0]), 400
    found = listing.callbacks(s, wanted)
    supervisor_tasks = queries.open_followups(s, SUPERVISOR) if supervisor else []
    if posted is not None:
        # as the ticket page: a line on top, the message itself beside the field; a task the
        # list no longer shows (moved to another page meanwhile) has its message on top
        shown = {t.id for t in found.tasks} | {t.id for t in supervisor_tasks}
        error = _("Please correct the form below.") if posted.task_id in shown else posted.message
    kept = _kept_args()
    return render_template(
        "loop/followups.html",
        form=form,
        found=found,
        kept=kept,
        page_url=lambda n: url_for("loop.followup_list", **{**kept, "page": n}),
        error=error,
        posted=posted,
        states=listing.STATES,
        supervisor_tasks=supervisor_tasks,
        complaints=queries.complaints_awaiting_finding(s) if supervisor else [],
        recent=queries.recent_callbacks(s),
        supervisor=supervisor,
        tries=loop_config().callback_tries,
    ), status


def _task(task_id: int) -> FollowUp:
    """The task, or the list again saying it is gone (finished by a colleague and cleaned up,
    or a stale page): a message, not an error page."""
    task = db_session().get(FollowUp, task_id)
    if task is None:
        raise InvalidInput(_("This follow-up no longer exists."), field="task")
    return task


def _done(message: str) -> ResponseReturnValue:
    db_session().commit()
    flash(message, "success")
    return redirect(url_for("loop.followup_list", **_kept_args()))


def _failed(exc: DomainError, task_id: int | None = None, *typed: str) -> ResponseReturnValue:
    """A form's answer refused. Of a task still on the list: the page again with the message
    beside the field and the `typed` fields as they were; otherwise a message on the list."""
    db_session().rollback()
    task = db_session().get(FollowUp, task_id) if task_id is not None else None
    if task is not None and task.state == OPEN and exc.field:
        values = {name: request.form.get(name, "") for name in typed}
        return _list_page(Posted(task.id, exc.field, localized(exc), values))
    flash(localized(exc), "error")
    return redirect(url_for("loop.followup_list", **_kept_args()))


@blueprint.post("/followups/<id:task_id>/answer")
@login_required
def answer(task_id: int) -> ResponseReturnValue:
    _staff_only()
    try:
        task = _task(task_id)
        followups.record_answer(
            db_session(), _user(), task, request.form.get("outcome"), request.form.get("comment")
        )
    except DomainError as exc:
        return _failed(exc, task_id, "outcome", "comment")
    return _done(
        _("Call back for ticket %(number)s recorded: %(outcome)s.",
          number=task.ticket.number, outcome=label("outcome", request.form["outcome"]))
    )  # fmt: skip


@blueprint.post("/followups/<id:task_id>/no-answer")
@login_required
def no_answer(task_id: int) -> ResponseReturnValue:
    _staff_only()
    try:
        task = _task(task_id)
        followups.record_no_answer(
            db_session(), _user(), task, request.form.get("comment"), loop_config()
        )
    except DomainError as exc:
        return _failed(exc, task_id, "comment")
    if task.state == "unreachable":
        return _done(_("Ticket %(number)s: caller unreachable.", number=task.ticket.number))
    return _done(_("Ticket %(number)s: no answer, try %(n)s noted.",
                   number=task.ticket.number, n=task.tries))  # fmt: skip


@blueprint.post("/followups/<id:task_id>/finish")
@login_required
def finish(task_id: int) -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    try:
        task = _task(task_id)
        followups.finish_supervisor_task(db_session(), _user(), task, request.form.get("comment"))
    except DomainError as exc:
        return _failed(exc, task_id, "comment")
    return _done(_("Follow-up of ticket %(number)s finished.", number=task.ticket.number))


@blueprint.post("/followups/<id:task_id>/complaint")
@login_required
def complaint(task_id: int) -> ResponseReturnValue:
    _staff_only()
    try:
        task = _task(task_id)
        filed = followups.file_complaint(
            db_session(), _user(), task.ticket, request.form.get("description")
        )
    except DomainError as exc:
        return _failed(exc)
    number = filed.number
    db_session().commit()
    flash(_("Complaint filed as ticket %(number)s.", number=number), "success")
    return redirect(url_for("tickets.detail", number=number))


@blueprint.post("/complaints/<number>/finding")
@login_required
def finding(number: str) -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    try:
        ticket = tickets.get_by_number(db_session(), number, _user())
        upheld = request.form.get("upheld")
        if upheld not in ("yes", "no"):
            raise InvalidInput(_("Say whether the complaint is upheld."), field="upheld")
        followups.record_verdict(
            db_session(), _user(), ticket, upheld == "yes", request.form.get("reason")
        )
    except DomainError as exc:
        return _failed(exc)
    return _done(_("Finding on complaint %(number)s recorded.", number=number))


# -- scorecards -------------------------------------------------------------------------------


def _quick_periods() -> list[tuple[str, date, date]]:
    """This month, last month, this quarter, this year: the usual periods, as from/to links."""
    today = clock.local_today_date()
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    return [
        (_("This month"), month, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This quarter"), quarter, today),
        (_("This year"), today.replace(month=1, day=1), today),
    ]


def _period_or_400(template: str, fmt: str | None = None, **blank: Any) -> Period:
    """The period the query string asks for. A bad one ends the request here: `template` again
    with the message and a 400 (`blank`: what the template shows instead of data); an export
    `fmt` other than csv or xlsx is a 404."""
    if fmt is not None and fmt not in FORMATS:
        abort(404)
    try:
        return Period.from_args(request.args)
    except InvalidInput as exc:
        page = render_template(
            template, error=exc.message, quick=_quick_periods(), args={}, **blank
        )
        abort(make_response(page, 400))


def _download(fmt: str, title: str, name: str, period: Period, header: list[str],
              rows: list[list[Any]]) -> Response:  # fmt: skip
    """The table as a csv or xlsx attachment. The rows are built before the response, so the
    csv generator needs no request context (stream_with_context kept one open until the body
    was closed, and a client that never read it left "Popped wrong request context")."""
    filename = f"{name}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    body: Iterator[str] | Iterator[bytes]
    if fmt == "csv":
        body = exports.csv_lines(header, rows)
    else:
        body = exports.chunks(exports.xlsx_file(title, header, rows))
    return Response(body, mimetype=FORMATS[fmt], headers=headers)


def _own_org_only(organisation_id: int | None) -> None:
    """Provider staff see their own organisation's card; others' do not exist for them."""
    if not permissions.can_see_scorecard(current_user, organisation_id):
        abort(404)


@blueprint.get("/scorecards")
@login_required
def ranking() -> ResponseReturnValue:
    own = permissions.own_scorecard(current_user)
    if own is not None:
        return redirect(url_for("loop.scorecard", organisation_id=own))
    _staff_only()
    period = _period_or_400("loop/ranking.html", cards=None)
    s = db_session()
    config = loop_config()
    cards = scorecards.build(s, period)
    return render_template(
        "loop/ranking.html",
        period=period,
        cards=cards,
        quick=_quick_periods(),
        args={"from": period.first.isoformat(), "to": period.last.isoformat()},
        watches=queries.watches(s),
        excellent=watch.excellent(s, period, config),
        config=config,
    )


@blueprint.get("/scorecards/export.<fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    _staff_only()
    period = _period_or_400("loop/ranking.html", fmt, cards=None)
    cards = scorecards.build(db_session(), period)
    rows = [queries.export_row(c, n) for n, c in enumerate(cards, 1)]
    return _download(
        fmt, _("Provider scorecards"), "scorecards", period, queries.export_header(), rows
    )


@blueprint.get("/scorecards/<id:organisation_id>")
@login_required
def scorecard(organisation_id: int) -> ResponseReturnValue:
    _own_org_only(organisation_id)
    s = db_session()
    org = s.get(Organisation, organisation_id)
    if org is None or org.kind not in scorecards.SCORED_KINDS:
        abort(404)
    period = _period_or_400(
        "loop/scorecard.html", org=org, card=None, trend=None, watch=watch.current(s, org.id),
        history=[],
    )  # fmt: skip
    cards = scorecards.build(s, period, only=org.id)
    return render_template(
        "loop/scorecard.html",
        org=org,
        card=cards[0] if cards else None,
        period=period,
        quick=_quick_periods(),
        args={"from": period.first.isoformat(), "to": period.last.isoformat()},
        trend=queries.trend(s, org.id),
        watch=watch.current(s, org.id),
        history=queries.watch_history(s, org.id),
        supervisor=permissions.can_see_followups_of_supervisors(current_user),
    )


@blueprint.post("/scorecards/evaluate")
@login_required
def evaluate() -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    opened = watch.evaluate(db_session(), _user(), loop_config())
    db_session().commit()
    names = marks().join(w.organisation.name for w in opened)
    if opened:
        flash(_("Put on watch: %(names)s.", names=names), "success")
    else:
        flash(_("No provider newly fell below the bar."), "info")
    return redirect(url_for("loop.ranking"))


@blueprint.post("/watches/<id:watch_id>/suspend")
@login_required
def suspend(watch_id: int) -> ResponseReturnValue:
    return _decide(watch_id, "suspend")


@blueprint.post("/watches/<id:watch_id>/lift")
@login_required
def lift(watch_id: int) -> ResponseReturnValue:
    return _decide(watch_id, "lift")


def _decide(watch_id: int, decision: str) -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    s = db_session()
    item = s.get(ProviderWatch, watch_id)
    if item is None:
        flash(_("This watch no longer exists."), "error")
        return redirect(url_for("loop.ranking"))
    org_id = item.organisation_id
    try:
        if decision == "suspend":
            watch.suspend(s, _user(), item, request.form.get("note"))
        else:
            watch.lift(s, _user(), item, request.form.get("note"))
    except DomainError as exc:
        s.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("loop.scorecard", organisation_id=org_id))
    s.commit()
    message = _("Suspension confirmed.") if decision == "suspend" else _("Watch lifted.")
    flash(message, "success")
    return redirect(url_for("loop.scorecard", organisation_id=org_id))


# -- agent assessment -------------------------------------------------------------------------


@blueprint.get("/assessment")
@login_required
def assessment() -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    period = _period_or_400("loop/assessment.html", people=None)
    people, teams = agents.build(db_session(), period)
    return render_template(
        "loop/assessment.html",
        period=period,
        people=people,
        teams=teams,
        quick=_quick_periods(),
        args={"from": period.first.isoformat(), "to": period.last.isoformat()},
    )


@blueprint.get("/assessment/export.<fmt>")
@login_required
def assessment_export(fmt: str) -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    period = _period_or_400("loop/assessment.html", fmt, people=None)
    people, teams = agents.build(db_session(), period)
    rows = [queries.agent_row(c) for c in people] + [queries.agent_row(t) for t in teams]
    return _download(fmt, _("Agent assessment"), "agents", period, queries.agent_header(), rows)


# -- the monthly report ---------------------------------------------------------------------


@blueprint.get("/reports/monthly")
@login_required
def monthly_report() -> ResponseReturnValue:
    _staff_only()
    _supervisors_only()
    asked = request.args.get("month")
    try:
        month = monthly.parse_month(asked)
    except InvalidInput as exc:
        return render_template(
            "loop/monthly.html", report=None, error=exc.message, asked=asked or ""
        ), 400
    report = monthly.build(db_session(), month)
    return render_template(
        "loop/monthly.html",
        report=report,
        asked=f"{month:%Y-%m}",
        today=clock.local_today_date().isoformat(),
    )


def scorecard_link(user: Any) -> str | None:
    """The scorecard a provider's staff may open from the menu."""
    org_id = getattr(user, "organisation_id", None)
    return url_for("loop.scorecard", organisation_id=org_id) if org_id else None
