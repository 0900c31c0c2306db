"""GraphQL queries and mutations of members and households, with their payloads."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import relay

from schemes.members import access, batch, enrolment, errors, lifecycle, numbering
from schemes.members import search as member_search
from schemes.members import service as member_service
from schemes.members.inputs import (
    BeneficiaryAddInput,
    BeneficiaryRemoveInput,
    MemberAccessInput,
    MemberEnrolBatchInput,
    MemberEnrolInput,
    MemberFilter,
    MembershipNumberingInput,
    MemberStatusChangeInput,
    MemberUpdateInput,
)
from schemes.members.tables import (
    CheckDigit,
)
from schemes.members.tables import Member as MemberRow
from schemes.members.types import Beneficiary, Member, load_relations, today
from schemes.reference.errors import UnknownDepartment
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.graphql import Info, decode_id, field, tenant_of
from tenants.mutations import error_type, mutation, typed_error
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tx import Transaction, tenant_tx


@strawberry.type(description="The answer to an enrolment: the member, made now or already there.")
class MemberEnrolment:
    member: Member
    already_there: bool = strawberry.field(
        description="The idempotency key was already used: this is the member enrolled then, unchanged."
    )


ENROL_ERRORS: list[type[DomainError]] = [
    errors.TenantNotApproved,
    errors.SchemeNotFound,
    errors.CategoryNotAdmitted,
    errors.FieldRequired,
    errors.FieldNotAllowed,
    errors.InvalidText,
    errors.InvalidBirth,
    errors.InvalidCountry,
    errors.InvalidRegion,
    UnknownDepartment,
    errors.InvalidPhone,
    errors.InvalidDocumentNumber,
    errors.DuplicateDocument,
    errors.RepeatedDocument,
    errors.EmployerNotFound,
    errors.InvalidSalary,
    errors.InvalidContractKind,
    errors.InvalidDate,
    errors.TooMany,
    errors.InvalidIdempotencyKey,
]


BatchItemErrorCode, BatchItemError = error_type(
    "MemberEnrolBatchItem",
    "memberEnrolBatch",
    # Refusing the tenant stops the whole batch, before any enrolment is checked.
    [error for error in ENROL_ERRORS if error is not errors.TenantNotApproved],
    description="Why one enrolment of a batch was refused, with a typed code; its path starts with "
    '["input", "enrolments", "<index>"].',
)


@strawberry.type(description="The answer to one enrolment of a batch.")
class MemberEnrolBatchItem:
    index: int = strawberry.field(description="The enrolment's place in the batch, from 0.")
    idempotency_key: str
    status: batch.BatchItemStatus
    member: Member | None = strawberry.field(description="The member made now or already there; null if refused.")
    errors: list[BatchItemError] = strawberry.field(  # type: ignore[valid-type]
        description="Every mistake of a refused enrolment; empty otherwise."
    )

    @classmethod
    def of(cls, item: batch.BatchItem) -> MemberEnrolBatchItem:
        """The GraphQL view of a batch's answer to one enrolment."""
        return cls(
            index=item.index,
            idempotency_key=item.idempotency_key,
            status=item.status,
            member=Member.from_row(item.member) if item.member else None,
            errors=[typed_error(BatchItemErrorCode, BatchItemError, error) for error in item.errors],
        )


@strawberry.type(description="The answer to a batch of enrolments, one item per enrolment in the batch's order.")
class MemberEnrolBatch:
    items: list[MemberEnrolBatchItem]


@strawberry.type(description="How the tenant's membership numbers are written.")
class MembershipNumbering:
    prefix: str
    width: int = strawberry.field(description="Digits of the zero-padded sequence.")
    check_digit: CheckDigit
    issued: int = strawberry.field(description="Numbers issued so far; the format is fixed from the first.")
    example: str = strawberry.field(description="The next number in this format.")

    @classmethod
    def of(cls, found: numbering.Numbering) -> MembershipNumbering:
        """The GraphQL view of a tenant's numbering."""
        number_format = found.format
        return cls(
            prefix=number_format.prefix,
            width=number_format.width,
            check_digit=number_format.check_digit,
            issued=found.issued,
            example=number_format.number(found.issued + 1),
        )


def _member_id(global_id: relay.GlobalID, path: tuple[str, ...]) -> UUID:
    found = decode_id(global_id, "Member")
    if found is None:
        raise errors.MemberNotFound(path=path)
    return found


def _readable_tenant(context: TenantContext, tenant: relay.GlobalID | None) -> UUID | None:
    if tenant is None:
        return context.tenant_id
    tenant_id = decode_id(tenant, "Tenant")
    return tenant_id if tenant_id is not None and context.can_read(tenant_id) else None


