"""Email addresses and phone numbers as Socle stores them: addresses in lower
case, numbers in E.164."""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_address(raw: str) -> str | None:
    """``raw`` as a stored address, or None when it is not one."""
    value = raw.strip().lower()
    return value if len(value) <= 254 and _EMAIL.match(value) else None


def e164(raw: str) -> str | None:
    """``raw`` as an E.164 number (+221...), or None when it is not a valid one."""
    try:
        number = phonenumbers.parse(raw.strip(), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
