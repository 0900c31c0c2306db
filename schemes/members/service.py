"""Members and households: reading the register, changing a member's
identity and household, and each beneficiary's eligibility on a date.
Enrolment is in :mod:`schemes.members.enrolment`, the lifecycle in
:mod:`schemes.members.lifecycle`, the register's search in
:mod:`schemes.members.search`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from schemes.members import enrolment, errors, writes
from schemes.members import identity as ids
from schemes.members.lifecycle import find_member
from schemes.members.tables import (
    Beneficiary,
    Employment,
    IdentityDocument,
    Member,
    MemberStatus,
    MemberStatusChange,
)
from schemes.reference import service as reference
from schemes.rules.eligibility import DependentFacts, Eligibility, dependent_eligibility
from schemes.rules.model import Relationship, Sex
from schemes.rules.service import RuleVersion
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.scoping import across, within
from tenants.tx import Transaction


async def members_by_id(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> list[Member]:
    """The members among ``member_ids`` the context may read (its own, or a supervised tenant's)."""
    if not member_ids:
        return []
    return await across(ctx, Member).among(Member.id, member_ids)


async def read_members(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> list[Member]:
    """As :func:`members_by_id`, for a caller asking for them: a ministry's
    read of a supervised tenant's members is recorded in its log."""
    rows = await members_by_id(tx, ctx, member_ids)
    for tenant_id in sorted({row.tenant_id for row in rows}):
        await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.members_read")
    return rows


async def beneficiaries_by_id(tx: Transaction, ctx: TenantContext, ids_: Sequence[UUID]) -> list[Beneficiary]:
    """The beneficiaries among ``ids_`` the context may read; a ministry's read is recorded."""
    if not ids_:
        return []
    rows = await across(ctx, Beneficiary).among(Beneficiary.id, ids_)
    for tenant_id in sorted({row.tenant_id for row in rows}):
        await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.members_read")
    return rows


async def member_by_number(tx: Transaction, ctx: TenantContext, number: str) -> Member | None:
    """The context's own member with this membership number."""
    found = await within(ctx, Member).among(Member.number, [number.strip().upper()])
    return found[0] if found else None


async def beneficiaries_of(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> list[Beneficiary]:
    """Every beneficiary (current and removed) of these members, in the order they were added."""
    if not member_ids:
        return []
    return await across(ctx, Beneficiary).among(
        Beneficiary.member_id, member_ids, Beneficiary.added_on, Beneficiary.created_at, Beneficiary.id
    )


async def documents_of(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> list[IdentityDocument]:
    """Every identity document of these members and of their beneficiaries."""
    if not member_ids:
        return []
    return await across(ctx, IdentityDocument).among(
        IdentityDocument.member_id, member_ids, IdentityDocument.created_at, IdentityDocument.id
    )


async def employments_of(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> list[Employment]:
    """Every employment of these members."""
    if not member_ids:
        return []
    return await across(ctx, Employment).among(Employment.member_id, member_ids, Employment.created_at, Employment.id)


async def status_history_of(
    tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]
) -> list[MemberStatusChange]:
    """The status changes of these members, oldest first."""
    if not member_ids:
        return []
    return await across(ctx, MemberStatusChange).among(
        MemberStatusChange.member_id, member_ids, MemberStatusChange.created_at, MemberStatusChange.id
    )


def category_data(member: Member) -> dict[str, str]:
    """The member's category details as stored."""
    return writes.as_json(member.category_data)


def in_household(beneficiary: Beneficiary, on: date) -> bool:
    """Whether the beneficiary belongs to the household on ``on``."""
    return beneficiary.added_on <= on and (beneficiary.removed_on is None or on < beneficiary.removed_on)


def eligibility(
    member: Member, household: Sequence[Beneficiary], beneficiary: Beneficiary, version: RuleVersion, on: date
) -> Eligibility:
    """Whether ``beneficiary`` of ``member``'s ``household`` is covered on
    ``on`` under the dependants' rule of ``version`` (the scheme's version
    in force that day). Spouses rank in the order they joined the household."""
    spouses = [b.id for b in household if b.relationship == Relationship.SPOUSE and in_household(b, on)]
    return dependent_eligibility(
        version.document.dependents,
        DependentFacts(
            relationship=Relationship(beneficiary.relationship),
            sex=Sex(beneficiary.sex),
            member_sex=Sex(member.sex),
            birth_date=beneficiary.birth_date,
            birth_date_approximate=beneficiary.birth_date_approximate,
            studying=beneficiary.studying,
            spouse_rank=spouses.index(beneficiary.id) + 1 if beneficiary.id in spouses else None,
        ),
        on,
    )


@dataclass(frozen=True)
class MemberChange:
    """What updating a member may change; None leaves a field as it is."""

    member_id: UUID
    person: ids.Person | None = None
    phone: str | None = None
    address: enrolment.Address | None = None
    documents: tuple[ids.Document, ...] | None = None
    """Documents to add to the member's."""


def _first(found: list[DomainError]) -> None:
    if found:
        raise found[0]


async def update_member(tx: Transaction, ctx: TenantContext, change: MemberChange, today: date) -> Member:
    """Correct a member's identity, phone or address, or add documents
    (the exact-duplicate rule applies to them as at enrolment)."""
    member = await find_member(ctx, change.member_id, ("input", "id"))
    found: list[DomainError] = []
    values: dict[str, object] = {}
    if change.person is not None:
        person = ids.person(change.person, ("input", "person"), ctx.country, today, found)
        values.update(
            first_names=person.first_names,
            last_name=person.last_name,
            normalized_name=person.normalized_name,
            sex=person.sex.value,
            birth_date=person.birth_date,
            birth_date_approximate=person.birth_date_approximate,
            nationality=person.nationality,
        )
    if change.phone is not None:
        values["phone"] = ids.phone(change.phone, ctx.country, ("input", "phone"), found)
    if change.address is not None:
        departments = await reference.departments_of(tx, [change.address.region or ""])
        address = enrolment.clean_address(change.address, ctx.country, departments, ("input", "address"), found)
        values.update(
            address_country=address.country,
            address_region=address.region,
            address_department=address.department,
            address_locality=address.locality,
        )
    documents = ids.documents(change.documents or (), ("input", "documents"), ctx.country, found)
    _first(found)
    await _refuse_known_documents(tx, ctx, documents, ("input", "documents"))
    if values:
        values["updated_at"] = datetime.now(UTC)
        await within(ctx, Member).update(values).where(Member.id == member.id)  # type: ignore[arg-type]
        for name, value in values.items():
            setattr(member, name, value)
    await writes.insert_documents(tx, ctx, writes.document_rows(ctx, member.id, None, documents))
    await audit.record_change(
        tx,
        ctx,
        "member.update",
        "member",
        member.id,
        number=member.number,
        fields=",".join(sorted(name for name in values if name != "updated_at")),
        documents=str(len(documents)),
    )
    return member


async def _refuse_known_documents(
    tx: Transaction, ctx: TenantContext, documents: list[ids.CleanDocument], base: tuple[str, ...]
) -> None:
    existing = await writes.existing_documents(tx, ctx, [document.key for document in documents])
    seen: set[tuple[str, str, str]] = set()
    for index, document in enumerate(documents):
        if document.key in existing:
            raise errors.DuplicateDocument(path=(*base, str(index), "number"), member_number=existing[document.key])
        if document.key in seen:
            raise errors.RepeatedDocument(path=(*base, str(index), "number"))
        seen.add(document.key)


async def add_beneficiary(
    tx: Transaction, ctx: TenantContext, member_id: UUID, given: enrolment.NewBeneficiary, today: date
) -> Beneficiary:
    """Add a dependant to a member's household (not to a terminated member's);
    as for an enrolment, only an approved tenant adds one."""
    await enrolment.require_approved(tx, ctx)
    member = await find_member(ctx, member_id, ("input", "member"))
    if member.status == MemberStatus.TERMINATED:
        raise errors.MemberTerminated(path=("input", "member"), number=member.number)
    found: list[DomainError] = []
    clean = enrolment.beneficiary(given, ("input",), ctx, today, found)
    _first(found)
    await _refuse_known_documents(tx, ctx, clean.documents, ("input", "documents"))
    row = writes.beneficiary_row(ctx, member.id, clean)
    await within(ctx, Beneficiary).insert(row)
    await writes.insert_documents(tx, ctx, writes.document_rows(ctx, member.id, row.id, clean.documents))
    await audit.record_change(
        tx,
        ctx,
        "beneficiary.add",
        "beneficiary",
        row.id,
        member=str(member.id),
        number=member.number,
        relationship=clean.relationship.value,
    )
    return row


async def remove_beneficiary(
    tx: Transaction, ctx: TenantContext, beneficiary_id: UUID, removed_on: date, reason: str | None, today: date
) -> Beneficiary:
    """Take a dependant out of the household from ``removed_on`` (kept, with
    the date, for the periods they were covered)."""
    row = await within(ctx, Beneficiary).objects().where(Beneficiary.id == beneficiary_id).lock_rows().first()
    if row is None:
        raise errors.BeneficiaryNotFound(path=("input", "id"))
    if row.removed_on is not None:
        raise errors.BeneficiaryRemoved(path=("input", "id"), removed_on=row.removed_on.isoformat())
    if not row.added_on <= removed_on <= today:
        raise errors.InvalidDate(path=("input", "removedOn"))
    found: list[DomainError] = []
    cleaned = ids.optional_text(reason, ("input", "reason"), found)
    _first(found)
    await (
        within(ctx, Beneficiary)
        .update({Beneficiary.removed_on: removed_on, Beneficiary.removal_reason: cleaned})
        .where(Beneficiary.id == row.id)
    )
    row.removed_on, row.removal_reason = removed_on, cleaned
    await audit.record_change(
        tx,
        ctx,
        "beneficiary.remove",
        "beneficiary",
        row.id,
        member=str(row.member_id),
        removed_on=removed_on.isoformat(),
    )
    return row
