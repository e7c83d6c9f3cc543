"""Ticket pages for staff: list, detail with timeline and actions, new ticket.

Every POST changes the ticket through the tickets service and commits once; a refused change
rolls back and re-renders the page with the localized reason and what the user typed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.errors import DomainError, Forbidden, InvalidInput, NotFound
from helpdesk.extensions import db
from helpdesk.ids import required_row_id
from helpdesk.notifications import service as notifications
from helpdesk.routing import queries as routing_queries
from helpdesk.sla.models import TicketSla
from helpdesk.tickets import queries, service
from helpdesk.tickets.forms import ACTION_FORMS, CommentForm, FilterForm
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import TransitionError, allowed_actions
from helpdesk.web import choices, db_session, install
from helpdesk.web.errors import attach, localized
from helpdesk.web.labels import label
from helpdesk.web.new_ticket import new_ticket_page
from helpdesk.web.timeline import timeline_items

blueprint = Blueprint("tickets", __name__)
install(blueprint)


def _user() -> User:
    return current_user._get_current_object()


def _load(number: str) -> Ticket:
    """The ticket, or 404: one outside the user's scope looks exactly like a missing one."""
    try:
        return service.get_by_number(db_session(), number, _user())
    except NotFound:
        abort(404)


@blueprint.errorhandler(404)
def _not_found(_error: Exception) -> ResponseReturnValue:
    title, message = _("Not found"), _("There is no such ticket, or it is not yours to see.")
    return render_template("error.html", title=title, message=message), 404


@blueprint.errorhandler(403)
def _forbidden(_error: Exception) -> ResponseReturnValue:
    title, message = _("Not allowed"), _("Your role may not open this page.")
    return render_template("error.html", title=title, message=message), 403


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    if permissions.uses_portal(_user()):
        return redirect(url_for("portal.index"))
    return redirect(url_for("tickets.list_view"))


@blueprint.route("/tickets")
@login_required
def list_view() -> ResponseReturnValue:
    user = _user()
    if not permissions.can_use_desk(user):  # an enterprise's list is the portal's home
        return redirect(url_for("portal.index"))
    form = FilterForm(request.args)
    everyone = permissions.sees_all_organisations(user)
    orgs = choices.organisations(db_session()) if everyone else None
    industries = choices.industries(db_session()) if everyone else None
    form.fill(choices.platforms(db_session()), choices.districts(db_session()), orgs, industries)
    error, status = None, 200
    try:
        filters = queries.TicketFilter.from_args(request.args)
        before_text = request.args.get("before", "")
        before = None
        if before_text:
            before = required_row_id(before_text, "before", "before must be a whole number")
    except InvalidInput as exc:
        named = form[exc.field].label.text if exc.field and exc.field in form else exc.field
        error, status = _("That filter is not valid: %(field)s.", field=named), 400
        filters, before = queries.TicketFilter(), None
    page = queries.list_tickets(db_session(), user, filters, before)
    kept: dict[str, Any] = {
        k: v for k, v in request.args.items() if k not in ("before", "lang") and v
    }
    next_url = first_url = None
    if page.next_before is not None:
        next_url = url_for("tickets.list_view", **kept, before=page.next_before)
    if before is not None:
        first_url = url_for("tickets.list_view", **kept)
    return render_template(
        "tickets/list.html",
        form=form,
        page=page,
        next_url=next_url,
        first_url=first_url,
        error=error,
    ), status


@blueprint.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not permissions.can_open_staff_pages(_user()):
        abort(403)
    return new_ticket_page(_user())


def _action_form(action: str, ticket: Ticket, data: bool) -> FlaskForm:
    form = ACTION_FORMS[action](prefix=action, formdata=None if not data else request.form)
    if hasattr(form, "organisation_id"):
        form.organisation_id.choices = [("", "—"), *choices.organisations(db_session(), True)]
    return form


def _detail(
    ticket: Ticket,
    posted: dict[str, FlaskForm] | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = _user()
    posted = posted or {}
    state_allows = allowed_actions(ticket.status)
    actions = [a for a in state_allows if a in ACTION_FORMS and permissions.can_act(user, a)]
    forms = {a: posted.get(a) or _action_form(a, ticket, data=False) for a in actions}
    comment_form = None
    if "comment" in state_allows and permissions.can_act(user, "comment"):
        comment_form = posted.get("comment") or CommentForm(prefix="comment", formdata=None)
        if not permissions.can_write_internal(user):
            del comment_form.internal
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        actions=actions,
        forms=forms,
        comment_form=comment_form,
        items=timeline_items(db_session(), user, ticket),
        routing=(
            routing_queries.trace_for(ticket, db_session())
            if permissions.can_see_routing_trace(user)
            else []
        ),
        sla=db_session().get(TicketSla, ticket.id) if permissions.can_see_internal(user) else None,
        error=error,
    ), status


