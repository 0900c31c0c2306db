"""How an enrolment is written: the rows of members, beneficiaries,
documents and status history, shared by the enrolment, the household's
changes and the lifecycle, with the lookup of documents already known."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg

from schemes.members import errors, numbering
from schemes.members import identity as ids
from schemes.members.tables import (
    Beneficiary,
    Employment,
    IdentityDocument,
    Member,
    MemberStatus,
    MemberStatusChange,
)
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.scoping import within
from tenants.tx import Transaction

if TYPE_CHECKING:
    from schemes.members.enrolment import Checked, CleanBeneficiary


async def existing_documents(
    tx: Transaction, ctx: TenantContext, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], str]:
    """Which of these documents (kind, issuing country, normalized number) a
    person of the tenant already has, with their member's number."""
    if not keys:
        return {}
    rows = await tx.fetch(
        "SELECT d.kind, d.issuing_country, d.normalized_number, m.number FROM identity_documents d"
        " JOIN members m ON m.tenant_id = $1 AND m.id = d.member_id"
        " JOIN unnest($2::text[], $3::text[], $4::text[]) AS k(kind, issuing_country, normalized_number)"
        " ON (d.kind, d.issuing_country, d.normalized_number) = (k.kind, k.issuing_country, k.normalized_number)"
        " WHERE d.tenant_id = $1",
        ctx.tenant_id,
        [key[0] for key in keys],
        [key[1] for key in keys],
        [key[2] for key in keys],
    )
    return {(row["kind"], row["issuing_country"], row["normalized_number"]): row["number"] for row in rows}


async def write_members(tx: Transaction, ctx: TenantContext, batch: list[Checked]) -> list[Member]:
    """Write checked enrolments: their numbers, members, beneficiaries,
    documents, employments, first status and audit events, one statement per
    table whatever the batch's size."""
    if not batch:
        return []
    taken = await numbering.take(tx, ctx, len(batch))
    members_scope = within(ctx, Member)
    members = [
        members_scope.new(
            id=new_id(),
            scheme_id=checked.data.scheme_id,
            category=checked.data.category.value,
            number=number,
            sequence=sequence,
            status=MemberStatus.PENDING.value,
            status_on=checked.enrolled_on,
            enrolled_on=checked.enrolled_on,
            subsidy_group=checked.data.subsidy_group.value if checked.data.subsidy_group else None,
            first_names=checked.person.first_names,
            last_name=checked.person.last_name,
            normalized_name=checked.person.normalized_name,
            sex=checked.person.sex.value,
            birth_date=checked.person.birth_date,
            birth_date_approximate=checked.person.birth_date_approximate,
            nationality=checked.person.nationality,
            phone=checked.phone,
            address_country=checked.address.country,
            address_region=checked.address.region,
            address_department=checked.address.department,
            address_locality=checked.address.locality,
            category_data=json.dumps(checked.category_data, sort_keys=True),
            idempotency_key=checked.data.idempotency_key,
        )
        for checked, (sequence, number) in zip(batch, taken, strict=True)
    ]
    await members_scope.insert(*members)
    beneficiaries: list[Beneficiary] = []
    documents: list[IdentityDocument] = []
    for member, checked in zip(members, batch, strict=True):
        documents += document_rows(ctx, member.id, None, checked.documents)
        for clean in checked.beneficiaries:
            row = beneficiary_row(ctx, member.id, clean)
            beneficiaries.append(row)
            documents += document_rows(ctx, member.id, row.id, clean.documents)
    if beneficiaries:
        await within(ctx, Beneficiary).insert(*beneficiaries)
    await insert_documents(tx, ctx, documents)
    employments = [
        within(ctx, Employment).new(
            member_id=member.id,
            employer_id=job.employer_id,
            staff_number=job.staff_number,
            salary=job.salary,
            currency=ctx.currency if job.salary is not None else None,
            contract_kind=job.contract_kind.value,
            sector=job.sector or "",
            started_on=job.started_on,
        )
        for member, checked in zip(members, batch, strict=True)
        for job in checked.jobs
    ]
    if employments:
        await within(ctx, Employment).insert(*employments)
    await within(ctx, MemberStatusChange).insert(
        *(
            status_change_row(ctx, member.id, None, MemberStatus.PENDING, member.enrolled_on, None, None)
            for member in members
        )
    )
    household_sizes = Counter(b.member_id for b in beneficiaries)
    await audit.record_many(
        tx,
        [
            audit.change_event(
                ctx,
                "member.enrol",
                "member",
                member.id,
                {
                    "number": member.number,
                    "scheme": str(member.scheme_id),
                    "category": member.category,
                    "beneficiaries": str(household_sizes[member.id]),
                },
            )
            for member in members
        ],
    )
    return members


def beneficiary_row(ctx: TenantContext, member_id: UUID, clean: CleanBeneficiary) -> Beneficiary:
    """A beneficiary row of ``member_id``, not yet inserted."""
    person = clean.person
    return within(ctx, Beneficiary).new(
        id=new_id(),
        member_id=member_id,
        relationship=clean.relationship.value,
        first_names=person.first_names,
        last_name=person.last_name,
        normalized_name=person.normalized_name,
        sex=person.sex.value,
        birth_date=person.birth_date,
        birth_date_approximate=person.birth_date_approximate,
        nationality=person.nationality,
        studying=clean.studying,
        added_on=clean.added_on,
    )


def document_rows(
    ctx: TenantContext, member_id: UUID, beneficiary_id: UUID | None, documents: list[ids.CleanDocument]
) -> list[IdentityDocument]:
    """Document rows of a member (or of their beneficiary), not yet inserted."""
    return [
        within(ctx, IdentityDocument).new(
            member_id=member_id,
            beneficiary_id=beneficiary_id,
            kind=document.kind.value,
            number=document.number,
            normalized_number=document.normalized_number,
            issuing_country=document.issuing_country,
            expires_on=document.expires_on,
        )
        for document in documents
    ]


async def insert_documents(tx: Transaction, ctx: TenantContext, documents: list[IdentityDocument]) -> None:
    """Insert documents; one another transaction committed meanwhile is
    refused as a duplicate naming its member's number (the unique key is the
    last wall), in a savepoint so the error can still be looked up."""
    if not documents:
        return
    try:
        async with tx.connection.transaction():
            await within(ctx, IdentityDocument).insert(*documents)
    except asyncpg.UniqueViolationError:
        keys = [(d.kind, d.issuing_country, d.normalized_number) for d in documents]
        existing = await existing_documents(tx, ctx, keys)
        number = next(iter(existing.values()), "")
        raise errors.DuplicateDocument(path=("input", "documents"), member_number=number) from None


def status_change_row(
    ctx: TenantContext,
    member_id: UUID,
    from_status: MemberStatus | None,
    to_status: MemberStatus,
    effective_on: date,
    reason: str | None,
    note: str | None,
) -> MemberStatusChange:
    """A status history row of ``member_id``, not yet inserted, by the context's caller."""
    principal = ctx.principal
    return within(ctx, MemberStatusChange).new(
        member_id=member_id,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        effective_on=effective_on,
        reason=reason,
        note=note,
        changed_by_kind=principal.kind.value,
        changed_by_id=principal.id,
        changed_by_name=principal.name,
    )


def as_json(value: Any) -> dict[str, Any]:
    """A JSONB value as read back (asyncpg gives text)."""
    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str) else dict(value or {})
    return loaded
