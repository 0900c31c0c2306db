"""A country's administrative divisions: regions from ISO 3166-2, the levels
below from the reference table an operator loads (Senegal's departments are
shipped), and the check of an address against them."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemes.reference import errors, regions
from tenants.audit import service as audit
from tenants.context import PlatformContext
from tenants.tx import Transaction

LEVELS = ("department", "arrondissement", "commune")
COLUMNS = ("code", "country", "parent_code", "level", "name")
_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}(-[A-Z0-9]{1,4})+$")


@dataclass(frozen=True)
class Division:
    """A region or a division below it, with the code of the one above (none for a region)."""

    code: str
    name: str
    level: str
    parent_code: str | None


def _wrong(line: int, column: str, value: str) -> errors.InvalidDivisionFile:
    return errors.InvalidDivisionFile(path=("file", column), line=line, column=column, value=value)


def read_divisions(lines: Iterable[str]) -> list[Division]:
    """The divisions of a CSV file (``code,country,parent_code,level,name``,
    UTF-8, a header line), checked: codes and parents start with their
    country, a department's parent is a region of its country."""
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise _wrong(1, "header", ",".join(reader.fieldnames or ()))
    found: list[Division] = []
    for number, row in enumerate(reader, start=2):
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        country = values["country"].upper()
        code = values["code"].upper()
        parent = values["parent_code"].upper()
        if not regions.regions_of(country):
            raise _wrong(number, "country", values["country"])
        if not _CODE.match(code) or not code.startswith(f"{country}-"):
            raise _wrong(number, "code", values["code"])
        if values["level"] not in LEVELS:
            raise _wrong(number, "level", values["level"])
        if values["level"] == "department" and regions.region(country, parent) is None:
            raise _wrong(number, "parent_code", values["parent_code"])
        if not parent.startswith(f"{country}-"):
            raise _wrong(number, "parent_code", values["parent_code"])
        if not 2 <= len(values["name"]) <= 200:
            raise _wrong(number, "name", values["name"])
        found.append(Division(code=code, name=values["name"], level=values["level"], parent_code=parent))
    return found


@dataclass(frozen=True)
class LoadReport:
    """What a load changed."""

    added: int
    changed: int
    unchanged: int


async def load_divisions(tx: Transaction, ctx: PlatformContext, divisions: list[Division]) -> LoadReport:
    """Add or update ``divisions`` (platform transaction); loading the same file again changes nothing."""
    rows = await tx.fetch(
        """
        INSERT INTO administrative_divisions AS d (code, country, parent_code, level, name)
        SELECT code, left(code, 2), parent_code, level, name
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (code, parent_code, level, name)
        ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level,
                                         name = excluded.name
        WHERE (d.parent_code, d.level, d.name) IS DISTINCT FROM (excluded.parent_code, excluded.level, excluded.name)
        RETURNING (xmax = 0) AS added
        """,
        [d.code for d in divisions],
        [d.parent_code for d in divisions],
        [d.level for d in divisions],
        [d.name for d in divisions],
    )
    added = sum(1 for row in rows if row["added"])
    report = LoadReport(added=added, changed=len(rows) - added, unchanged=len(divisions) - len(rows))
    if rows:
        await audit.record_change(
            tx,
            ctx,
            "reference.divisions_load",
            "administrative_divisions",
            ",".join(sorted({d.code[:2] for d in divisions})),
            added=str(report.added),
            changed=str(report.changed),
        )
    return report


async def divisions(tx: Transaction, country: str, parent: str | None = None) -> list[Division]:
    """The regions of ``country`` (no ``parent``), or the divisions directly under ``parent``, by name."""
    country = country.strip().upper()
    if parent is None:
        return [
            Division(code=r.code, name=r.name, level="region", parent_code=None) for r in regions.regions_of(country)
        ]
    rows = await tx.fetch(
        "SELECT code, name, level, parent_code FROM administrative_divisions"
        " WHERE country = $1 AND parent_code = $2 ORDER BY name, code",
        country,
        parent.strip().upper(),
    )
    return [Division(**dict(row)) for row in rows]


async def departments_of(tx: Transaction, region_codes: Iterable[str]) -> dict[str, list[Division]]:
    """The departments of these regions (ISO 3166-2 codes), by region, in one
    statement: what checking a batch of addresses needs."""
    wanted = sorted({code.strip().upper() for code in region_codes if code and code.strip()})
    if not wanted:
        return {}
    rows = await tx.fetch(
        "SELECT code, name, level, parent_code FROM administrative_divisions"
        " WHERE parent_code = ANY($1::text[]) AND level = 'department' ORDER BY code",
        wanted,
    )
    found: dict[str, list[Division]] = {}
    for row in rows:
        found.setdefault(row["parent_code"], []).append(Division(**dict(row)))
    return found


async def divisions_by_code(tx: Transaction, codes: list[str]) -> dict[str, Division]:
    """The divisions below the regions with these codes, in one statement."""
    rows = await tx.fetch(
        "SELECT code, name, level, parent_code FROM administrative_divisions WHERE code = ANY($1::text[])", codes
    )
    return {row["code"]: Division(**dict(row)) for row in rows}


def department(
    departments: Mapping[str, Sequence[Division]],
    region_code: str | None,
    given: str | None,
    *,
    path: tuple[str, ...] = ("input", "address"),
) -> Division | None:
    """The department ``given`` names in its region, by its code (SN-TH-01)
    or its name (Mbour, mbour, MBOUR; Thiès as thies), among the
    ``departments`` of :func:`departments_of`; None when none is given, else
    :class:`UnknownDepartment` naming the field under ``path``."""
    text = (given or "").strip()
    if not text:
        return None
    code, folded = text.upper(), regions.plain_name(text)
    candidates = departments.get(region_code or "", ())
    found = next((d for d in candidates if d.code == code or regions.plain_name(d.name) == folded), None)
    if found is None:
        raise errors.UnknownDepartment(path=(*path, "department"), department=text, region=region_code or "-")
    return found


async def check_address(
    tx: Transaction,
    country: str,
    region: str | None,
    department_given: str | None,
    *,
    path: tuple[str, ...] = ("input", "address"),
) -> tuple[str | None, str | None]:
    """The region and department codes of an address, as stored (upper case),
    or :class:`UnknownRegion` / :class:`UnknownDepartment` naming the field
    under ``path``. A department, given by its code or its name, needs its
    region and must lie in it."""
    region_code = (region or "").strip().upper() or None
    if region_code is not None and regions.region(country, region_code) is None:
        raise errors.UnknownRegion(path=(*path, "region"), region=region_code, country=country)
    needed = [region_code] if region_code and (department_given or "").strip() else []
    found = department(await departments_of(tx, needed), region_code, department_given, path=path)
    return region_code, found.code if found else None
