"""The employers' registry of a tenant: IPMs' member companies, the
employers of precarious workers. Reading needs ``members:read``, changing
``members:write``; a ministry reads its supervised tenants' registries, each
read recorded as an oversight read."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from piccolo.columns import Column
from stdnum.exceptions import ValidationError
from stdnum.sn import ninea

from schemes.employers import errors
from schemes.employers.tables import Employer, EmployerStatus
from schemes.reference import regions
from schemes.reference.errors import UnknownRegion
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.identity import contacts
from tenants.scoping import across, within
from tenants.tx import Transaction

_IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ./-]{0,63}$")
_TRADE_REGISTER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ./-]{3,63}$")
OVERSIGHT_READ = "oversight.employers_read"


@dataclass(frozen=True)
class EmployerData:
    """An employer's details as given; empty texts clear optional ones."""

    name: str
    registration_number: str
    trade_register: str = ""
    sector: str = ""
    region: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    status: EmployerStatus = EmployerStatus.ACTIVE


@dataclass(frozen=True)
class EmployerChange:
    """What an update changes: None leaves a detail as it is."""

    name: str | None = None
    registration_number: str | None = None
    trade_register: str | None = None
    sector: str | None = None
    region: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    status: EmployerStatus | None = None

    def applied_to(self, employer: Employer) -> EmployerData:
        """The employer's details with this change made."""
        current = EmployerData(
            name=employer.name,
            registration_number=employer.registration_number,
            trade_register=employer.trade_register or "",
            sector=employer.sector,
            region=employer.region or "",
            address=employer.address,
            contact_name=employer.contact_name,
            contact_phone=employer.contact_phone or "",
            contact_email=employer.contact_email or "",
            status=EmployerStatus(employer.status),
        )
        changed = {name: value for name, value in vars(self).items() if value is not None}
        return replace(current, **changed)


def registration_number(country: str, raw: str) -> str:
    """``raw`` as stored: a NINEA in its compact form for Senegal (checked), else trimmed."""
    value = " ".join(raw.split())
    if country == "SN":
        try:
            return str(ninea.validate(value))
        except ValidationError:
            raise errors.InvalidNinea(path=("input", "registrationNumber"), number=value) from None
    if not _IDENTIFIER.match(value):
        raise errors.InvalidRegistrationNumber(path=("input", "registrationNumber"), number=value)
    return value


def _text(value: str, path: str, maximum: int) -> str:
    text = " ".join(value.split())
    if len(text) > maximum:
        raise errors.TextTooLong(path=("input", path), maximum=maximum)
    return text


def _checked(ctx: TenantContext, data: EmployerData) -> dict[str, Any]:
    """The row's columns for ``data``, or the first field error."""
    name = " ".join(data.name.split())
    if not 2 <= len(name) <= 200:
        raise errors.InvalidEmployerName(path=("input", "name"))
    trade_register = " ".join(data.trade_register.split()).upper()
    if trade_register and not _TRADE_REGISTER.match(trade_register):
        raise errors.InvalidTradeRegister(path=("input", "tradeRegister"), number=trade_register)
    region = data.region.strip().upper()
    if region and regions.region(ctx.country, region) is None:
        raise UnknownRegion(path=("input", "region"), region=region, country=ctx.country)
    phone = data.contact_phone.strip()
    e164 = contacts.e164(phone) if phone else None
    if phone and e164 is None:
        raise errors.InvalidContactPhone(path=("input", "contactPhone"))
    email = data.contact_email.strip()
    address = contacts.email_address(email) if email else None
    if email and address is None:
        raise errors.InvalidContactEmail(path=("input", "contactEmail"))
    return {
        "name": name,
        "registration_number": registration_number(ctx.country, data.registration_number),
        "trade_register": trade_register or None,
        "sector": _text(data.sector, "sector", 100),
        "region": region or None,
        "address": _text(data.address, "address", 300),
        "contact_name": _text(data.contact_name, "contactName", 200),
        "contact_phone": e164,
        "contact_email": address,
        "status": data.status.value,
    }


def _taken(number: str) -> errors.RegistrationNumberTaken:
    return errors.RegistrationNumberTaken(path=("input", "registrationNumber"), number=number)


