"""/admin/enterprises: search by name, credit code or a contact's phone; one enterprise's page
with its contacts, tickets and registration, and the edit form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from helpdesk.directory.models import Enterprise
from helpdesk.enterprises import forms, service
from helpdesk.oplog import queries as oplog_queries
from helpdesk.people.views import _attach, _version, admin_required
from helpdesk.portal.models import EnterpriseRegistration, RegistrationStatus
from helpdesk.tickets.models import Ticket
from helpdesk.web import choices, db_session

blueprint = Blueprint("enterprises", __name__)


@blueprint.get("/admin/enterprises")
@admin_required
def enterprise_list() -> ResponseReturnValue:
    session = db_session()
    q = (request.args.get("q") or "").strip()[:100]
    found = service.search(session, q)
    pending = session.scalar(
        select(func.count()).where(EnterpriseRegistration.status == RegistrationStatus.PENDING)
    )
    return render_template("enterprises/list.html", found=found, q=q, pending=pending or 0)


def _load_into(form: forms.EnterpriseForm, e: Enterprise) -> None:
    now = service.snapshot(e)
    form.name.data, form.uscc.data, form.district.data = now["name"], now["uscc"], now["district"]
    form.industry.data, form.size.data = now["industry"] or "", now["size"] or ""
    form.address.data, form.version.data = now["address"] or "", str(e.version)


def _page(
    e: Enterprise,
    form: forms.EnterpriseForm,
    status: int = 200,
    merge_form: forms.MergeForm | None = None,
) -> ResponseReturnValue:
    session = db_session()
    if merge_form is None:
        merge_form = forms.MergeForm(formdata=None)
        merge_form.version.data = str(e.version)
    form.district.choices = choices.districts(session)
    tickets = session.scalars(
        select(Ticket).where(Ticket.enterprise_id == e.id).order_by(Ticket.id.desc()).limit(20)
    ).all()
    return render_template(
        "enterprises/form.html",
        enterprise=e,
        form=form,
        merge_form=merge_form,
        merged_into=session.get(Enterprise, e.merged_into_id) if e.merged_into_id else None,
        tickets=tickets,
        registration=session.get(EnterpriseRegistration, e.id),
        history=oplog_queries.for_target(session, "enterprise", e.id, limit=20),
    ), status


@blueprint.route("/admin/enterprises/<id:enterprise_id>", methods=["GET", "POST"])
@admin_required
def enterprise_edit(enterprise_id: int) -> ResponseReturnValue:
    e = db_session().get(Enterprise, enterprise_id)
    if e is None:
        abort(404)
    form = forms.EnterpriseForm()
    if request.method == "GET":
        _load_into(form, e)
        return _page(e, form)
    if not form.validate_on_submit():
        return _page(e, form, 400)
    data = service.EnterpriseData(
        name=form.name.data or "", uscc=form.uscc.data or "", district=form.district.data or "",
        industry=form.industry.data or "", size=form.size.data or "",
        address=form.address.data or "",
    )  # fmt: skip
    try:
        service.edit(db_session(), current_user._get_current_object(), e, data,
                     _version(form.version.data))  # fmt: skip
    except service.VersionConflict as exc:
        db_session().refresh(e)
        fresh = forms.EnterpriseForm(formdata=None)
        _load_into(fresh, e)
        fresh.form_errors.append(exc.message)
        return _page(e, fresh, 409)
    except service.FieldErrors as exc:
        _attach(form, exc.errors)
        return _page(e, form, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("enterprises.enterprise_edit", enterprise_id=e.id))


@blueprint.post("/admin/enterprises/<id:enterprise_id>/merge")
@admin_required
def enterprise_merge(enterprise_id: int) -> ResponseReturnValue:
    """Merge the record typed in (by credit code) with this one, keeping the one chosen."""
    session = db_session()
    here = session.get(Enterprise, enterprise_id)
    if here is None:
        abort(404)
    form = forms.MergeForm()
    edit_form = forms.EnterpriseForm(formdata=None)
    _load_into(edit_form, here)
    if not form.validate_on_submit():
        return _page(here, edit_form, 400, form)
    other = service.find(session, form.other.data or "")
    keep, drop = (other, here) if form.keep.data == "other" and other is not None else (here, other)
    opened = _version(form.version.data)  # the version of the record on the page
    versions = (opened, None) if keep is here else (None, opened)
    try:
        counts = service.merge(session, current_user._get_current_object(), keep, drop, *versions)
    except service.VersionConflict as exc:
        session.refresh(here)
        _load_into(edit_form, here)
        fresh = forms.MergeForm(formdata=None)
        fresh.version.data = str(here.version)
        fresh.form_errors.append(exc.message)
        return _page(here, edit_form, 409, fresh)
    except service.FieldErrors as exc:
        _attach(form, exc.errors)
        return _page(here, edit_form, 422, form)
    flash(
        _("Merged: %(tickets)d tickets, %(contacts)d contacts, %(users)d portal accounts and "
          "%(calls)d calls moved to %(name)s.", tickets=counts["tickets"],
          contacts=counts["contacts"], users=counts["portal_users"], calls=counts["calls"],
          name=keep.name),
        "success",
    )  # fmt: skip
    return redirect(url_for("enterprises.enterprise_edit", enterprise_id=keep.id))
