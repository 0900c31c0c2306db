"""Where a member's rights stand given what is left to pay for them: up to
date, in grace, or suspended, and the day that next changes. Pure: the
caller gives the open calls the member's rights depend on (their own, and
for an employee their employer's calls of the declarations naming them)
and the scheme's rights rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from schemes.rules.model import RightsRule


class RightsStatus(StrEnum):
    """A member's rights as their payments leave them."""

    UP_TO_DATE = "up_to_date"
    """Nothing due is left unpaid."""
    IN_GRACE = "in_grace"
    """Something is unpaid, but fewer periods than suspend rights are past their grace."""
    SUSPENDED = "suspended"
    """As many periods as the rule allows are unpaid past their grace."""


@dataclass(frozen=True)
class Unpaid:
    """An open call the member's rights depend on: its period and its due date."""

    period: str
    due_on: date
    employer_id: UUID | None = None
    """For an employer's call of a declaration naming the member: the employer who owes it."""


@dataclass(frozen=True)
class Standing:
    """The rights' status on a day and the first day it changes without a
    payment (None: only a payment, or a call not made yet, changes it)."""

    status: RightsStatus
    changes_on: date | None
    since: date | None = None
    """For suspended rights: the day they were lost."""


def standing(rule: RightsRule, unpaid: Sequence[Unpaid], today: date) -> Standing:
    """The member's standing on ``today``. A period is overdue from the day
    after its grace (``grace_days`` after its earliest open call's due
    date); rights are suspended once ``unpaid_periods_before_suspension``
    periods are overdue, and in grace while anything due is unpaid."""
    first_due: dict[str, date] = {}
    for call in unpaid:
        first_due[call.period] = min(first_due.get(call.period, call.due_on), call.due_on)
    overdue_from = sorted(due + timedelta(days=rule.grace_days + 1) for due in first_due.values())
    limit = max(rule.unpaid_periods_before_suspension, 1)
    if len(overdue_from) >= limit and overdue_from[limit - 1] <= today:
        return Standing(RightsStatus.SUSPENDED, None, since=overdue_from[limit - 1])
    suspension_on = overdue_from[limit - 1] if len(overdue_from) >= limit else None
    if any(due <= today for due in first_due.values()):
        return Standing(RightsStatus.IN_GRACE, suspension_on)
    upcoming = min(first_due.values(), default=None)
    return Standing(RightsStatus.UP_TO_DATE, upcoming)