@strawberry.type
class Query:
    @field(
        "The members of the caller's tenant, or of a tenant it supervises (a ministry; each such read is "
        "recorded), by name, with filters and a search. Requires `members:read`; `first` is at most 100.",
        permission=Permission.MEMBERS_READ,
    )
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: MemberFilter | None = None,  # noqa: A002
        tenant: relay.GlobalID | None = None,
    ) -> Connection[Member]:
        context = tenant_of(info)
        tenant_id = _readable_tenant(context, tenant)
        member_filter = filter.to_filter() if filter else member_search.MemberFilter()
        day = today()

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
        ) -> list[MemberRow]:
            if tenant_id is None:
                return []
            found = await member_search.list_members(
                tx, tenant_id, member_filter, day, ctx.country, after=after, limit=limit
            )
            await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.members_read")
            return found

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            if tenant_id is None:
                return 0
            return await member_search.count_members(tx, tenant_id, member_filter, day, ctx.country)

        found = await tenant_page(
            context,
            first,
            after,
            (str, UUID),
            rows=rows,
            count=count,
            node=Member.from_row,
            key=lambda row: (row.normalized_name, row.id),
        )
        await load_relations(info, [edge.node._row for edge in found.edges], "edges", "node")
        return found

    @field(
        "A member of the caller's tenant or of a tenant it supervises; null if there is none with this id. "
        "Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def member(self, info: Info, id: relay.GlobalID) -> Member | None:  # noqa: A002
        member_id = decode_id(id, "Member")
        if member_id is None:
            return None
        found = await Member.resolve_nodes(info=info, node_ids=[str(member_id)])
        return found[0]

    @field(
        "The member the caller is, signed in with their access online (role `member`): their coverage, "
        "household and card number; null for anyone else. Requires `self:service`.",
        permission=Permission.SELF_SERVICE,
    )
    async def my_member(self, info: Info) -> Member | None:
        context = tenant_of(info)
        if context.principal.id is None:
            return None
        async with tenant_tx(context) as tx:
            row = await access.member_of_user(tx, context, context.principal.id)
        if row is None:
            return None
        await load_relations(info, [row])
        return Member.from_row(row)

    @field(
        "The caller's tenant's member with this membership number; null if there is none. Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def member_by_number(self, info: Info, number: str) -> Member | None:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            row = await member_service.member_by_number(tx, context, number)
        if row is None:
            return None
        await load_relations(info, [row])
        return Member.from_row(row)

    @field(
        "How the tenant's membership numbers are written. Requires `tenant:manage`.",
        permission=Permission.TENANT_MANAGE,
    )
    async def membership_numbering(self, info: Info) -> MembershipNumbering:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            return MembershipNumbering.of(await numbering.read_numbering(tx, context))


@strawberry.type
class Mutation:
    @mutation(
        "Enrol a member in a scheme with their household, in one call; the membership number is the tenant's next. "
        "An identity document already a person's of the tenant is refused, naming that member's number. "
        "Requires `enrolment:write`.",
        errors=ENROL_ERRORS,
        permission=Permission.ENROLMENT_WRITE,
    )
    async def member_enrol(self, info: Info, input: MemberEnrolInput) -> MemberEnrolment:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            (outcome,) = await enrolment.enrol_many(tx, context, [input.to_enrolment()], today())
            if outcome.member is None:
                raise DomainError.all_of(outcome.errors)
        return MemberEnrolment(member=Member.from_row(outcome.member), already_there=outcome.already_there)

    @mutation(
        f"Enrol up to {batch.MAX_BATCH} members made offline, answered one by one in order: created, already "
        "there (the key was used: the member enrolled then) or refused with every error of that enrolment; one "
        "enrolment's errors never stop the others, and a batch sent again creates nothing twice. The batch is "
        "refused whole only when it is malformed (too many enrolments, one without its key, a key given to two "
        "different enrolments) or the tenant may not enrol. Requires `enrolment:write`.",
        errors=[
            errors.TenantNotApproved,
            errors.TooMany,
            errors.IdempotencyKeyRequired,
            errors.IdempotencyKeyReused,
            errors.DuplicateDocument,
        ],
        permission=Permission.ENROLMENT_WRITE,
    )
    async def member_enrol_batch(self, info: Info, input: MemberEnrolBatchInput) -> MemberEnrolBatch:  # noqa: A002
        context = tenant_of(info)
        enrolments = [given.to_enrolment() for given in input.enrolments]
        async with tenant_tx(context) as tx:
            items = await batch.enrol_batch(tx, context, enrolments, today())
        return MemberEnrolBatch(items=[MemberEnrolBatchItem.of(item) for item in items])

    @mutation(
        "Correct a member's identity, phone or address, or add identity documents. Requires `members:write`.",
        errors=[
            errors.MemberNotFound,
            errors.InvalidText,
            errors.InvalidBirth,
            errors.InvalidCountry,
            errors.InvalidRegion,
            UnknownDepartment,
            errors.InvalidPhone,
            errors.InvalidDocumentNumber,
            errors.DuplicateDocument,
            errors.RepeatedDocument,
            errors.TooMany,
        ],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_update(self, info: Info, input: MemberUpdateInput) -> Member:  # noqa: A002
        context = tenant_of(info)
        change = member_service.MemberChange(
            member_id=_member_id(input.id, ("input", "id")),
            person=input.person.to_person() if input.person else None,
            phone=input.phone,
            address=input.address.to_address() if input.address else None,
            documents=tuple(document.to_document() for document in input.documents) if input.documents else None,
        )
        async with tenant_tx(context) as tx:
            row = await member_service.update_member(tx, context, change, today())
        return Member.from_row(row)

    @mutation(
        "Move a member along the lifecycle: pending → active → suspended → terminated (with a reason), and back "
        "to active (reinstatement, never after death). Requires `members:write`.",
        errors=[
            errors.MemberNotFound,
            errors.IllegalTransition,
            errors.ReasonRequired,
            errors.ReasonNotAllowed,
            errors.DuplicateByReviewOnly,
            errors.InvalidDate,
            errors.InvalidText,
        ],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_status_change(self, info: Info, input: MemberStatusChangeInput) -> Member:  # noqa: A002
        context = tenant_of(info)
        change = lifecycle.StatusChange(
            member_id=_member_id(input.id, ("input", "id")),
            to_status=input.status,
            effective_on=input.effective_on or today(),
            reason=input.reason,
            note=input.note,
        )
        async with tenant_tx(context) as tx:
            row = await lifecycle.change_status(tx, context, change, today())
        return Member.from_row(row)

    @mutation(
        "Add a dependant to a member's household (a newborn, a new spouse). Requires `enrolment:write`.",
        errors=[
            errors.TenantNotApproved,
            errors.MemberNotFound,
            errors.MemberTerminated,
            errors.InvalidText,
            errors.InvalidBirth,
            errors.InvalidCountry,
            errors.InvalidDocumentNumber,
            errors.DuplicateDocument,
            errors.RepeatedDocument,
            errors.InvalidDate,
            errors.TooMany,
        ],
        permission=Permission.ENROLMENT_WRITE,
    )
    async def beneficiary_add(self, info: Info, input: BeneficiaryAddInput) -> Beneficiary:  # noqa: A002
        context = tenant_of(info)
        member_id = _member_id(input.member, ("input", "member"))
        async with tenant_tx(context) as tx:
            row = await member_service.add_beneficiary(
                tx, context, member_id, input.beneficiary.to_beneficiary(), today()
            )
        return Beneficiary.from_row(row)

    @mutation(
        "Take a dependant out of a household from a date; the beneficiary is kept, with the date. "
        "Requires `members:write`.",
        errors=[errors.BeneficiaryNotFound, errors.BeneficiaryRemoved, errors.InvalidDate, errors.InvalidText],
        permission=Permission.MEMBERS_WRITE,
    )
    async def beneficiary_remove(self, info: Info, input: BeneficiaryRemoveInput) -> Beneficiary:  # noqa: A002
        context = tenant_of(info)
        beneficiary_id = decode_id(input.id, "Beneficiary")
        if beneficiary_id is None:
            raise errors.BeneficiaryNotFound(path=("input", "id"))
        async with tenant_tx(context) as tx:
            row = await member_service.remove_beneficiary(
                tx, context, beneficiary_id, input.removed_on or today(), input.reason, today()
            )
        return Beneficiary.from_row(row)

    @mutation(
        "Open a member's access online: with an SMS code sent to the member's phone, they sign in to see their "
        "coverage, household and card number (role `member`). The account is found by the phone or created "
        "without a password. Opening it again changes nothing. Requires `members:write`.",
        errors=[
            errors.MemberNotFound,
            errors.AccessOfTerminated,
            errors.PhoneRequired,
            errors.AccountDisabled,
            errors.PhoneOfStaff,
            errors.PhoneOfAnotherMember,
        ],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_access_open(self, info: Info, input: MemberAccessInput) -> Member:  # noqa: A002
        context = tenant_of(info)
        member_id = _member_id(input.member, ("input", "member"))
        async with tenant_tx(context, with_platform=True) as tx:
            row = await access.open_access(tx, context, member_id)
        return Member.from_row(row)

    @mutation(
        "Close a member's access online: their sessions stop working at once. Requires `members:write`.",
        errors=[errors.MemberNotFound],
        permission=Permission.MEMBERS_WRITE,
    )
    async def member_access_close(self, info: Info, input: MemberAccessInput) -> Member:  # noqa: A002
        context = tenant_of(info)
        member_id = _member_id(input.member, ("input", "member"))
        async with tenant_tx(context) as tx:
            row = await access.close_access(tx, context, member_id)
        return Member.from_row(row)

    @mutation(
        "Set how the tenant's membership numbers are written, before the first is issued. Requires `tenant:manage`.",
        errors=[errors.InvalidNumbering, errors.NumberingInUse],
        permission=Permission.TENANT_MANAGE,
    )
    async def membership_numbering_set(
        self,
        info: Info,
        input: MembershipNumberingInput,  # noqa: A002
    ) -> MembershipNumbering:
        context = tenant_of(info)
        wanted = numbering.NumberFormat(prefix=input.prefix, width=input.width, check_digit=input.check_digit)
        async with tenant_tx(context) as tx:
            return MembershipNumbering.of(await numbering.set_format(tx, context, wanted))
