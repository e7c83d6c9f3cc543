"""/admin/tokens (issue, list, revoke API tokens; rotate the PBX's CTI token) and
/admin/blocked-numbers (callers the hotline refuses). Administrators only; each change is in
the operations log (/admin/changes). A new token's value is shown once, on the page that
answers the POST, and never again (only its SHA-256 is stored)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.auth import tokens
from helpdesk.auth.models import ApiToken, TokenScope
from helpdesk.channels.phone import blocklist
from helpdesk.channels.phone.service import forget_blocklist
from helpdesk.directory.phone_format import national
from helpdesk.integrations import forms
from helpdesk.people.views import admin_required
from helpdesk.web import db_session

blueprint = Blueprint("integrations", __name__)


def _tokens_page(
    form: forms.TokenForm, status: int = 200, shown: tuple[ApiToken, str] | None = None
) -> ResponseReturnValue:
    listed = tokens.listing(db_session())
    return render_template(
        "integrations/tokens.html",
        form=form,
        button=forms.ButtonForm(prefix="btn"),
        listed=listed,
        state=tokens.state,
        shown=shown,
    ), status


@blueprint.get("/admin/tokens")
@admin_required
def tokens_list() -> ResponseReturnValue:
    return _tokens_page(_blank_form())


@blueprint.post("/admin/tokens")
@admin_required
def token_issue() -> ResponseReturnValue:
    form = forms.TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422)
    session = db_session()
    try:
        issued = tokens.issue(
            session, current_user._get_current_object(), form.login.data or "",
            form.name.data or "", form.scope.data or "", form.expires.data or "",
        )  # fmt: skip
    except tokens.TokenErrors as exc:
        session.rollback()
        _attach(form, exc.errors)
        return _tokens_page(form, 422)
    session.commit()
    return _tokens_page(_blank_form(), 200, issued)


def _blank_form() -> forms.TokenForm:
    form = forms.TokenForm(formdata=None)
    form.scope.data = TokenScope.READ.value
    form.login.data = current_user.login
    return form


@blueprint.post("/admin/tokens/<id:token_id>/revoke")
@admin_required
def token_revoke(token_id: int) -> ResponseReturnValue:
    if not forms.ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    session = db_session()
    token = session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if tokens.revoke(session, current_user._get_current_object(), token):
        session.commit()
        flash(_("The token %(name)s is revoked: it is refused from now on.", name=token.name),
              "success")  # fmt: skip
    return redirect(url_for("integrations.tokens_list"))


@blueprint.post("/admin/tokens/rotate-cti")
@admin_required
def token_rotate_cti() -> ResponseReturnValue:
    if not forms.ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    session = db_session()
    try:
        issued = tokens.rotate_cti(session, current_user._get_current_object())
    except tokens.TokenErrors as exc:
        session.rollback()
        flash(next(iter(exc.errors.values())), "error")
        return redirect(url_for("integrations.tokens_list"))
    session.commit()
    return _tokens_page(_blank_form(), 200, issued)


def _attach(form: forms.TokenForm | forms.BlockForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), message]
        else:
            form.form_errors.append(message)


# -- blocked numbers --------------------------------------------------------------------------


def _blocked_page(form: forms.BlockForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "integrations/blocked.html",
        form=form,
        button=forms.ButtonForm(prefix="btn"),
        numbers=blocklist.listing(db_session()),
    ), status


@blueprint.get("/admin/blocked-numbers")
@admin_required
def blocked_list() -> ResponseReturnValue:
    return _blocked_page(forms.BlockForm(formdata=None))


@blueprint.post("/admin/blocked-numbers")
@admin_required
def blocked_add() -> ResponseReturnValue:
    form = forms.BlockForm()
    if not form.validate_on_submit():
        return _blocked_page(form, 422)
    session = db_session()
    try:
        row = blocklist.add(
            session, current_user._get_current_object(), form.number.data or "",
            form.note.data or "",
        )  # fmt: skip
    except blocklist.BlocklistError as exc:
        session.rollback()
        _attach(form, {exc.field: exc.message})
        return _blocked_page(form, 422)
    session.commit()
    forget_blocklist()
    flash(_("%(number)s is blocked: its calls are refused politely, with no ticket.",
            number=national(row.number)), "success")  # fmt: skip
    return redirect(url_for("integrations.blocked_list"))


@blueprint.post("/admin/blocked-numbers/remove")
@admin_required
def blocked_remove() -> ResponseReturnValue:
    button = forms.ButtonForm(prefix="btn")
    if not button.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        removed = blocklist.remove(session, current_user._get_current_object(),
                                   button.number.data or "")  # fmt: skip
    except blocklist.BlocklistError as exc:
        flash(exc.message, "error")
        return redirect(url_for("integrations.blocked_list"))
    if removed:
        session.commit()
        forget_blocklist()
        flash(_("The number is unblocked."), "success")
    else:
        flash(_("This number was not blocked."), "error")
    return redirect(url_for("integrations.blocked_list"))
