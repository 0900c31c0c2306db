"""Rights that follow payments: up to date, in grace, suspended after the
scheme's number of unpaid periods past their grace, and the day it changes."""

from __future__ import annotations

from datetime import date

import pytest

from schemes.contributions.rights import RightsStatus, Standing, Unpaid, standing
from schemes.rules.model import RightsRule

CMU = RightsRule(grace_days=30, unpaid_periods_before_suspension=1)
IPM = RightsRule(grace_days=15, unpaid_periods_before_suspension=2)
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


@pytest.mark.parametrize(
    ("rule", "unpaid", "today", "expected"),
    [
        (CMU, [], date(2026, 5, 1), Standing(RightsStatus.UP_TO_DATE, None)),
        # Called ahead of its period: up to date until its due date.
        (
            CMU,
            [Unpaid("2027", date(2027, 1, 1))],
            date(2026, 12, 25),
            Standing(RightsStatus.UP_TO_DATE, date(2027, 1, 1)),
        ),
        # Unpaid on its due date: in grace for 30 days, suspended on the 31st.
        (CMU, [Unpaid("2026", date(2026, 1, 1))], date(2026, 1, 1), Standing(RightsStatus.IN_GRACE, date(2026, 2, 1))),
        (CMU, [Unpaid("2026", date(2026, 1, 1))], date(2026, 1, 31), Standing(RightsStatus.IN_GRACE, date(2026, 2, 1))),
        (
            CMU,
            [Unpaid("2026", date(2026, 1, 1))],
            date(2026, 2, 1),
            Standing(RightsStatus.SUSPENDED, None, date(2026, 2, 1)),
        ),
        # The fee and the share of one period count as one unpaid period.
        (
            IPM,
            [Unpaid("2026-03", MARCH), Unpaid("2026-03", MARCH)],
            date(2026, 4, 20),
            Standing(RightsStatus.IN_GRACE, None),
        ),
        # Two months unpaid past their 15 days: the IPM suspends.
        (
            IPM,
            [Unpaid("2026-03", MARCH), Unpaid("2026-04", APRIL)],
            date(2026, 4, 10),
            Standing(RightsStatus.IN_GRACE, date(2026, 4, 17)),
        ),
        (
            IPM,
            [Unpaid("2026-03", MARCH), Unpaid("2026-04", APRIL)],
            date(2026, 4, 20),
            Standing(RightsStatus.SUSPENDED, None, date(2026, 4, 17)),
        ),
    ],
)
def test_standing(rule: RightsRule, unpaid: list[Unpaid], today: date, expected: Standing) -> None:
    assert standing(rule, unpaid, today) == expected
