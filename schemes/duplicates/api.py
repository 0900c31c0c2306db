"""GraphQL types, queries and mutations of probable duplicates and of the
ministry's double affiliations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.duplicates import affiliations, errors
from schemes.duplicates import service as duplicate_service
from schemes.duplicates.affiliations import AffiliationMatch
from schemes.duplicates.loaders import pairs_by_id
from schemes.duplicates.service import Decision
from schemes.duplicates.tables import DuplicatePair as PairRow
from schemes.duplicates.tables import PairStatus
from schemes.members import loaders as member_loaders
from schemes.members.tables import MemberStatus
from schemes.members.types import Member
from tenants.context import TenantContext
from tenants.graphql import Info, decode_id, field, node_uuids, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tx import Transaction, tenant_tx


class DuplicateMatch(StrEnum):
    """What two members of a probable duplicate share besides an alike name."""

    NAME_BIRTH_DATE = "name_birth_date"
    """The same exact date of birth."""
    NAME_PHONE = "name_phone"
    """The same phone number."""


strawberry.enum(DuplicateMatch, description="What two members of a probable duplicate share besides an alike name.")
strawberry.enum(PairStatus, name="DuplicatePairStatus", description="Where a probable duplicate stands in its review.")
strawberry.enum(Decision, name="DuplicateDecision", description="What a manager decides of a probable duplicate.")
strawberry.enum(AffiliationMatch, description="Why two memberships of different tenants are taken for one person.")


async def _member(info: Info, member_id: UUID | None) -> Member | None:
    if member_id is None:
        return None
    row = await info.context.loaders.get(member_loaders.members_by_id).load(member_id)
    return Member.from_row(row) if row else None


@strawberry.type(
    description="Two members of the tenant who may be one person (doublon probable): alike names, accents, case and "
    "word order ignored, and the same date of birth or phone."
)
class DuplicatePair(relay.Node):
    id: relay.NodeID[UUID]
    matched_on: list[DuplicateMatch] = strawberry.field(description="What the members share besides the name.")
    similarity: float = strawberry.field(description="Trigram similarity of the normalized names, 0.6 to 1.")
    status: PairStatus
    reason: str | None = strawberry.field(description="The manager's reason, given with the decision.")
    flagged_at: datetime
    decided_at: datetime | None
    decided_by: str | None = strawberry.field(description="Who decided: a user's or an application's name.")
    _row: strawberry.Private[PairRow]

    @classmethod
    def from_row(cls, row: PairRow) -> DuplicatePair:
        """The GraphQL view of a pair row."""
        matched = [DuplicateMatch.NAME_BIRTH_DATE] if row.same_birth_date else []
        matched += [DuplicateMatch.NAME_PHONE] if row.same_phone else []
        return cls(
            id=row.id,
            matched_on=matched,
            similarity=round(row.similarity, 4),
            status=PairStatus(row.status),
            reason=row.reason,
            flagged_at=row.created_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by_name or None,
            _row=row,
        )

    @field("One member of the pair: the one with the smaller id, usually enrolled first.")
    async def first(self, info: Info) -> Member | None:
        return await _member(info, self._row.first_member_id)

    @field("The other member.")
    async def second(self, info: Info) -> Member | None:
        return await _member(info, self._row.second_member_id)

    @field("For a duplicate: the member kept, into whom the other was merged.")
    async def kept(self, info: Info) -> Member | None:
        return await _member(info, self._row.kept_member_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[DuplicatePair | None]:
        ids = node_uuids(node_ids)
        found = await info.context.loaders.get(pairs_by_id).load_many([i for i in ids if i is not None])
        by_id = {row.id: row for row in found if row is not None}
        return [cls.from_row(by_id[i]) if i in by_id else None for i in ids]


@strawberry.type(description="One of a person's memberships, in a tenant the ministry supervises.")
class Affiliation:
    tenant: relay.GlobalID = strawberry.field(description="The tenant (a `Tenant` id).")
    tenant_name: str
    member: relay.GlobalID = strawberry.field(description="The member (a `Member` id; read with `member(id:)`).")
    number: str = strawberry.field(description="Membership number in that tenant.")
    status: MemberStatus = strawberry.field(description="Pending, active or suspended (terminated ones are left out).")


@strawberry.type(description="A person enrolled in several tenants of the ministry's country (double affiliation).")
class DoubleAffiliation:
    first_names: str
    last_name: str
    birth_date: date
    matched_on: list[AffiliationMatch] = strawberry.field(description="What the memberships share.")
    memberships: list[Affiliation] = strawberry.field(description="Every membership, by tenant name and number.")

    @classmethod
    def of(cls, found: affiliations.DoubleAffiliation) -> DoubleAffiliation:
        """The GraphQL view of a double affiliation."""
        return cls(
            first_names=found.first_names,
            last_name=found.last_name,
            birth_date=found.birth_date,
            matched_on=list(found.matched_on),
            memberships=[
                Affiliation(
                    tenant=relay.GlobalID("Tenant", str(membership.tenant_id)),
                    tenant_name=membership.tenant_name,
                    member=relay.GlobalID("Member", str(membership.member_id)),
                    number=membership.number,
                    status=MemberStatus(membership.status),
                )
                for membership in found.memberships
            ],
        )


@strawberry.input(description="A manager's decision on a probable duplicate.")
class DuplicateResolveInput:
    id: relay.GlobalID = strawberry.field(description="The pair (a `DuplicatePair` id).")
    decision: Decision
    keep: relay.GlobalID | None = strawberry.field(
        default=None,
        description="For `DUPLICATE`: the member kept (one of the pair). The other member's beneficiaries, identity "
        "documents, employments and files move to them, and the other is terminated as a duplicate.",
    )
    reason: str | None = strawberry.field(
        default=None, description="Why; required for `NOT_DUPLICATE`. At most 500 characters."
    )


@strawberry.type
class Query:
    @field(
        "The tenant's probable duplicates waiting for a decision, oldest first. Requires `members:read`; "
        "`first` is at most 100.",
        permission=Permission.MEMBERS_READ,
    )
    async def duplicates(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[DuplicatePair]:
        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (datetime, UUID),
            rows=duplicate_service.pending_pairs,
            count=duplicate_service.count_pending,
            node=DuplicatePair.from_row,
            key=lambda row: (row.created_at, row.id),
        )

    @field(
        "People enrolled in several tenants the caller supervises (a ministry: the mutuals and IPMs of its "
        "country), matched on identity documents or on alike names with the same date of birth, by name. "
        "Each tenant shown is recorded as an oversight read in the caller's own log. Requires `oversight:read`; "
        "`first` is at most 100.",
        permission=Permission.OVERSIGHT_READ,
    )
    async def double_affiliations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[DoubleAffiliation]:
        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
        ) -> list[affiliations.DoubleAffiliation]:
            return await affiliations.double_affiliations(tx, ctx, after=after, limit=limit)

        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (str, UUID),
            rows=rows,
            count=affiliations.count_double_affiliations,
            node=DoubleAffiliation.of,
            key=lambda found: (found.normalized_name, found.member_id),
        )


@strawberry.type
class Mutation:
    @mutation(
        "Decide a probable duplicate, once: `NOT_DUPLICATE` closes it with its reason; `DUPLICATE` merges the other "
        "member into the one kept, who keeps their number and history, and terminates the other as a duplicate "
        "(nothing is deleted). The merged member's other pending pairs move to the member kept. Requires "
        "`members:write`.",
        errors=[
            errors.PairNotFound,
            errors.PairAlreadyDecided,
            errors.KeepRequired,
            errors.KeepNotAllowed,
            errors.KeepNotInPair,
            errors.ReasonRequired,
            errors.ReasonTooLong,
            errors.MemberTerminated,
        ],
        permission=Permission.MEMBERS_WRITE,
    )
    async def duplicate_resolve(self, info: Info, input: DuplicateResolveInput) -> DuplicatePair:  # noqa: A002
        context = tenant_of(info)
        resolution = duplicate_service.Resolution(
            pair_id=decode_id(input.id, "DuplicatePair"),
            decision=input.decision,
            keep=decode_id(input.keep, "Member") if input.keep is not None else None,
            keep_given=input.keep is not None,
            reason=input.reason,
        )
        async with tenant_tx(context) as tx:
            row = await duplicate_service.resolve(tx, context, resolution, datetime.now(UTC).date())
        return DuplicatePair.from_row(row)
