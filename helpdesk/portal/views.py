"""The enterprise portal (网络在线服务): register, log in, state a need, follow it to the end,
reply with files, confirm or reopen, rate, complain; and the centre's registration approvals.

Every change goes through the tickets service and commits once; a refused one rolls back and
shows the reason next to what the user typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from helpdesk.auth import permissions, throttle
from helpdesk.auth.models import User
from helpdesk.auth.passwords import check_password
from helpdesk.auth.session import authenticate
from helpdesk.auth.views import client_address, refused_login
from helpdesk.channels.chat.models import Conversation
from helpdesk.channels.chat.service import after as chat_messages
from helpdesk.errors import DomainError, NotFound
from helpdesk.extensions import db
from helpdesk.portal import files, forms
from helpdesk.portal import service as portal
from helpdesk.portal.limiter import (
    CREATE_PER_IP,
    CREATE_PER_SESSION,
    LOGIN_PER_IP,
    UPLOAD_PER_IP,
    limiter,
    session_key,
)
from helpdesk.portal.models import Attachment, RegistrationStatus, TicketRating
from helpdesk.portal.progress import progress_of
from helpdesk.portal.suggest import suggest
from helpdesk.tickets import queries, service
from helpdesk.tickets.models import Channel, Status, Ticket, TicketType
from helpdesk.web import choices, db_session, install
from helpdesk.web.errors import localized
from helpdesk.web.timeline import timeline_items

blueprint = Blueprint("portal", __name__, url_prefix="/portal")
install(blueprint)

FILE_LIMIT = 1024 * 1024


def _user() -> User:
    return current_user._get_current_object()


def enterprise_only(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_authenticated:
            return redirect(url_for("portal.login", next=request.path))
        if not permissions.uses_portal(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _platforms() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The five platforms (no complaints: those come from a ticket) with their services."""
    grouped = choices.grouped_services(db_session())
    codes = dict((name, code) for code, name in choices.platforms(db_session()))
    return [
        (codes[name], name, services)
        for name, services in grouped.items()
        if codes.get(name) not in (None, "complaint")
    ]


@blueprint.route("/")
def index() -> ResponseReturnValue:
    if permissions.uses_portal(current_user):
        page = queries.list_tickets(db_session(), _user(), queries.TicketFilter(), None)
        return render_template("portal/home.html", page=page)
    return render_template("portal/index.html", platforms=_platforms())


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(CREATE_PER_IP, methods=["POST"])
def register() -> ResponseReturnValue:
    form = forms.RegisterForm()
    districts = [(c, n) for c, n in choices.districts(db_session()) if c != "330100"]
    form.district.choices = [("", _("From the credit code")), *districts]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200  # a mistake in what was typed
        return render_template("portal/register.html", form=form), status
    approve = portal.auto_approve(current_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        portal.register(
            db_session(),
            name=form.name.data or "",
            uscc=form.uscc.data or "",
            district=form.district.data or "",
            contact_name=form.contact_name.data or "",
            phone=form.phone.data or "",
            login=form.login.data or "",
            password=form.password.data or "",
            approve=approve,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, localized(exc)]
            message = _("Please correct the form below.")
        else:
            message = localized(exc)
        return render_template("portal/register.html", form=form, error=message), 422
    if approve:
        flash(_("Your enterprise is registered. Please log in."), "success")
    else:
        flash(_("Registered. The service centre will check and approve it soon."), "info")
    return redirect(url_for("portal.login"))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_IP, methods=["POST"])
