"""Turning what people type into canonical values: phones in E.164, credit codes checked."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from helpdesk.errors import InvalidInput

# phonenumbers accepts short strings such as 010-12345 as "valid"; a Chinese subscriber number
# (area code + local number, or a mobile) is at least 10 digits long.
MIN_CN_NATIONAL_DIGITS = 10


# Kept per text: a creation from a phone call normalises its caller's number, and parsing it
# cost about 0.1 ms. Only numbers are kept; a refusal is raised afresh each time (lru_cache does
# not keep exceptions), so it says the same as before, its cause chained.
@lru_cache(maxsize=4096)
def normalise_phone(raw: str, field: str = "phone") -> str:
    """A phone number as E.164 (+8613800000000); InvalidInput naming `field` otherwise."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("a phone number is required", field=field)
    if any(c.isalpha() for c in text):  # phonenumbers reads 400-CALL-NOW as keypad digits
        raise InvalidInput(f"'{text}' has letters; a phone number is digits", field=field)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"'{text}' is not a phone number: {exc}", field=field) from exc
    too_short = (
        number.country_code == 86 and len(str(number.national_number)) < MIN_CN_NATIONAL_DIGITS
    )
    if too_short or not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"'{text}' is not a valid phone number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_uscc(raw: str, field: str = "uscc") -> str:
    """The 18-character unified social credit code, upper-case, with its check character."""
    try:
        return str(uscc.validate((raw or "").strip().upper()))
    except StdnumError as exc:
        raise InvalidInput(
            f"'{raw}' is not a valid unified social credit code: {exc}", field=field
        ) from exc


def mask_phone(e164: str | None) -> str:
    """138****0000: what provider staff see until they deliberately reveal the number."""
    from helpdesk.directory.phone_format import masked

    return masked(e164)


def check_length(value: str | None, limit: int, field: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{field} is required", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is {len(text)} characters; at most {limit}", field=field)
    return text