async def create_employer(tx: Transaction, ctx: TenantContext, data: EmployerData) -> Employer:
    """Register an employer in the context's tenant; its registration number
    is unique within the tenant."""
    values = _checked(ctx, data)
    employers = within(ctx, Employer)
    if await employers.exists().where(Employer.registration_number == values["registration_number"]):
        raise _taken(values["registration_number"])
    now = datetime.now(UTC)
    employer = employers.new(**values, created_at=now, updated_at=now)
    try:
        await employers.insert(employer)
    except asyncpg.UniqueViolationError:
        # Another registration of the same number committed between the check and the insert.
        raise _taken(values["registration_number"]) from None
    await audit.record_change(
        tx, ctx, "employer.create", "employer", employer.id, name=values["name"], number=values["registration_number"]
    )
    return employer


async def update_employer(tx: Transaction, ctx: TenantContext, employer_id: UUID, change: EmployerChange) -> Employer:
    """Change an employer's details (closing it is a change of status)."""
    employer = await within(ctx, Employer).objects().where(Employer.id == employer_id).first()
    if employer is None or employer.tenant_id != ctx.tenant_id:
        raise errors.EmployerNotFound(path=("input", "id"))
    values = _checked(ctx, change.applied_to(employer))
    changed: dict[Column | str, Any] = {
        name: value for name, value in values.items() if getattr(employer, name) != value
    }
    if not changed:
        return employer
    if "registration_number" in changed and await within(ctx, Employer).exists().where(
        (Employer.registration_number == values["registration_number"]) & (Employer.id != employer_id)
    ):
        raise _taken(values["registration_number"])
    changed["updated_at"] = datetime.now(UTC)
    try:
        await within(ctx, Employer).update(changed).where(Employer.id == employer_id)
    except asyncpg.UniqueViolationError:
        raise _taken(values["registration_number"]) from None
    for name, value in changed.items():
        setattr(employer, str(name), value)
    await audit.record_change(
        tx,
        ctx,
        "employer.update",
        "employer",
        employer.id,
        fields=",".join(sorted(str(name) for name in changed if name != "updated_at")),
    )
    return employer


def _search_condition(ctx: TenantContext, search: str | None, start: int) -> tuple[str, list[Any]]:
    """SQL condition and arguments of a search by name fragment or registration
    number, whole or its start (a NINEA without its COFI finds the company's)."""
    text = " ".join((search or "").split())
    if not text:
        return "", []
    try:
        number = registration_number(ctx.country, text)
    except errors.EmployerError:
        number = text.replace(" ", "").upper()
    return (
        f" AND (lower(name) LIKE '%' || ${start} || '%' OR registration_number LIKE ${start + 1} || '%')",
        [_like_escaped(text.lower()), _like_escaped(number)],
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_employers(
    tx: Transaction,
    ctx: TenantContext,
    tenant_id: UUID,
    *,
    search: str | None = None,
    after: tuple[str, UUID] | None,
    limit: int,
) -> list[Employer]:
    """Up to ``limit`` employers of ``tenant_id`` (the context's own or one it
    supervises), by name, after the one at ``after`` (name and id),
    optionally matching ``search``. A ministry's read is recorded."""
    if not ctx.can_read(tenant_id):
        return []
    condition, arguments = _search_condition(ctx, search, 2)
    position = ""
    if after is not None:
        n = 2 + len(arguments)
        position = f" AND (name, id) > (${n}, ${n + 1})"
        arguments = [*arguments, *after]
    rows = await tx.fetch(
        f"SELECT * FROM employers WHERE tenant_id = $1{condition}{position} ORDER BY name, id LIMIT {int(limit)}",
        tenant_id,
        *arguments,
    )
    await audit.record_oversight_read(tx, ctx, tenant_id, OVERSIGHT_READ)
    return [Employer(**dict(row)) for row in rows]


async def count_employers(tx: Transaction, ctx: TenantContext, tenant_id: UUID, search: str | None = None) -> int:
    """How many employers of ``tenant_id`` match ``search``."""
    if not ctx.can_read(tenant_id):
        return 0
    condition, arguments = _search_condition(ctx, search, 2)
    count: int = await tx.fetchval(
        f"SELECT count(*) FROM employers WHERE tenant_id = $1{condition}", tenant_id, *arguments
    )
    return count


async def employers_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[Employer]:
    """The employers among ``ids`` of every tenant the context may read; a
    ministry's read of a supervised tenant's employers is recorded."""
    if not ids:
        return []
    rows = await across(ctx, Employer).among(Employer.id, ids)
    for tenant_id in sorted({row.tenant_id for row in rows}):
        await audit.record_oversight_read(tx, ctx, tenant_id, OVERSIGHT_READ)
    return list(rows)