def login() -> ResponseReturnValue:
    form = forms.LoginForm()
    if form.validate_on_submit():
        name, address = form.login.data or "", client_address()
        refused = throttle.refusal(name, address)
        if refused is not None:
            return refused_login("portal/login.html", form, refused)
        user = authenticate(name, form.password.data or "")
        if user is not None and permissions.uses_portal(user):
            throttle.succeeded(name, address)
            login_user(user)
            return redirect(url_for("portal.index"))
        waiting = db.session.scalars(select(User).where(User.login == form.login.data)).first()
        if waiting is not None and check_password(waiting.password_hash, form.password.data or ""):
            # the right password of a registration not approved: say where it stands (a
            # refused one read 账号或密码错误, and registering again said 该企业已注册)
            status = portal.status_of(db_session(), waiting)
            if status is RegistrationStatus.PENDING:
                form.login.errors = [_("Your registration is waiting for the centre's approval.")]
                return render_template("portal/login.html", form=form), 401
            if status is RegistrationStatus.REJECTED:
                form.login.errors = [
                    _("Your registration was not approved. Please call the service centre.")
                ]
                return render_template("portal/login.html", form=form), 401
        if user is None:  # a staff member's right password here is no miss, nor a way in
            refused = throttle.failed(name, address)
            if refused is not None:
                return refused_login("portal/login.html", form, refused)
        form.password.errors = [_("Wrong login or password, or the account is disabled.")]
        return render_template("portal/login.html", form=form), 401
    return render_template("portal/login.html", form=form), 400 if request.method == "POST" else 200


@blueprint.route("/suggest")
def suggest_category() -> ResponseReturnValue:
    text = request.args.get("text", "")[:2000]
    return jsonify({"category": suggest(text)})


@blueprint.route("/needs/new", methods=["GET", "POST"])
@enterprise_only
@limiter.limit(CREATE_PER_IP, methods=["POST"])
@limiter.limit(CREATE_PER_SESSION, methods=["POST"], key_func=session_key)
def new_need() -> ResponseReturnValue:
    form = forms.NeedForm()
    platforms = _platforms()
    if form.validate_on_submit():
        text = f"{form.subject.data}\n{form.description.data or ''}"
        category = form.category.data or suggest(text) or "info/supply-demand"
        data = service.NewTicket(
            subject=form.subject.data or "",
            category=category,
            type=TicketType.REQUEST,
            channel=Channel.PORTAL,
            description=form.description.data or "",
        )
        try:
            ticket = service.create(db_session(), _user(), data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return render_template(
                "portal/need.html", form=form, platforms=platforms, error=localized(exc)
            ), 422
        flash(_("Your need was received as ticket %(number)s.", number=ticket.number), "success")
        return redirect(url_for("portal.ticket", number=ticket.number))
    status = 400 if request.method == "POST" else 200
    return render_template("portal/need.html", form=form, platforms=platforms), status


def _load(number: str) -> Ticket:
    try:
        return service.get_by_number(db_session(), number, _user())
    except NotFound:
        abort(404)


def _ticket_page(
    ticket: Ticket, error: str | None = None, status: int = 200, failed: Any = None
) -> ResponseReturnValue:
    """The ticket's page; `failed`: the form just refused, shown with its errors and what was
    typed (its folded section open) in place of an empty one."""
    session = db_session()
    page_forms = {
        "reply": forms.ReplyForm(),
        "reason": forms.ReasonForm(),
        "rate": forms.RateForm(),
        "complaint": forms.ComplaintForm(),
        "confirm": forms.ConfirmForm(),
    }
    failed_name = next((n for n, f in page_forms.items() if type(f) is type(failed)), None)
    if failed_name is not None:
        page_forms[failed_name] = failed
    rated = session.scalars(select(TicketRating).where(TicketRating.ticket_id == ticket.id)).first()
    attachments = session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    ).all()
    chats = session.scalars(
        select(Conversation).where(Conversation.ticket_id == ticket.id).order_by(Conversation.id)
    ).all()
    transcript = [m for c in chats for m in chat_messages(session, c, 0)]
    items = timeline_items(session, _user(), ticket)
    return render_template(
        "portal/ticket.html",
        ticket=ticket,
        items=items,
        progress=progress_of(session, ticket, items),
        files_by_id={a.id: a for a in attachments},
        attachments=attachments,
        transcript=transcript,
        rating=rated,
        **page_forms,
        failed=failed_name,
        error=error,
        Status=Status,
    ), status


@blueprint.route("/tickets/<number>")
@enterprise_only
def ticket(number: str) -> ResponseReturnValue:
    return _ticket_page(_load(number))


def _act(number: str, form: Any, change: Callable[[Ticket], str]) -> ResponseReturnValue:
    ticket = _load(number)
    if not form.validate_on_submit():
        return _ticket_page(ticket, _("Please correct the form below."), 400, form)
    try:
        done = change(ticket)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _ticket_page(ticket, localized(exc), exc.status, form)
    flash(done, "success")
    return redirect(url_for("portal.ticket", number=number))


