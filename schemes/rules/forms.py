"""The form of a rule version as people fill it in: amounts in the
currency's units as written in the field (``3 500``), rates and shares as
percentages (``6,5``), read into the input of ``schemeRuleVersionCreate``
(minor units, basis points), and a version written back as such a form to
start the next one from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tenants.web import flat, nested, pattern_of

MONEY = frozenset(
    {
        "contribution.amount",
        "contribution.incomeFloor",
        "contribution.incomeCeiling",
        "contribution.registrationFee",
        "benefits.*.fixedAmount",
        "benefits.*.ceilingPerEvent",
        "benefits.*.ceilingPerBeneficiaryYear",
        "benefits.*.ceilingPerHouseholdYear",
    }
)
PERCENT = frozenset({"contribution.rate", "contribution.shares.*.share", "benefits.*.coverageRate"})
WHOLE = frozenset(
    {
        "rights.graceDays",
        "rights.unpaidPeriodsBeforeSuspension",
        "rights.waitingPeriods.*.days",
        "dependents.childAgeLimit",
        "dependents.studentAgeLimit",
        "dependents.spousesAllowed",
        "benefits.*.maxCountPerYear",
    }
)
CHECKS = frozenset(
    {
        "contribution.firstPeriodProRata",
        "dependents.husbandCovered",
        "dependents.othersAdmitted",
        "benefits.*.priorAuthorisation",
    }
)
CHOICES = frozenset(
    {
        "effectiveFrom",
        "contribution.basis",
        "contribution.period",
        "contribution.shares.*.payer",
        "rights.waitingPeriods.*.careCategory",
        "benefits.*.careCategory",
        "benefits.*.facilityLevel",
    }
)
LISTS = ("contribution.subsidisedCategories", "contribution.subsidyGroups")
FIELDS = MONEY | PERCENT | WHOLE | CHECKS | CHOICES | frozenset(LISTS)

ROWS = {"contribution.shares": 3, "rights.waitingPeriods": 10, "benefits": 40}
"""Rows each list of the form may have: the payers are three; waiting periods
and benefit lines, one per care category and facility level at most."""
BLANK_ROWS = {"contribution.shares": 3, "rights.waitingPeriods": 1, "benefits": 1}
"""Rows of each list shown blank after those of the version started from."""

_SPACES = re.compile(r"[\s\u00a0\u202f]")


class Unreadable(ValueError):
    """A number of the form that is not one: ``key`` names its field, ``code`` the text saying why."""

    def __init__(self, key: str, code: str) -> None:
        super().__init__(key)
        self.key = key
        self.code = code


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(_SPACES.sub("", text).replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None


def _read(key: str, text: str, digits: int) -> Any:
    pattern = pattern_of(key)
    try:
        if pattern in MONEY:
            value = _decimal(text) * 10**digits
            if value != value.to_integral_value():
                raise ValueError(text)
            return int(value)
        if pattern in PERCENT:
            value = _decimal(text) * 100
            if value != value.to_integral_value():
                raise ValueError(text)
            return int(value)
        if pattern in WHOLE:
            return int(_SPACES.sub("", text))
    except ValueError:
        raise Unreadable(key, "page.PERCENT_EXPECTED" if pattern in PERCENT else "page.NUMBER_EXPECTED") from None
    if pattern in CHECKS:
        return True
    return text


def version_input(values: Mapping[str, str], lists: Mapping[str, list[str]], digits: int) -> dict[str, Any]:
    """The input of a rule version from the form (``values``, and the ticked
    boxes of each of :data:`LISTS`), amounts in a currency of ``digits``
    minor digits. Rows left blank (their choices aside) are dropped. Raises
    :class:`Unreadable` for a number that is not one."""
    read = {key: _read(key, text.strip(), digits) for key, text in values.items() if text.strip()}
    data = nested({**read, **{name: list(lists.get(name, [])) for name in LISTS}}, FIELDS)
    contribution = data.setdefault("contribution", {})
    rights = data.setdefault("rights", {})
    data.setdefault("dependents", {})
    contribution["shares"] = [row for row in contribution.get("shares", []) if "share" in row]
    rights["waitingPeriods"] = [row for row in rights.get("waitingPeriods", []) if "days" in row]
    data["benefits"] = [row for row in data.get("benefits", []) if set(row) - {"careCategory", "facilityLevel"}]
    return data


def _written(value: int | None, digits: int, locale: str) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value) / 10**digits:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if locale == "fr" else text


def version_form(version: Mapping[str, Any], digits: int, locale: str) -> dict[str, str]:
    """A version as the form's fields, to start the next version from (its date left for the new one)."""
    fields: dict[str, str] = {}
    for key, value in flat(
        {k: v for k, v in version.items() if k in ("contribution", "rights", "dependents", "benefits")}
    ).items():
        pattern = pattern_of(key)
        if pattern in MONEY:
            fields[key] = _written(int(value) if value else None, digits, locale)
        elif pattern in PERCENT:
            fields[key] = _written(int(value) if value else None, 2, locale)
        elif pattern in CHECKS:
            fields[key] = "on" if value == "True" else ""
        elif pattern in FIELDS:
            fields[key] = value
    return fields


def ticked(version: Mapping[str, Any]) -> dict[str, list[str]]:
    """The boxes of :data:`LISTS` a version ticks."""
    contribution = version.get("contribution", {})
    return {name: list(contribution.get(name.split(".")[1], [])) for name in LISTS}


def rows(values: Mapping[str, str], *, blank: bool, action: str | None = None) -> dict[str, int]:
    """How many rows of each list to show: those of ``values`` (a version's,
    with :data:`BLANK_ROWS` more when ``blank``; a posted form's as sent),
    one more of the list ``action`` names (``add:benefits``), within :data:`ROWS`."""
    shown = {}
    for name, most in ROWS.items():
        depth = name.count(".") + 1
        indexes = [
            int(parts[depth])
            for parts in (key.split(".") for key in values if key.startswith(f"{name}."))
            if len(parts) > depth and parts[depth].isdigit()
        ]
        count = max(indexes, default=-1) + 1 + (BLANK_ROWS[name] if blank else 0) + (action == f"add:{name}")
        shown[name] = min(max(count, 1), most)
    return shown
