"""Builders for the duplicates' tests: Senegalese people enrolled through
the service, each with their own identity document."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import DocumentKind
from schemes.rules.model import Sex
from schemes.rules.tables import Scheme
from tests.schemes.members.factories import artisan


def national_id() -> ids.Document:
    """A national ID card no one else has."""
    return ids.Document(
        kind=DocumentKind.NATIONAL_ID_CARD, number=f"1 751 {secrets.randbelow(10**12):012d}", issuing_country="SN"
    )


def person(
    scheme: Scheme,
    first_names: str,
    last_name: str,
    *,
    birth_date: date | None = date(1984, 6, 15),
    birth_year: int | None = None,
    phone: str | None = None,
    **overrides: Any,
) -> enrolment.Enrolment:
    """An artisan of Dakar named so, with their own ID card and the phone given (none by default)."""
    values: dict[str, Any] = {
        "person": ids.Person(
            first_names=first_names,
            last_name=last_name,
            sex=Sex.MALE,
            birth_date=birth_date,
            birth_year=birth_year,
            nationality="SN",
        ),
        "phone": phone,
        "documents": (national_id(),),
    }
    values.update(overrides)
    return artisan(scheme, **values)
