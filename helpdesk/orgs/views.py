"""/admin/orgs: the list, new, edit (with its staff and open tickets), suspend and reinstate
with a reason, and a one-click re-route of a suspended organisation's open tickets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from helpdesk.auth.models import User
from helpdesk.directory.models import (
    Organisation,
    OrgKind,
    OrgStatus,
    Region,
    ServiceCategory,
)
from helpdesk.oplog import queries as oplog_queries
from helpdesk.orgs import forms, service
from helpdesk.people.views import _attach, _version, admin_required
from helpdesk.tickets.models import Ticket
from helpdesk.web import db_session, localized_name

blueprint = Blueprint("orgs", __name__)


@blueprint.get("/admin/orgs")
@admin_required
def org_list() -> ResponseReturnValue:
    filters = forms.OrgFilter(request.args)
    session = db_session()
    stmt = select(Organisation).order_by(Organisation.kind, Organisation.name)
    q = (filters.q.data or "").strip()
    if q:
        stmt = stmt.where(
            or_(Organisation.name.like(f"%{q}%"), Organisation.slug.like(f"%{q.lower()}%"))
        )
    if filters.kind.data in {k.value for k in OrgKind}:
        stmt = stmt.where(Organisation.kind == OrgKind(filters.kind.data))
    if filters.status.data in {s.value for s in OrgStatus}:
        stmt = stmt.where(Organisation.status == OrgStatus(filters.status.data))
    orgs = session.scalars(stmt.limit(500)).all()
    counts = dict(
        session.execute(
            select(Ticket.assigned_org_id, func.count(Ticket.id))
            .where(Ticket.is_open.is_(True), Ticket.assigned_org_id.is_not(None))
            .group_by(Ticket.assigned_org_id)
        ).all()
    )
    return render_template("orgs/list.html", orgs=orgs, filters=filters, counts=counts)


def _fill(form: forms.OrgForm) -> None:
    session = db_session()
    regions = session.scalars(select(Region).order_by(Region.code)).all()
    form.districts.choices = [(r.code, localized_name(r)) for r in regions]
    cats = session.scalars(select(ServiceCategory)).all()
    names = {c.code: localized_name(c) for c in cats}
    top = {c.code: c.position for c in cats if c.parent_code is None}
    # each platform, then its sub-services, in the catalogue's order
    ordered = sorted(
        cats,
        key=lambda c: (top.get(c.parent_code or c.code, 99), c.parent_code is not None,
                       c.position),
    )  # fmt: skip
    form.categories.choices = [
        (c.code, f"{names[c.parent_code]} · {names[c.code]}" if c.parent_code else names[c.code])
        for c in ordered
    ]


def _data(form: forms.OrgForm) -> service.OrgData:
    return service.OrgData(
        slug=form.slug.data or "",
        name=form.name.data or "",
        kind=form.kind.data or "",
        provider_type=form.provider_type.data or "",
        districts=list(form.districts.data or []),
        categories=list(form.categories.data or []),
        capacity=form.capacity.data or "",
        working_hours=form.working_hours.data or "",
        contact_name=form.contact_name.data or "",
        phone=form.phone.data or "",
    )


def _load_into(form: forms.OrgForm, org: Organisation) -> None:
    now = service.snapshot(org)
    form.slug.data, form.name.data, form.kind.data = now["slug"], now["name"], now["kind"]
    form.provider_type.data = now["provider_type"] or ""
    form.districts.data, form.categories.data = now["districts"], now["categories"]
    form.capacity.data = str(now["capacity"])
    form.working_hours.data = now["working_hours"] or ""
    form.contact_name.data = now["contact_name"] or ""
    from helpdesk.directory.phone_format import national

    form.phone.data = national(now["phone"]) if now["phone"] else ""
    form.version.data = str(org.version)


def _org_or_404(org_id: int) -> Organisation:
    org = db_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


def _warn_capacity(org: Organisation) -> None:
    warning = service.capacity_warning(db_session(), org)
    if warning:
        flash(warning, "warning")


@blueprint.route("/admin/orgs/new", methods=["GET", "POST"])
@admin_required
def org_new() -> ResponseReturnValue:
    form = forms.OrgForm()
    _fill(form)
    if request.method == "GET":
        form.kind.data = OrgKind.PROVIDER.value
        form.capacity.data = "50"
        form.districts.data = ["330100"]
    elif form.validate_on_submit():
        try:
            org = service.create(db_session(), current_user._get_current_object(), _data(form))
        except service.FieldErrors as exc:
            _attach(form, exc.errors)
        else:
            flash(_("%(name)s is created.", name=org.name), "success")
            return redirect(url_for("orgs.org_edit", org_id=org.id))
    status = 422 if request.method == "POST" else 200
    return render_template("orgs/form.html", form=form, org=None), status


def _edit_page(
    org: Organisation,
    form: forms.OrgForm,
    status: int = 200,
    status_form: forms.StatusForm | None = None,
) -> ResponseReturnValue:
    session = db_session()
    staff = session.scalars(
        select(User).where(User.organisation_id == org.id).order_by(User.active.desc(), User.login)
    ).all()
    return render_template(
        "orgs/form.html",
        form=form,
        org=org,
        staff=staff,
        open_tickets=service.open_tickets(session, org.id),
        open_count=service.open_count(session, org.id),
        history=oplog_queries.for_target(session, "organisation", org.id, limit=20),
        status_form=status_form or forms.StatusForm(prefix="st", version=str(org.version)),
        reroute=forms.RerouteForm(prefix="rr"),
    ), status


@blueprint.route("/admin/orgs/<id:org_id>", methods=["GET", "POST"])
@admin_required
def org_edit(org_id: int) -> ResponseReturnValue:
    org = _org_or_404(org_id)
    form = forms.OrgForm()
    _fill(form)
    if request.method == "GET":
        _load_into(form, org)
        return _edit_page(org, form)
    if not form.validate_on_submit():
        return _edit_page(org, form, 400)
    try:
        service.edit(
            db_session(), current_user._get_current_object(), org, _data(form),
            _version(form.version.data),
        )  # fmt: skip
    except service.VersionConflict as exc:
        db_session().refresh(org)
        fresh = forms.OrgForm(formdata=None)
        _fill(fresh)
        _load_into(fresh, org)
        fresh.form_errors.append(exc.message)
        return _edit_page(org, fresh, 409)
    except service.FieldErrors as exc:
        _attach(form, exc.errors)
        return _edit_page(org, form, 422)
    flash(_("Saved."), "success")
    _warn_capacity(org)
    return redirect(url_for("orgs.org_edit", org_id=org.id))


@blueprint.post("/admin/orgs/<id:org_id>/<any(suspend, reinstate):action>")
@admin_required
def org_status(org_id: int, action: str) -> ResponseReturnValue:
    org = _org_or_404(org_id)
    status_form = forms.StatusForm(prefix="st")
    if not status_form.validate_on_submit():
        abort(400)
    target = OrgStatus.SUSPENDED if action == "suspend" else OrgStatus.ACTIVE
    try:
        service.set_status(
            db_session(), current_user._get_current_object(), org, target,
            status_form.reason.data or "", _version(status_form.version.data),
        )  # fmt: skip
    except (service.FieldErrors, service.VersionConflict) as exc:
        db_session().refresh(org)
        if isinstance(exc, service.FieldErrors):
            _attach(status_form, exc.errors)
        else:
            status_form.form_errors.append(exc.message)
        status_form.version.data = str(org.version)
        form = forms.OrgForm(formdata=None)
        _fill(form)
        _load_into(form, org)
        return _edit_page(org, form, 422, status_form)
    if target is OrgStatus.SUSPENDED:
        flash(_("%(name)s is suspended: it gets no new tickets. Its open tickets are listed "
                "below; re-route them.", name=org.name), "success")  # fmt: skip
    else:
        flash(_("%(name)s is reinstated: it gets new tickets again.", name=org.name), "success")
    return redirect(url_for("orgs.org_edit", org_id=org.id))


@blueprint.post("/admin/orgs/<id:org_id>/reroute")
@admin_required
def org_reroute(org_id: int) -> ResponseReturnValue:
    """Route the open tickets again (one, or all listed) through the tickets service."""
    org = _org_or_404(org_id)
    form = forms.RerouteForm(prefix="rr")
    if not form.validate_on_submit():
        abort(400)
    if org.status is not OrgStatus.SUSPENDED:
        # an active organisation keeps its tickets; moving one is a transfer on the ticket
        flash(_("Only a suspended organisation's tickets are re-routed from here."), "error")
        return redirect(url_for("orgs.org_edit", org_id=org.id))
    session = db_session()
    number = (form.number.data or "").strip()
    tickets = [t for t in service.open_tickets(session, org.id) if not number or t.number == number]
    reason = _("Re-routed: %(name)s is suspended.", name=org.name)
    actor = current_user._get_current_object()
    moved = 0
    for ticket in tickets:
        done = service.reroute(session, actor, ticket, reason)
        if done.to:
            moved += 1
            if number:
                flash(_("%(number)s re-routed to %(to)s.", number=done.number, to=done.to),
                      "success")  # fmt: skip
        else:
            flash(f"{done.number}: {done.error}", "error")
    if not number and moved:
        flash(_("%(n)d ticket(s) re-routed.", n=moved), "success")
    return redirect(url_for("orgs.org_edit", org_id=org.id))