@blueprint.route("/tickets/<number>/reply", methods=["POST"])
@enterprise_only
@limiter.limit(UPLOAD_PER_IP)
def reply(number: str) -> ResponseReturnValue:
    form = forms.ReplyForm()

    def change(ticket: Ticket) -> str:
        upload = form.file.data
        sent = []
        if upload is not None and upload.filename:
            sent.append(files.store(db_session(), upload, ticket.id, FILE_LIMIT, _user().id))
        service.comment(db_session(), _user(), ticket, form.body.data, attachments=sent)
        return _("Your reply was added.")

    return _act(number, form, change)


@blueprint.route("/tickets/<number>/confirm", methods=["POST"])
@enterprise_only
def confirm(number: str) -> ResponseReturnValue:
    def change(ticket: Ticket) -> str:
        service.close(db_session(), _user(), ticket)
        return _("Thank you: the ticket is closed. Please rate the service.")

    return _act(number, forms.ConfirmForm(), change)


@blueprint.route("/tickets/<number>/reopen", methods=["POST"])
@enterprise_only
def reopen(number: str) -> ResponseReturnValue:
    form = forms.ReasonForm()

    def change(ticket: Ticket) -> str:
        service.reopen(db_session(), _user(), ticket, form.reason.data)
        return _("The ticket is open again.")

    return _act(number, form, change)


@blueprint.route("/tickets/<number>/rate", methods=["POST"])
@enterprise_only
def rate(number: str) -> ResponseReturnValue:
    form = forms.RateForm()

    def change(ticket: Ticket) -> str:
        score = int(form.score.data) if (form.score.data or "").isdigit() else 0
        service.rate(db_session(), _user(), ticket, score, form.comment.data, channel="portal")
        return _("Thank you for your rating.")

    return _act(number, form, change)


@blueprint.route("/tickets/<number>/complain", methods=["POST"])
@enterprise_only
@limiter.limit(CREATE_PER_SESSION, key_func=session_key)
def complain(number: str) -> ResponseReturnValue:
    form = forms.ComplaintForm()
    created: list[str] = []

    def change(ticket: Ticket) -> str:
        data = service.NewTicket(
            subject=_("Complaint about ticket %(number)s", number=ticket.number)[:200],
            category="complaint/service",
            type=TicketType.COMPLAINT,
            channel=Channel.PORTAL,
            description=form.description.data or "",
            related_ticket=ticket.number,
        )
        complaint = service.create(db_session(), _user(), data)
        created.append(complaint.number)
        return _("Your complaint was received as ticket %(number)s.", number=complaint.number)

    response = _act(number, form, change)
    if created:
        return redirect(url_for("portal.ticket", number=created[0]))
    return response


@blueprint.route("/files/<key>")
def download(key: str) -> ResponseReturnValue:
    """Staff and the ticket's enterprise; a chat file also to whoever holds its unguessable key
    (the visitor has no login)."""
    try:
        attachment = files.by_key(db_session(), key)
        if current_user.is_authenticated:
            found = db_session().get(Ticket, attachment.ticket_id)
            service.get_by_number(db_session(), found.number if found else "", _user())
        elif attachment.conversation_id is None:
            abort(404)
    except NotFound:
        abort(404)
    return files.download(attachment)


@blueprint.route("/registrations")
def registrations() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not permissions.can_review_registrations(current_user):
        abort(403)
    return render_template(
        "portal/registrations.html",
        rows=portal.pending(db_session()),
        form=forms.ConfirmForm(),
    )


@blueprint.route("/registrations/<id:enterprise_id>/<decision>", methods=["POST"])
def decide(enterprise_id: int, decision: str) -> ResponseReturnValue:
    if not permissions.can_review_registrations(current_user):
        abort(403)
    if decision not in ("approve", "reject") or not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        portal.decide(db_session(), _user(), enterprise_id, decision == "approve")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
    else:
        flash(
            _("Registration approved.") if decision == "approve" else _("Registration rejected."),
            "success",
        )
    return redirect(url_for("portal.registrations"))


@blueprint.app_template_global()
def portal_user_is_enterprise() -> bool:
    return permissions.uses_portal(current_user)
