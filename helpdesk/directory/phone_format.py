"""Phone numbers as people write and dial them. Stored in E.164 (+8657187005678); shown in the
national format (0571-8700 5678, 138 5710 0004) and dialled as national digits (057187005678).

The one place that turns a stored number into text for people: pages, exports and the API's
display fields all call `national`. Cutting "+86" off the E.164 form is wrong: a landline's
national form starts with its trunk 0, which E.164 drops, so a callback would misdial.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat

HOME_REGION = "CN"


@lru_cache(maxsize=16384)
def _parsed(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None


def _home(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.region_code_for_number(number) == HOME_REGION


@lru_cache(maxsize=16384)  # the phone queue's listing formats every waiting caller each time
def national(e164: str | None) -> str:
    """0571-8700 5678 for a landline (area code, with its 0, then a hyphen), 138 5710 0004 for a
    mobile, 400 812 3456 for a service number; a foreign number in its international format;
    text that is not a number comes back as it is."""
    if not e164:
        return ""
    number = _parsed(e164)
    if number is None:
        return e164
    if not _home(number):
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    text = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if text.startswith("0"):  # a landline: the area code is written apart with a hyphen
        text = text.replace(" ", "-", 1)
    return text


def dial_digits(e164: str | None) -> str:
    """What a desk phone in Hangzhou dials: 057187005678, 13857100004, 00852... abroad."""
    if not e164:
        return ""
    number = _parsed(e164)
    if number is None:
        return "".join(ch for ch in e164 if ch.isdigit() or ch == "+")
    return phonenumbers.format_number_for_mobile_dialing(number, HOME_REGION, False) or e164


def masked(e164: str | None) -> str:
    """138****0004, 0571****5678: what provider staff see until they reveal the number."""
    if not e164:
        return ""
    digits = dial_digits(e164).lstrip("+")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[: 4 if digits.startswith('0') else 3]}****{digits[-4:]}"
