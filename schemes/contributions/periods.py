"""Contribution periods: calendar months, quarters and years, named as
people write them (``2026-12``, ``2026-T4``, ``2026``). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from schemes.rules.model import Period

_MONTHS = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.YEARLY: 12}
_LABEL = {
    Period.MONTHLY: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    Period.QUARTERLY: re.compile(r"^(\d{4})-T([1-4])$"),
    Period.YEARLY: re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True, order=True)
class ContributionPeriod:
    """One period of a contribution: from ``start`` (the first day of a
    month, quarter or year) to :attr:`end` inclusive."""

    start: date
    kind: Period

    @property
    def end(self) -> date:
        """The period's last day."""
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """``2026-12`` for a month, ``2026-T4`` for a quarter (trimestre), ``2026`` for a year."""
        if self.kind is Period.MONTHLY:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is Period.QUARTERLY:
            return f"{self.start.year}-T{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def next(self) -> ContributionPeriod:
        """The period after this one."""
        months = self.start.year * 12 + self.start.month - 1 + _MONTHS[self.kind]
        return ContributionPeriod(date(months // 12, months % 12 + 1, 1), self.kind)

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day <= self.end


def period_of(kind: Period, day: date) -> ContributionPeriod:
    """The period of ``kind`` that ``day`` falls in."""
    months = _MONTHS[kind]
    month = (day.month - 1) // months * months + 1
    return ContributionPeriod(date(day.year, month, 1), kind)


def parse_period(kind: Period, label: str) -> ContributionPeriod | None:
    """The period of ``kind`` named ``label`` (as :attr:`ContributionPeriod.label`
    writes it), or None when the label names none."""
    found = _LABEL[kind].match(label.strip().upper())
    if found is None or not 1900 <= int(found.group(1)) <= 9999:
        return None
    year = int(found.group(1))
    if kind is Period.MONTHLY:
        return ContributionPeriod(date(year, int(found.group(2)), 1), kind)
    if kind is Period.QUARTERLY:
        return ContributionPeriod(date(year, (int(found.group(2)) - 1) * 3 + 1, 1), kind)
    return ContributionPeriod(date(year, 1, 1), kind)


def periods_through(first: ContributionPeriod, last_day: date) -> list[ContributionPeriod]:
    """``first`` and the periods after it, up to the one containing ``last_day``."""
    found: list[ContributionPeriod] = []
    period = first
    while period.start <= last_day:
        found.append(period)
        period = period.next()
    return found
