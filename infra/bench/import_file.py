"""The bulk import's side of the benchmark: a file of artisans' households in
the columns of the import (:data:`schemes.imports.members.COLUMNS`,
``docs/import-members.md``), and the same file copied by PostgreSQL into a
bare table, the floor the import is compared with."""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

from infra.bench import names
from infra.bench.country import DAY
from infra.bench.draws import scrambled
from schemes.imports.members import COLUMNS
from schemes.reference.service import read_divisions

if TYPE_CHECKING:
    from infra.bench.dataset import BenchTenant

DIVISIONS = Path(__file__).parents[2] / "schemes" / "reference" / "data" / "sn_departments.csv"
REGIONS = {"SN-DK": "Dakar", "SN-TH": "Thiès", "SN-DB": "Diourbel"}
"""Regions of the file's artisans, as people write them."""
FIRST_DOCUMENT = 10**11
"""The file's cards are numbered from here: the data set's stop far below, so none is already known."""
OLDEST = date(1950, 1, 1)
BIRTH_DAYS = 18_000
"""Birth dates of the file's members: one of these days from :data:`OLDEST`."""
TABLE = "bench_import_copy"


def _departments() -> dict[str, list[str]]:
    with DIVISIONS.open(encoding="utf-8") as lines:
        divisions = read_divisions(lines)
    found: dict[str, list[str]] = {}
    for division in divisions:
        if division.parent_code in REGIONS:
            found.setdefault(division.parent_code, []).append(division.name)
    return found


def _phone(draw: random.Random) -> str:
    digits = f"{draw.randrange(10**7):07d}"
    return f"{draw.choice(('77', '78', '76', '70'))} {digits[:3]} {digits[3:5]} {digits[5:]}"


def _pick(draw: random.Random, pool: tuple[tuple[str, int], ...]) -> str:
    return draw.choices([name for name, _ in pool], weights=[weight for _, weight in pool])[0]


def write_import_csv(path: Path, rows: int, *, seed: int, tenant: BenchTenant) -> None:
    """Write an import file of ``rows`` rows: artisans of ``tenant``'s scheme
    and their households, every row valid, none a member already there, no
    two households alike (the import's key is the scheme, the name, the
    birth date and the sex: the birth day and the first name are chosen so
    that no two members share both). Written as it is made: memory stays
    the same whatever ``rows``."""
    draw = random.Random(f"{seed}:import")  # noqa: S311 (reproducible data, not secrets)
    departments = _departments()
    men, women = [name for name, _ in names.MEN], [name for name, _ in names.WOMEN]
    offsets = [draw.randrange(len(men) * len(women)) for _ in range(BIRTH_DAYS)]
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow([column.header for column in COLUMNS])
        written, household = 0, 0
        while written < rows:
            day, turn = household % BIRTH_DAYS, household // BIRTH_DAYS
            male = draw.random() < 0.6
            pool = men if male else women
            first = pool[(offsets[day] + turn) % len(pool)]
            family = _pick(draw, names.FAMILIES)
            born = OLDEST + timedelta(days=day)
            region = draw.choice(list(REGIONS))
            key = f"BENCH-{household + 1:06d}"
            card = f"{1 if male else 2}{scrambled(FIRST_DOCUMENT + household, 12)}"
            values = {
                "household": key,
                "scheme": tenant.scheme_code,
                "category": "artisan",
                "last_name": family,
                "first_names": first,
                "sex": "M" if male else "F",
                "birth": born.strftime("%d/%m/%Y"),
                "phone": _phone(draw),
                "document_kind": "CNI",
                "document_number": card,
                "region": REGIONS[region],
                "department": draw.choice(departments[region]),
                "locality": draw.choice(names.LOCALITIES[region]),
                "enrolled_on": (DAY - timedelta(days=draw.randint(0, 60))).strftime("%d/%m/%Y"),
                "trade": draw.choice(names.TRADES),
                "trades_register": f"RM-{region[3:]}-{draw.randint(2015, 2025)}-{draw.randrange(10**5):05d}",
                "chamber": f"Chambre des métiers de {REGIONS[region]}",
            }
            writer.writerow([values.get(column.key, "") for column in COLUMNS])
            written += 1
            beneficiaries = draw.choices((0, 1, 2, 3, 4), weights=(3, 3, 3, 2, 1))[0]
            for index in range(min(beneficiaries, rows - written)):
                spouse = index == 0 and male and DAY.year - born.year >= 20
                child_born = max(born + timedelta(days=18 * 365), DAY - timedelta(days=draw.randint(0, 20 * 365)))
                writer.writerow(
                    [
                        {
                            "household": key,
                            "relationship": "épouse" if spouse else "enfant",
                            "last_name": _pick(draw, names.FAMILIES) if spouse else family,
                            "first_names": _pick(draw, names.WOMEN if spouse or draw.random() < 0.5 else names.MEN),
                            "sex": "F" if spouse else draw.choice(("F", "M")),
                            "birth": str(min(born.year + draw.randint(0, 15), DAY.year - 18))
                            if spouse
                            else min(child_born, DAY).strftime("%d/%m/%Y"),
                        }.get(column.key, "")
                        for column in COLUMNS
                    ]
                )
                written += 1
            household += 1


@dataclass(frozen=True)
class CopyResult:
    """How long PostgreSQL's COPY took to load a file, and how many rows."""

    seconds: float
    rows: int


async def copy_import_rows(owner_dsn: str, path: Path) -> CopyResult:
    """Load an import file with COPY into :data:`TABLE`, a bare table of
    its columns as text (created, or emptied, first)."""
    columns = ", ".join(f"{column.key} text" for column in COLUMNS)
    connection = await asyncpg.connect(owner_dsn)
    try:
        await connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({columns})")
        await connection.execute(f"TRUNCATE {TABLE}")
        started = time.perf_counter()
        status = await connection.copy_to_table(TABLE, source=path, format="csv", delimiter=";", header=True)
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    return CopyResult(seconds=seconds, rows=int(status.split()[-1]))
