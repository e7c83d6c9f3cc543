"""/admin/people (list, new, edit, disable, password, sessions), /admin/changes (操作记录) and
/account/password (one's own password, forced after an administrator set it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from werkzeug.datastructures import MultiDict

from helpdesk.auth import lifetime, permissions
from helpdesk.auth.models import Role, User
from helpdesk.auth.session import is_token_request
from helpdesk.directory.models import Organisation
from helpdesk.errors import DomainError
from helpdesk.ids import row_id
from helpdesk.oplog import queries as oplog_queries
from helpdesk.people import forms, service
from helpdesk.routing import words as routing_words
from helpdesk.web import db_session

blueprint = Blueprint("people", __name__)
PAGE_SIZE = 50


def admin_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Administrators only; everyone else, signed in, gets 403 (not a login page)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not permissions.can_manage_people(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# -- forced password change ---------------------------------------------------------------

ALWAYS_ALLOWED = {"people.own_password", "auth.logout", "auth.login", "static"}


@blueprint.before_app_request
def _password_first() -> ResponseReturnValue | None:
    """After an administrator set the password, nothing else opens until the person sets
    their own (API tokens are integrations, not people typing: left alone)."""
    if request.endpoint in ALWAYS_ALLOWED or request.endpoint is None:
        return None
    if is_token_request() or not current_user.is_authenticated:  # a token loads no person here
        return None
    if getattr(current_user, "must_change_password", False):
        return redirect(url_for("people.own_password", next=request.full_path.rstrip("?")))
    return None


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def own_password() -> ResponseReturnValue:
    form = forms.OwnPasswordForm()
    forced = bool(current_user.must_change_password)
    if form.validate_on_submit():
        if (form.password.data or "") != (form.confirm.data or ""):
            form.confirm.errors = [_("The two new passwords differ.")]
        else:
            me = current_user._get_current_object()
            try:
                service.change_own_password(
                    db_session(), me, form.current.data or "", form.password.data or ""
                )
            except service.FieldErrors as exc:
                _attach(form, exc.errors)
            else:
                lifetime.keep_this_login(me)
                flash(_("Your password is changed."), "success")
                from helpdesk.auth.views import _safe_next

                return redirect(_safe_next(request.args.get("next")))
        return render_template("people/password.html", form=form, forced=forced), 422
    status = 400 if request.method == "POST" else 200
    return render_template("people/password.html", form=form, forced=forced), status


# -- people ---------------------------------------------------------------------------------


@blueprint.get("/admin/people")
@admin_required
def people_list() -> ResponseReturnValue:
    filters = forms.PeopleFilter(request.args)
    stmt = select(User).order_by(User.role, User.login)
    q = (filters.q.data or "").strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.login).like(like), User.name.like(f"%{q}%")))
    if filters.role.data in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(filters.role.data))
    if filters.state.data == "active":
        stmt = stmt.where(User.active.is_(True))
    elif filters.state.data == "disabled":
        stmt = stmt.where(User.active.is_(False))
    people = db_session().scalars(stmt.limit(500)).all()
    return render_template("people/list.html", people=people, filters=filters)


def _fill(form: forms.PersonForm) -> None:
    orgs = db_session().scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = [("", _("None")), *[(o.slug, o.name) for o in orgs]]
    names = routing_words.names()
    form.skills.choices = [(code, names.category(code)) for code in sorted(names.categories)]


def _data(form: forms.PersonForm) -> service.PersonData:
    return service.PersonData(
        login=form.login.data or "",
        name=form.name.data or "",
        role=form.role.data or "",
        organisation=form.organisation.data or "",
        enterprise=form.enterprise.data or "",
        skills=service.split_list(", ".join(form.skills.data or [])),
        extension=form.extension.data or "",
        languages=list(form.languages.data or []),
    )


def _attach(form: Any, errors: dict[str, str]) -> None:
    """Each message beside its field; one for a field the form lacks, at the top."""
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), message]
        else:
            form.form_errors.append(message)


@blueprint.route("/admin/people/new", methods=["GET", "POST"])
@admin_required
def person_new() -> ResponseReturnValue:
    form = forms.PersonForm()
    _fill(form)
    if request.method == "GET":
        form.role.data = Role.AGENT.value
        form.languages.data = ["zh"]
    elif not form.validate_on_submit():
        expired = getattr(form, "csrf_token", None) is not None and form.csrf_token.errors
        if not expired:  # the service's messages too, for the fields the form's own checks passed
            errors = service.new_person_errors(
                db_session(), current_user._get_current_object(), _data(form),
                form.password.data or "",
            )  # fmt: skip
            _attach(
                form,
                {
                    k: v
                    for k, v in errors.items()
                    if getattr(form, k, None) is None or not form[k].errors
                },
            )
    else:
        try:
            person = service.create(
                db_session(), current_user._get_current_object(), _data(form),
                form.password.data or "",
            )  # fmt: skip
        except service.FieldErrors as exc:
            _attach(form, exc.errors)
        else:
            flash(
                _("%(name)s (%(login)s) is created; they choose their own password at first "
                  "login.", name=person.name, login=person.login),
                "success",
            )  # fmt: skip
            return redirect(url_for("people.person_edit", user_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("people/form.html", form=form, person=None), status


def _person_or_404(user_id: int) -> User:
    person = db_session().get(User, user_id)
    if person is None:
        abort(404)
    return person


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _edit_page(
    person: User,
    form: forms.PersonForm,
    status: int = 200,
    reset: forms.PasswordResetForm | None = None,
) -> ResponseReturnValue:
    history = oplog_queries.for_target(db_session(), "user", person.id, limit=20)
    return render_template(
        "people/form.html",
        form=form,
        person=person,
        history=history,
        reset=reset or forms.PasswordResetForm(prefix="reset"),
        button=forms.ButtonForm(prefix="btn", version=str(person.version)),
    ), status


def _load_into(form: forms.PersonForm, person: User) -> None:
    now = service.snapshot(person)
    form.login.data = now["login"]
    form.name.data = now["name"]
    form.role.data = now["role"]
    form.organisation.data = now["organisation"] or ""
    form.enterprise.data = now["enterprise"] or ""
    form.skills.data = list(now["skills"])
    form.extension.data = now["extension"] or ""
    form.languages.data = now["languages"]
    form.version.data = str(person.version)


@blueprint.route("/admin/people/<id:user_id>", methods=["GET", "POST"])
@admin_required
def person_edit(user_id: int) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    form = forms.PersonForm()
    _fill(form)
    if request.method == "GET":
        _load_into(form, person)
        return _edit_page(person, form)
    if not form.validate_on_submit():
        return _edit_page(person, form, 400)
    try:
        service.edit(
            db_session(), current_user._get_current_object(), person, _data(form),
            _version(form.version.data),
        )  # fmt: skip
    except service.VersionConflict as exc:
        # Show the other admin's version, keep nothing of ours silently: say what happened.
        db_session().refresh(person)
        fresh = forms.PersonForm(formdata=None)
        _fill(fresh)
        _load_into(fresh, person)
        fresh.form_errors.append(exc.message)
        return _edit_page(person, fresh, 409)
    except service.FieldErrors as exc:
        _attach(form, exc.errors)
        return _edit_page(person, form, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("people.person_edit", user_id=person.id))


@blueprint.post("/admin/people/<id:user_id>/<any(disable, enable):action>")
@admin_required
def person_active(user_id: int, action: str) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    form = forms.ButtonForm(prefix="btn")
    if not form.validate_on_submit():
        abort(400)
    try:
        service.set_active(
            db_session(), current_user._get_current_object(), person, action == "enable",
            _version(form.version.data),
        )  # fmt: skip
    except DomainError as exc:
        flash(_first_message(exc), "error")
    else:
        if action == "enable":
            flash(_("%(login)s can log in again.", login=person.login), "success")
        else:
            flash(_("%(login)s is disabled; whatever they had open is ended.",
                    login=person.login), "success")  # fmt: skip
    return redirect(url_for("people.person_edit", user_id=person.id))


@blueprint.post("/admin/people/<id:user_id>/password")
@admin_required
def person_password(user_id: int) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    reset = forms.PasswordResetForm(prefix="reset")
    if not reset.validate_on_submit():
        abort(400)
    try:
        service.reset_password(
            db_session(), current_user._get_current_object(), person, reset.password.data or ""
        )
    except service.FieldErrors as exc:
        _attach(reset, exc.errors)
        form = forms.PersonForm(formdata=None)
        _fill(form)
        _load_into(form, person)
        return _edit_page(person, form, 422, reset)
    flash(_("The password of %(login)s is reset; they must change it at their next login.",
            login=person.login), "success")  # fmt: skip
    return redirect(url_for("people.person_edit", user_id=person.id))


@blueprint.post("/admin/people/<id:user_id>/sessions")
@admin_required
def person_sessions(user_id: int) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    if not forms.ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    ended = service.end_all_sessions(db_session(), current_user._get_current_object(), person)
    flash(_("Ended %(n)d live connection(s) of %(login)s.", n=ended, login=person.login),
          "success")  # fmt: skip
    return redirect(url_for("people.person_edit", user_id=person.id))


def _first_message(exc: DomainError) -> str:
    if isinstance(exc, service.FieldErrors):
        return next(iter(exc.errors.values()))
    return exc.message


# -- 操作记录 ---------------------------------------------------------------------------------


@blueprint.get("/admin/changes")
@admin_required
def changes() -> ResponseReturnValue:
    args = MultiDict(request.args)
    filters = forms.ChangesFilter(args)
    from helpdesk.web.labels import ADMIN_CHANGE

    filters.kind.choices = [("", _("Any")), *[(k, str(v)) for k, v in ADMIN_CHANGE.items()]]
    found = oplog_queries.search(
        db_session(),
        kind=filters.kind.data or "",
        actor=filters.actor.data or "",
        target=filters.target.data or "",
        since=filters.since.data or "",
        until=filters.until.data or "",
        before_id=row_id(request.args.get("before") or ""),  # a huge number: no page, not a 500
        limit=PAGE_SIZE,
    )
    for name, message in found.errors.items():
        getattr(filters, name).errors = [message]
    names = oplog_queries.target_names(db_session(), found.changes)
    return render_template("people/changes.html", filters=filters, found=found, names=names)
