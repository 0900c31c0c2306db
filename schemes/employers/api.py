"""GraphQL types, queries and mutations of the employers' registry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.employers import errors
from schemes.employers import service as employer_service
from schemes.employers.loaders import employers_by_id
from schemes.employers.tables import Employer as EmployerRow
from schemes.employers.tables import EmployerStatus
from schemes.reference.errors import UnknownRegion
from tenants.context import TenantContext
from tenants.graphql import Info, decode_id, field, node_uuids, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tx import Transaction, tenant_tx

strawberry.enum(EmployerStatus, description="Whether an employer still declares employees.")

_FIELD_ERRORS: list[type[errors.EmployerError] | type[UnknownRegion]] = [
    errors.InvalidEmployerName,
    errors.InvalidRegistrationNumber,
    errors.InvalidNinea,
    errors.RegistrationNumberTaken,
    errors.InvalidTradeRegister,
    errors.TextTooLong,
    errors.InvalidContactPhone,
    errors.InvalidContactEmail,
    UnknownRegion,
]


@strawberry.type(description="An employer of the tenant: an IPM's member company, a precarious worker's employer.")
class Employer(relay.Node):
    id: relay.NodeID[UUID]
    name: str
    registration_number: str = strawberry.field(
        description="NINEA in Senegal (compact: seven digits, or nine with the COFI), else the country's identifier."
    )
    trade_register: str | None = strawberry.field(description="Trade and personal property credit register (RCCM).")
    sector: str
    region: str | None = strawberry.field(description="ISO 3166-2 code of the region of its address (SN-DK).")
    address: str
    contact_name: str
    contact_phone: str | None = strawberry.field(description="E.164.")
    contact_email: str | None
    status: EmployerStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: EmployerRow) -> Employer:
        """The GraphQL view of an employer row."""
        return cls(
            id=row.id,
            name=row.name,
            registration_number=row.registration_number,
            trade_register=row.trade_register,
            sector=row.sector,
            region=row.region,
            address=row.address,
            contact_name=row.contact_name,
            contact_phone=row.contact_phone,
            contact_email=row.contact_email,
            status=EmployerStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Employer | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(employers_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.from_row(by_id[i]) if i in by_id else None for i in ids]


@strawberry.input(description="Register an employer.")
class EmployerCreateInput:
    name: str
    registration_number: str = strawberry.field(
        description="NINEA for a tenant of Senegal (checked: `3067221 2G2`), else the country's identifier."
    )
    trade_register: str = ""
    sector: str = ""
    region: str = strawberry.field(default="", description="ISO 3166-2 code of a region of the tenant's country.")
    address: str = ""
    contact_name: str = ""
    contact_phone: str = strawberry.field(default="", description="International format (+221...).")
    contact_email: str = ""


@strawberry.input(description="Change an employer's details: the fields left out stay as they are, empty texts clear.")
class EmployerUpdateInput:
    id: relay.GlobalID
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


def _readable_tenant(info: Info, tenant: relay.GlobalID | None) -> UUID | None:
    """The tenant asked for (default: the caller's own), None if the caller may not read it."""
    context = tenant_of(info)
    if tenant is None:
        return context.tenant_id
    tenant_id = decode_id(tenant, "Tenant")
    return tenant_id if tenant_id is not None and context.can_read(tenant_id) else None


@strawberry.type
class Query:
    @field(
        "The employers of the caller's tenant, or of a tenant it supervises (each such read is recorded), by name; "
        "`search` matches a fragment of the name or the registration number. Requires `members:read`; "
        "`first` is at most 100.",
        permission=Permission.MEMBERS_READ,
    )
    async def employers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        tenant: relay.GlobalID | None = None,
    ) -> Connection[Employer]:
        context = tenant_of(info)
        tenant_id = _readable_tenant(info, tenant)

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
        ) -> list[EmployerRow]:
            if tenant_id is None:
                return []
            return await employer_service.list_employers(tx, ctx, tenant_id, search=search, after=after, limit=limit)

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            return 0 if tenant_id is None else await employer_service.count_employers(tx, ctx, tenant_id, search)

        return await tenant_page(
            context,
            first,
            after,
            (str, UUID),
            rows=rows,
            count=count,
            node=Employer.from_row,
            key=lambda row: (row.name, row.id),
        )

    @field(
        "An employer of the caller's tenant or of a tenant it supervises; null if there is none with this id. "
        "Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def employer(self, info: Info, id: relay.GlobalID) -> Employer | None:  # noqa: A002
        employer_id = decode_id(id, "Employer")
        if employer_id is None:
            return None
        return await load_employer(info, employer_id)


async def load_employer(info: Info, employer_id: UUID | None) -> Employer | None:
    """The employer ``employer_id`` names, through the request's DataLoader; None for no id or none readable."""
    if employer_id is None:
        return None
    row = await info.context.loaders.get(employers_by_id).load(employer_id)
    return Employer.from_row(row) if row else None


def _employer_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    found = decode_id(id, "Employer")
    if found is None:
        raise errors.EmployerNotFound(path=("input", "id"))
    return found


@strawberry.type
class Mutation:
    @mutation(
        "Register an employer of the caller's tenant. Requires `members:write`.",
        errors=_FIELD_ERRORS,
        permission=Permission.MEMBERS_WRITE,
    )
    async def employer_create(self, info: Info, input: EmployerCreateInput) -> Employer:  # noqa: A002
        context = tenant_of(info)
        data = employer_service.EmployerData(
            name=input.name,
            registration_number=input.registration_number,
            trade_register=input.trade_register,
            sector=input.sector,
            region=input.region,
            address=input.address,
            contact_name=input.contact_name,
            contact_phone=input.contact_phone,
            contact_email=input.contact_email,
        )
        async with tenant_tx(context) as tx:
            row = await employer_service.create_employer(tx, context, data)
        return Employer.from_row(row)

    @mutation(
        "Change an employer's details or status. Requires `members:write`.",
        errors=[errors.EmployerNotFound, *_FIELD_ERRORS],
        permission=Permission.MEMBERS_WRITE,
    )
    async def employer_update(self, info: Info, input: EmployerUpdateInput) -> Employer:  # noqa: A002
        context = tenant_of(info)
        change = employer_service.EmployerChange(
            name=input.name,
            registration_number=input.registration_number,
            trade_register=input.trade_register,
            sector=input.sector,
            region=input.region,
            address=input.address,
            contact_name=input.contact_name,
            contact_phone=input.contact_phone,
            contact_email=input.contact_email,
            status=input.status,
        )
        async with tenant_tx(context) as tx:
            row = await employer_service.update_employer(tx, context, _employer_id(input.id), change)
        return Employer.from_row(row)
