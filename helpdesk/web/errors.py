"""Domain errors in the page's language, attached to the form field they name."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from helpdesk.errors import DomainError
from helpdesk.tickets.states import TransitionError
from helpdesk.web.labels import label

# (field the service names, a phrase in its English message or "", the localized message)
_RULES: list[tuple[str, str, object]] = [
    ("contact_phone", "", _l("Not a valid phone number.")),
    ("phone", "", _l("Not a valid phone number.")),
    ("contact_name", "", _l("The name is too long.")),
    ("uscc", "no enterprise", _l("No enterprise is registered with this credit code.")),
    (
        "uscc",
        "already registered",
        _l("This enterprise is already registered: log in, or ask the service centre."),
    ),
    ("login", "taken", _l("This login is already taken.")),
    (
        "login",
        "",
        _l(
            "2 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit."
        ),
    ),
    ("uscc", "", _l("Not a valid unified social credit code (18 characters, last one a check).")),
    ("category", "platform", _l("Choose a service, not only its platform.")),
    ("category", "", _l("Unknown service category.")),
    ("district", "required", _l("Choose a district, or an enterprise registered in one.")),
    ("district", "", _l("Unknown district.")),
    ("enterprise_id", "", _l("Unknown enterprise.")),
    ("organisation_id", "declined", _l("That organisation already declined this ticket.")),
    ("organisation_id", "suspended", _l("That organisation is suspended.")),
    ("organisation_id", "", _l("Unknown organisation.")),
    ("subject", "required", _l("A subject is required.")),
    ("subject", "", _l("The subject is too long.")),
    ("description", "", _l("The description is too long.")),
    ("reason", "at most", _l("The text is too long.")),
    ("reason", "", _l("A reason is required.")),
    ("comment", "required", _l("Write what was said.")),
    ("comment", "", _l("The text is too long.")),
    ("note", "required", _l("Write down why.")),
    ("note", "", _l("The text is too long.")),
    ("summary", "", _l("Say what was done.")),
    ("body", "", _l("Write a message.")),
    ("into", "itself", _l("A ticket cannot be merged into itself.")),
    ("into", "", _l("Merge into an open ticket that exists.")),
    ("number", "", _l("Merge into an open ticket that exists.")),
]


# (field a service names, a phrase in its English message or "", the localized message)
Rules = Sequence[tuple[str, str, object]]


def localized(exc: DomainError, own: Rules = ()) -> str:
    """The refusal in the page's language: `own` (a channel's rules) first, then the page-wide
    ones; the service's English when none matches."""
    if isinstance(exc, TransitionError):
        return transition_message(exc)
    for field, phrase, message in (*own, *_RULES):
        if exc.field == field and phrase in exc.message:
            return str(message)
    return exc.message


def transition_message(exc: TransitionError) -> str:
    allowed = _(", ").join(label("action", a) for a in exc.allowed if a != "comment")
    return _(
        "Ticket %(number)s is %(status)s, so “%(action)s” is not possible. Possible now: "
        "%(allowed)s.",
        number=exc.number,
        status=label("status", exc.current),
        action=label("action", exc.action),
        allowed=allowed or _("nothing"),
    )


def attach(form: FlaskForm, exc: DomainError, fields: dict[str, str] | None = None) -> bool:
    """Put the localized message on the field the error names; False when no field matches."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    field = form._fields.get(name)
    if field is None:
        return False
    field.errors = [*field.errors, localized(exc)]
    return True