@blueprint.route("/tickets/<number>")
@login_required
def detail(number: str) -> ResponseReturnValue:
    ticket = _load(number)
    if permissions.uses_portal(_user()):  # its page is on the portal, in its own words
        return redirect(url_for("portal.ticket", number=ticket.number))
    if notifications.mark_ticket_read(db_session(), _user().id, ticket.id):
        db.session.commit()
    return _detail(ticket)


def _organisation_id(form: Any) -> int:
    return required_row_id(form.organisation_id.data, "organisation_id", "unknown organisation")


def _perform(action: str, ticket: Ticket, form: Any) -> None:
    s, user = db_session(), _user()
    if action in ("accept", "start", "resume", "close"):
        getattr(service, action)(s, user, ticket)
    elif action in ("pend", "decline", "reopen", "cancel"):
        getattr(service, action)(s, user, ticket, form.reason.data)
    elif action == "resolve":
        service.resolve(s, user, ticket, form.summary.data)
    elif action == "assign":
        service.assign(s, user, ticket, _organisation_id(form))
    elif action == "transfer":
        service.transfer(s, user, ticket, _organisation_id(form), None, form.reason.data)
    elif action == "merge":
        service.merge(s, user, ticket, form.into.data.strip())


@blueprint.route("/tickets/<number>/action/<action>", methods=["POST"])
@login_required
def act(number: str, action: str) -> ResponseReturnValue:
    ticket = _load(number)
    if action not in ACTION_FORMS:
        abort(404)
    form = _action_form(action, ticket, data=True)
    if not permissions.can_act(_user(), action):  # the role first, whatever the form holds
        return _refused(ticket, action, form, Forbidden(action, field="action"))
    if not form.validate_on_submit():
        return _detail(ticket, {action: form}, _("Please correct the form below."), 400)
    try:
        _perform(action, ticket, form)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _refused(ticket, action, form, exc)
    flash(_("%(action)s: done.", action=label("action", action)), "success")
    return redirect(_after_action(ticket, number))


def _after_action(ticket: Ticket, number: str) -> str:
    """The ticket's page, unless the action took it out of the user's sight (a provider who
    declined or transferred it): then their desk, not a "not found" page under the flash."""
    user = _user()
    if permissions.can_view(user, ticket):
        return url_for("tickets.detail", number=number)
    if permissions.works_at_provider_desk(user):
        return url_for("console.provider")
    return url_for("tickets.list_view")


def _refused(ticket: Ticket, action: str, form: FlaskForm, exc: DomainError) -> ResponseReturnValue:
    if isinstance(exc, Forbidden):
        message = _("Your role may not do this: %(action)s.", action=label("action", action))
        return _detail(ticket, {action: form}, message, 403)
    if isinstance(exc, TransitionError):
        return _detail(ticket, {action: form}, localized(exc), 409)
    if isinstance(exc, NotFound) and exc.field != "number":
        abort(404)
    fields = {"number": "into"}
    if attach(form, exc, fields):
        return _detail(ticket, {action: form}, _("Please correct the form below."), 422)
    return _detail(ticket, {action: form}, localized(exc), 422)


@blueprint.route("/tickets/<number>/comments", methods=["POST"])
@login_required
def comment(number: str) -> ResponseReturnValue:
    ticket = _load(number)
    user = _user()
    if not permissions.can_use_desk(user):  # an enterprise replies on its portal page
        abort(403)
    form = CommentForm(prefix="comment")
    if not permissions.can_write_internal(user):
        del form.internal
    if not form.validate_on_submit():
        return _detail(ticket, {"comment": form}, _("Please correct the form below."), 400)
    internal = bool(form.internal and form.internal.data)
    try:
        service.comment(db_session(), user, ticket, form.body.data, internal=internal)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _refused(ticket, "comment", form, exc)
    flash(_("Your note was added.") if internal else _("Your reply was added."), "success")
    return redirect(url_for("tickets.detail", number=number) + "#timeline")
