"""The agent's new-ticket page: a caller on the line, every field checked, nothing lost.

All the checks that can run before writing run first, so the agent sees every mistake at once;
then the tickets service creates the ticket and the request commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.channels.phone import service as phone
from helpdesk.channels.phone.models import CallDirection, CallRecord
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Contact, Enterprise
from helpdesk.directory.phone_format import national
from helpdesk.directory.validation import normalise_phone, validate_uscc
from helpdesk.errors import DomainError, InvalidInput
from helpdesk.extensions import db
from helpdesk.ids import required_row_id
from helpdesk.tickets import service
from helpdesk.tickets.forms import NewTicketForm
from helpdesk.tickets.models import Channel, Priority, Status, Ticket, TicketType
from helpdesk.web import choices, db_session
from helpdesk.web.errors import attach

# the service's field names -> the form's
FIELDS = {"contact_phone": "caller_phone", "contact_name": "caller_name"}


def _fill(form: NewTicketForm) -> None:
    none = ("", "—")
    form.enterprise_id.choices = [none, *choices.enterprises(db_session())]
    form.category.choices = {"": [none], **choices.grouped_services(db_session())}
    form.district.choices = [("", _("From the enterprise")), *choices.districts(db_session())]
    form.organisation_id.choices = [
        ("", _("By the routing rules")),
        *choices.organisations(db_session(), active_only=True),
    ]


def _enterprise_id(form: NewTicketForm) -> int | None:
    """By credit code when one is typed (it wins over the select), else the selected one."""
    if form.uscc.data:
        code = validate_uscc(form.uscc.data, "uscc")
        found = db_session().scalars(select(Enterprise.id).where(Enterprise.uscc == code)).first()
        if found is None:
            raise InvalidInput(f"no enterprise with credit code {code}", field="uscc")
        return int(found)
    if not form.enterprise_id.data:
        return None
    ident = required_row_id(form.enterprise_id.data, "enterprise_id", "unknown enterprise")
    return directory.enterprise(db_session(), ident).id


def _district(form: NewTicketForm) -> str | None:
    if not form.district.data:
        return None  # the service takes the enterprise's district, or says one is needed
    return directory.region(db_session(), form.district.data).code


def _organisation_id(form: NewTicketForm) -> int | None:
    raw = form.organisation_id.data
    if not raw:
        return None
    ident = required_row_id(raw, "organisation_id", "unknown organisation")
    return directory.organisation(db_session(), ident).id


def _checked(form: NewTicketForm, valid: bool) -> service.NewTicket | None:
    """The service's input, or None after putting every error found on its field. `valid`:
    the form's own validation passed (a forged type, channel or priority fails there)."""
    found: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("caller_phone", lambda: normalise_phone(form.caller_phone.data or "", "contact_phone")),
        ("enterprise_id", lambda: _enterprise_id(form)),
        ("category", lambda: directory.service(db_session(), form.category.data or "").code),
        ("district", lambda: _district(form)),
        ("organisation_id", lambda: _organisation_id(form)),
    ]
    ok = True
    for name, check in checks:
        if form[name].errors:
            ok = False  # already refused by the form's own validators; one message is enough
            continue
        try:
            found[name] = check()
        except InvalidInput as exc:
            attach(form, exc, FIELDS)
            ok = False
    if not ok or not valid:
        return None
    return service.NewTicket(
        subject=form.subject.data or "",
        category=found["category"],
        type=TicketType(form.type.data),
        channel=Channel(form.channel.data),
        district=found["district"] or None,
        description=form.description.data or "",
        priority=Priority(form.priority.data),
        enterprise_id=found["enterprise_id"],
        contact_name=form.caller_name.data or None,
        contact_phone=form.caller_phone.data,
        update_contact=bool(form.update_contact.data),
        organisation_id=found["organisation_id"],
    )


def _from_call(form: NewTicketForm, call_id: str) -> None:
    """Prefill from the call on the line: what the screen pop showed, so nothing is typed twice."""
    record = phone.find(db_session(), call_id)
    if record is None:
        return
    caller = record.caller_e164 if record.direction is CallDirection.IN else None
    form.call_id.data = record.call_id
    form.caller_phone.data = national(caller) if caller else record.from_number
    contact = db_session().get(Contact, record.contact_id) if record.contact_id else None
    if contact is not None:
        form.caller_name.data = contact.name
    if record.enterprise_id is not None:
        form.enterprise_id.data = str(record.enterprise_id)
    else:  # the district the caller keyed in the IVR menu, when no enterprise gives one
        keyed = (record.ivr_state or {}).get("fields", {}).get("district")
        if isinstance(keyed, str) and keyed in dict(form.district.choices or []):
            form.district.data = keyed
    form.channel.data = Channel.PHONE.value


def _replaces_the_ivr_ticket(call: CallRecord, ticket: Ticket) -> str | None:
    """The IVR made a placeholder ticket for the queued call ("电话咨询：信息咨询"); the agent's
    ticket from the same call is the real one. A placeholder nobody has touched (made by no
    one, not yet accepted) is merged into it, not left as a duplicate in the queue; its
    number, or None."""
    previous = db_session().get(Ticket, call.ticket_id) if call.ticket_id else None
    untouched = (Status.NEW, Status.ASSIGNED)
    if previous is None or previous.created_by_id is not None or previous.status not in untouched:
        return None
    # by the system, as it made the placeholder: merging is not an agent's own action
    service.merge(db_session(), None, previous, ticket.number)
    return previous.number


def _call(form: NewTicketForm) -> CallRecord | None:
    """The call named by the form, if any; an unknown one is the form's error, not a 500."""
    if not form.call_id.data:
        return None
    record = phone.find(db_session(), form.call_id.data)
    if record is None:
        form.form_errors.append(_("The call this ticket was started from is no longer known."))
    return record


def new_ticket_page(user: User) -> ResponseReturnValue:
    form = NewTicketForm()
    _fill(form)
    if request.method == "GET":
        if request.args.get("call"):
            _from_call(form, request.args["call"][:250])
        return render_template("tickets/new.html", form=form)
    valid = form.validate_on_submit()
    data = _checked(form, valid)
    call = _call(form)
    if valid and data is not None and not form.form_errors:
        try:
            ticket = service.create(db_session(), user, data)
            merged = None
            if call is not None:
                merged = _replaces_the_ivr_ticket(call, ticket)
                phone.link_ticket(call, ticket)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not attach(form, exc, FIELDS):
                form.form_errors.append(exc.message)
        else:
            flash(_("Ticket %(number)s created.", number=ticket.number), "success")
            if merged:
                message = _(
                    "The ticket the voice menu made for this call, %(number)s, was merged into it.",
                    number=merged,
                )
                flash(message, "info")
            return redirect(url_for("tickets.detail", number=ticket.number))
    db.session.rollback()
    return render_template("tickets/new.html", form=form), 422
