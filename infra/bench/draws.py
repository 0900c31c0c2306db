"""Seeded draws of the benchmark's data: ids, people and their names,
dates of birth, phone numbers and NINEA, the same for the same seed."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from uuid import UUID

from infra.bench import names
from infra.bench.country import COUNTRY, DAY, LOADED_AT
from schemes.employers import service as employer_service
from schemes.members import identity as ids
from schemes.rules.model import Sex
from tenants.errors import DomainError


class Ids:
    """UUIDv7-shaped ids from a seeded generator: time-ordered from
    :data:`LOADED_AT`, one millisecond apart, so that they are unique and land
    at the end of their indexes as the application's do."""

    def __init__(self, seed: int) -> None:
        self._draw = random.Random(f"{seed}:ids")  # noqa: S311 (reproducible data, not secrets)
        self._millis = int(LOADED_AT.timestamp() * 1000)

    def __call__(self) -> UUID:
        self._millis += 1
        bits = self._draw.getrandbits(74)
        value = (self._millis << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & ((1 << 62) - 1))
        return uuid.UUID(int=value)


def scrambled(counter: int, digits: int) -> str:
    """A ``digits``-digit number made from ``counter`` by a bijection, so
    that distinct counters never give the same document number."""
    modulus = 10**digits
    return str((counter * 7_919_000_003 + 104_729) % modulus).zfill(digits)


def _weighted(pool: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    values, weights = zip(*pool, strict=True)
    cumulative, running = [], 0
    for weight in weights:
        running += weight
        cumulative.append(running)
    return list(values), cumulative


class People:
    """Draws people, their names normalized once per distinct name."""

    def __init__(self, draw: random.Random) -> None:
        self.draw = draw
        self.families = _weighted(names.FAMILIES)
        self.men = _weighted(names.MEN)
        self.women = _weighted(names.WOMEN)
        self._normalized: dict[tuple[str, str], str] = {}

    def family(self) -> str:
        values, cumulative = self.families
        return self.draw.choices(values, cum_weights=cumulative)[0]

    def first(self, sex: Sex) -> str:
        values, cumulative = self.men if sex is Sex.MALE else self.women
        return self.draw.choices(values, cum_weights=cumulative)[0]

    def normalized(self, last_name: str, first_names: str) -> str:
        key = (last_name, first_names)
        found = self._normalized.get(key)
        if found is None:
            found = self._normalized[key] = ids.normalized_name(last_name, first_names)
        return found

    def birth(self, oldest: int, youngest: int, on: date = DAY) -> tuple[date, bool]:
        """A birth date between the ages given on ``on``; one in seven known by its year only."""
        born = on - timedelta(days=self.draw.randint(youngest * 365 + 1, oldest * 365))
        if self.draw.random() < 0.15:
            return date(born.year, 1, 1), True
        return born, False

    def phone(self) -> str:
        return f"+221{self.draw.choice(('77', '78', '76', '70'))}{self.draw.randrange(10**7):07d}"


def ninea(draw: random.Random) -> str:
    """A valid NINEA with its COFI, in the form the employers' registry stores."""
    while True:
        digits = f"{draw.randrange(10**6):06d}"
        for check in range(10):
            try:
                return employer_service.registration_number(COUNTRY, f"{digits}{check} {draw.choice('012')}V2")
            except DomainError:
                continue
