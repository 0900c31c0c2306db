"""A person's identity as Socle stores it: names normalized for searching,
birth dates known exactly or by year, countries and regions from ISO 3166,
phones in E.164, identity documents compared by their normalized number.

Checks return the errors they find instead of raising the first, so that an
enrolment (or a row of an import) reports all of its mistakes at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
import pycountry

from schemes.members import errors
from schemes.members.tables import DocumentKind
from schemes.reference import regions
from schemes.rules.model import Sex
from tenants.errors import DomainError

Path = tuple[str, ...]

NAME_MAX = 200
EARLIEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class Person:
    """Who someone is: names, sex, birth, nationality (none: the tenant's country)."""

    first_names: str
    last_name: str
    sex: Sex
    birth_date: date | None = None
    birth_year: int | None = None
    """When only the year is known (common in the field)."""
    nationality: str | None = None


@dataclass(frozen=True)
class Document:
    """An identity document as shown."""

    kind: DocumentKind
    number: str
    issuing_country: str
    expires_on: date | None = None


@dataclass(frozen=True)
class CleanPerson:
    """A checked person, ready to store."""

    first_names: str
    last_name: str
    normalized_name: str
    sex: Sex
    birth_date: date
    birth_date_approximate: bool
    nationality: str


@dataclass(frozen=True)
class CleanDocument:
    """A checked document, with the number duplicates compare."""

    kind: DocumentKind
    number: str
    normalized_number: str
    issuing_country: str
    expires_on: date | None

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes a document the same as another: kind, issuing country, normalized number."""
        return (self.kind.value, self.issuing_country, self.normalized_number)


def normalized_words(text: str) -> list[str]:
    """The words of ``text`` in lower case, accents and punctuation removed
    (« N'Diaye Aïssatou » -> ``["n", "diaye", "aissatou"]``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.findall(r"[a-z0-9]+", plain)


def normalized_name(last_name: str, first_names: str) -> str:
    """The name searches match: last name then first names, normalized."""
    return " ".join(normalized_words(f"{last_name} {first_names}"))


def normalized_document_number(number: str) -> str:
    """A document number without spaces, dashes, dots or slashes, in capitals."""
    return re.sub(r"[\s./-]+", "", number).upper()


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code."""
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def text(value: str | None, path: Path, found: list[DomainError], *, maximum: int = NAME_MAX) -> str:
    """``value`` trimmed; an error when it is empty or longer than ``maximum``."""
    cleaned = (value or "").strip()
    if not 1 <= len(cleaned) <= maximum:
        found.append(errors.InvalidText(path=path, maximum=maximum))
    return cleaned


def optional_text(value: str | None, path: Path, found: list[DomainError], *, maximum: int = NAME_MAX) -> str | None:
    """``value`` trimmed, None when empty; an error when longer than ``maximum``."""
    cleaned = (value or "").strip()
    if len(cleaned) > maximum:
        found.append(errors.InvalidText(path=path, maximum=maximum))
    return cleaned or None


def country(value: str | None, default: str, path: Path, found: list[DomainError]) -> str:
    """An ISO 3166-1 alpha-2 code (``default`` when none is given)."""
    code = (value or default).strip().upper()
    if not is_country(code):
        found.append(errors.InvalidCountry(path=path, country=value or ""))
    return code


def person(data: Person, base: Path, default_country: str, today: date, found: list[DomainError]) -> CleanPerson:
    """Check a person's identity; the errors go to ``found``."""
    first_names = text(data.first_names, (*base, "firstNames"), found)
    last_name = text(data.last_name, (*base, "lastName"), found)
    birth_date, approximate = _birth(data, base, today, found)
    return CleanPerson(
        first_names=first_names,
        last_name=last_name,
        normalized_name=normalized_name(last_name, first_names),
        sex=data.sex,
        birth_date=birth_date,
        birth_date_approximate=approximate,
        nationality=country(data.nationality, default_country, (*base, "nationality"), found),
    )


def _birth(data: Person, base: Path, today: date, found: list[DomainError]) -> tuple[date, bool]:
    """The birth date, or 1 January of the birth year flagged approximate (as
    :mod:`schemes.rules.eligibility` reads it)."""
    if (data.birth_date is None) == (data.birth_year is None):
        found.append(errors.InvalidBirth(path=(*base, "birthDate")))
        return today, False
    if data.birth_date is not None:
        if not date(EARLIEST_BIRTH_YEAR, 1, 1) <= data.birth_date <= today:
            found.append(errors.InvalidBirth(path=(*base, "birthDate")))
        return data.birth_date, False
    year = data.birth_year or 0
    if not EARLIEST_BIRTH_YEAR <= year <= today.year:
        found.append(errors.InvalidBirth(path=(*base, "birthYear")))
        return today, True
    return date(year, 1, 1), True


def phone(value: str | None, default_region: str, path: Path, found: list[DomainError]) -> str | None:
    """A phone number in E.164, read with the tenant's country as the default
    region (77 123 45 67 in Senegal is +221771234567)."""
    if value is None or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value.strip(), default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        found.append(errors.InvalidPhone(path=path, phone=value))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region(country_code: str, value: str | None, path: Path, found: list[DomainError]) -> str | None:
    """An ISO 3166-2 region code of ``country_code`` (SN-DK), or None."""
    if value is None or not value.strip():
        return None
    found_region = regions.region(country_code, value)
    if found_region is None:
        found.append(errors.InvalidRegion(path=path, region=value, country=country_code))
        return None
    return found_region.code


MAX_DOCUMENTS = 5


def documents(
    given: tuple[Document, ...], base: Path, default_country: str, found: list[DomainError]
) -> list[CleanDocument]:
    """Check a person's documents (at most :data:`MAX_DOCUMENTS`)."""
    if len(given) > MAX_DOCUMENTS:
        found.append(errors.TooMany(path=base, maximum=MAX_DOCUMENTS))
    cleaned = []
    for index, document in enumerate(given[:MAX_DOCUMENTS]):
        path = (*base, str(index))
        number = document.number.strip()
        normalized = normalized_document_number(number)
        if not (3 <= len(normalized) <= 40 and normalized.isascii() and normalized.isalnum()):
            found.append(errors.InvalidDocumentNumber(path=(*path, "number"), number=number))
        cleaned.append(
            CleanDocument(
                kind=document.kind,
                number=number,
                normalized_number=normalized,
                issuing_country=country(document.issuing_country, default_country, (*path, "issuingCountry"), found),
                expires_on=document.expires_on,
            )
        )
    return cleaned
