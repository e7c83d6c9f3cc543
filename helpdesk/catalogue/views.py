"""/admin/catalogue: the platforms and their sub-services; edit names and order, retire and
restore, add a sub-service. Each entry's page shows its changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from helpdesk.catalogue import forms, service
from helpdesk.directory.models import ServiceCategory
from helpdesk.oplog.models import AdminChange
from helpdesk.people.views import _attach, _version, admin_required
from helpdesk.tickets.models import Ticket
from helpdesk.web import db_session, localized_name

blueprint = Blueprint("catalogue", __name__)


def _new_form(form: forms.NewEntryForm | None = None) -> forms.NewEntryForm:
    form = form or forms.NewEntryForm(prefix="new")
    tops = db_session().scalars(
        select(ServiceCategory).where(ServiceCategory.parent_code.is_(None))
        .order_by(ServiceCategory.position)
    ).all()  # fmt: skip
    form.parent.choices = [(t.code, localized_name(t)) for t in tops]
    return form


@blueprint.get("/admin/catalogue")
@admin_required
def catalogue_list() -> ResponseReturnValue:
    return _list_page()


def _list_page(form: forms.NewEntryForm | None = None, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    used = dict(
        session.execute(select(Ticket.category_code, func.count(Ticket.id))
                        .group_by(Ticket.category_code)).tuples().all()
    )  # fmt: skip
    return render_template(
        "catalogue/list.html", entries=service.entries(session), used=used, form=_new_form(form)
    ), status


@blueprint.post("/admin/catalogue/new")
@admin_required
def catalogue_new() -> ResponseReturnValue:
    form = _new_form(forms.NewEntryForm(prefix="new"))
    if not form.validate_on_submit():
        return _list_page(form, 400)
    data = service.Entry(form.name_zh.data or "", form.name_en.data or "",
                         form.position.data or "")  # fmt: skip
    try:
        made = service.create(db_session(), current_user._get_current_object(),
                              form.parent.data or "", form.code.data or "", data)  # fmt: skip
    except service.FieldErrors as exc:
        db_session().rollback()
        _attach(form, exc.errors)
        return _list_page(form, 422)
    flash(_("%(name)s is added.", name=made.name_zh), "success")
    return redirect(url_for("catalogue.catalogue_list"))


def _entry_or_404(code: str) -> ServiceCategory:
    found = db_session().get(ServiceCategory, code)
    if found is None:
        abort(404)
    return found


def _edit_page(c: ServiceCategory, form: forms.EntryForm, status: int = 200) -> ResponseReturnValue:
    history = db_session().scalars(
        select(AdminChange)
        .where(AdminChange.target_type == "category", AdminChange.target_label == c.code)
        .order_by(AdminChange.id.desc()).limit(20)
    ).all()  # fmt: skip
    return render_template(
        "catalogue/form.html", entry=c, form=form, history=history,
        button=forms.ActiveForm(prefix="btn", version=str(c.version)),
    ), status  # fmt: skip


@blueprint.route("/admin/catalogue/<path:code>", methods=["GET", "POST"])
@admin_required
def catalogue_edit(code: str) -> ResponseReturnValue:
    c = _entry_or_404(code)
    form = forms.EntryForm()
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "GET":
            form.name_zh.data, form.name_en.data = c.name_zh, c.name_en
            form.position.data, form.version.data = str(c.position), str(c.version)
        return _edit_page(c, form, 200 if request.method == "GET" else 400)
    data = service.Entry(form.name_zh.data or "", form.name_en.data or "",
                         form.position.data or "")  # fmt: skip
    try:
        service.edit(db_session(), current_user._get_current_object(), c, data,
                     _version(form.version.data))  # fmt: skip
    except service.VersionConflict as exc:
        db_session().refresh(c)
        fresh = forms.EntryForm(formdata=None)
        fresh.name_zh.data, fresh.name_en.data = c.name_zh, c.name_en
        fresh.position.data, fresh.version.data = str(c.position), str(c.version)
        fresh.form_errors.append(exc.message)
        return _edit_page(c, fresh, 409)
    except service.FieldErrors as exc:
        _attach(form, exc.errors)
        return _edit_page(c, form, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("catalogue.catalogue_edit", code=c.code))


@blueprint.post("/admin/catalogue/<path:code>/<any(retire, restore):action>")
@admin_required
def catalogue_active(code: str, action: str) -> ResponseReturnValue:
    c = _entry_or_404(code)
    form = forms.ActiveForm(prefix="btn")
    if not form.validate_on_submit():
        abort(400)
    try:
        service.set_active(db_session(), current_user._get_current_object(), c,
                           action == "restore", _version(form.version.data))  # fmt: skip
    except (service.FieldErrors, service.VersionConflict) as exc:
        db_session().rollback()
        message = (next(iter(exc.errors.values())) if isinstance(exc, service.FieldErrors)
                   else exc.message)  # fmt: skip
        flash(message, "error")
    else:
        if action == "retire":
            flash(_("%(name)s is retired: no longer offered for new tickets; old tickets and "
                    "reports keep it.", name=c.name_zh), "success")  # fmt: skip
        else:
            flash(_("%(name)s is offered again.", name=c.name_zh), "success")
    return redirect(url_for("catalogue.catalogue_edit", code=c.code))
