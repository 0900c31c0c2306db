"""GraphQL views of members and households: a member, their beneficiaries,
documents, employments and history, and how a list loads their relations
in bulk. The domain's enums are registered here, once."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from datetime import UTC, date, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.documents.api import Document
from schemes.documents.loaders import documents_of_members
from schemes.employers.api import Employer
from schemes.employers.loaders import employers_by_id
from schemes.members import batch, loaders
from schemes.members import service as member_service
from schemes.members.tables import Beneficiary as BeneficiaryRow
from schemes.members.tables import (
    CheckDigit,
    ContractKind,
    DocumentKind,
    MemberStatus,
    SuspensionReason,
    TerminationReason,
)
from schemes.members.tables import Employment as EmploymentRow
from schemes.members.tables import IdentityDocument as DocumentRow
from schemes.members.tables import Member as MemberRow
from schemes.members.tables import MemberStatusChange as StatusChangeRow
from schemes.reference.loaders import divisions_by_code
from schemes.rules.api import Scheme
from schemes.rules.eligibility import IneligibilityReason
from schemes.rules.model import MemberCategory, Relationship, Sex, SubsidyGroup
from tenants.context import Viewer
from tenants.graphql import Info, asked, field, loaded, nodes_by_id, selects, settled
from tenants.permissions import Permission
from tenants.tables import columns

strawberry.enum(MemberStatus, description="Where a member stands in the lifecycle.")
strawberry.enum(TerminationReason, description="Why a membership ended.")
strawberry.enum(SuspensionReason, description="Why Socle itself suspended a member.")
strawberry.enum(DocumentKind, description="An identity document a person can show.")
strawberry.enum(CheckDigit, description="How a membership number's check digits are computed.")
strawberry.enum(ContractKind, description="How a member works for an employer.")
strawberry.enum(Sex, description="Sex as recorded on civil documents.")
strawberry.enum(Relationship, description="A beneficiary's relationship to the principal member.")
strawberry.enum(IneligibilityReason, description="Why a dependant is not covered.")
strawberry.enum(
    batch.BatchItemStatus, name="MemberEnrolBatchItemStatus", description="What became of one enrolment of a batch."
)


def today() -> date:
    """The day the fields take as today: UTC's."""
    return datetime.now(UTC).date()


@strawberry.type(description="An identity document of a member or of a beneficiary.")
class IdentityDocument:
    kind: DocumentKind
    number: str = strawberry.field(description="As written on the document.")
    issuing_country: str = strawberry.field(description="ISO 3166-1 alpha-2 code of the issuing country.")
    expires_on: date | None

    @classmethod
    def from_row(cls, row: DocumentRow) -> IdentityDocument:
        """The GraphQL view of a document row."""
        return cls(
            kind=DocumentKind(row.kind),
            number=row.number,
            issuing_country=row.issuing_country,
            expires_on=row.expires_on,
        )


@strawberry.type(description="Whether a dependant is covered on a date, under the scheme's dependants' rule.")
class Eligibility:
    eligible: bool
    reason: IneligibilityReason | None = strawberry.field(description="Why not, when not eligible.")
    ends_on: date | None = strawberry.field(
        description="The first day without cover when known (a child's birthday of the age limit)."
    )


@strawberry.type(description="Where a member lives.")
class Address:
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    region: str | None = strawberry.field(description="ISO 3166-2 code of the region (SN-DK).")
    department: str | None = strawberry.field(
        description="Code of the department in the administrative divisions (SN-DK-03)."
    )
    locality: str | None = strawberry.field(description="Commune, village or neighbourhood.")

    @field("The department's official name (Pikine).")
    async def department_name(self, info: Info) -> str | None:
        if self.department is None:
            return None
        found = await info.context.loaders.get(divisions_by_code).load(self.department)
        return found.name if found else None


@strawberry.type(description="An artisan's registration.")
class ArtisanDetails:
    trade: str
    trades_register_number: str = strawberry.field(
        description="Number in the trades register (répertoire des métiers)."
    )
    chamber_of_trades: str = strawberry.field(description="Chamber of trades (chambre des métiers).")


@strawberry.type(description="A migrant worker's situation.")
class MigrantDetails:
    origin_country: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    residence_country: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    status: str = strawberry.field(description="Residence status in the host country, as written.")
    consular_registration: str | None = strawberry.field(description="Registration number with the consulate.")


@strawberry.type(description="A member's work for an employer of the tenant.")
class Employment:
    staff_number: str | None = strawberry.field(description="The employer's number for the employee (matricule).")
    salary: int | None = strawberry.field(
        description="Monthly gross salary in the currency's minor unit (XOF and XAF have none); see `currency`."
    )
    currency: str | None = strawberry.field(description="ISO 4217 code of the salary.")
    contract_kind: ContractKind
    sector: str
    started_on: date | None
    ended_on: date | None
    _employer_id: strawberry.Private[UUID]

    @field("The employer.", graphql_type=Employer | None)
    def employer(self, info: Info) -> Employer | Awaitable[Employer | None] | None:
        return settled(
            info.context.loaders.get(employers_by_id).load(self._employer_id),
            lambda row: Employer.from_row(row) if row else None,
        )

    @classmethod
    def from_row(cls, row: EmploymentRow) -> Employment:
        """The GraphQL view of an employment row."""
        c = columns(row)
        return cls(
            staff_number=c["staff_number"],
            salary=c["salary"],
            currency=c["currency"],
            contract_kind=ContractKind(c["contract_kind"]),
            sector=c["sector"],
            started_on=c["started_on"],
            ended_on=c["ended_on"],
            _employer_id=c["employer_id"],
        )


_SUSPENSION_REASONS = frozenset(reason.value for reason in SuspensionReason)


def _termination_reason(reason: str | None) -> TerminationReason | None:
    return None if reason is None or reason in _SUSPENSION_REASONS else TerminationReason(reason)


@strawberry.type(description="One step of a member's lifecycle.")
class MemberStatusChange:
    from_status: MemberStatus | None = strawberry.field(description="None for the enrolment itself.")
    to_status: MemberStatus
    effective_on: date
    reason: TerminationReason | None = strawberry.field(description="Why the membership ended, for a termination.")
    suspension_reason: SuspensionReason | None = strawberry.field(
        description="Why Socle suspended the member (dues unpaid), for a suspension it made; none for a manager's."
    )
    note: str | None
    changed_by: str = strawberry.field(description="Who made the change: a user's or an application's name.")
    changed_at: datetime

    merged_into_id: strawberry.Private[UUID | None]

    @field("For a duplicate: the member kept, who took over the household.")
    async def merged_into(self, info: Info) -> Member | None:
        if self.merged_into_id is None:
            return None
        row = await info.context.loaders.get(loaders.members_by_id).load(self.merged_into_id)
        return Member.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: StatusChangeRow) -> MemberStatusChange:
        """The GraphQL view of a status history row."""
        return cls(
            from_status=MemberStatus(row.from_status) if row.from_status else None,
            to_status=MemberStatus(row.to_status),
            effective_on=row.effective_on,
            reason=_termination_reason(row.reason),
            suspension_reason=SuspensionReason(row.reason) if row.reason in _SUSPENSION_REASONS else None,
            note=row.note,
            changed_by=row.changed_by_name,
            changed_at=row.created_at,
            merged_into_id=row.merged_into_id,
        )


_DETAILED = frozenset({MemberCategory.ARTISAN, MemberCategory.MIGRANT})
"""The categories whose members carry details of their own (``category_data``)."""


def _birth_year(birth_date: date, approximate: bool) -> int | None:
    return birth_date.year if approximate else None


@strawberry.type(description="A member's dependant (ayant droit): spouse, child or other relative.")
class Beneficiary(relay.Node):
    id: relay.NodeID[UUID]
    relationship: Relationship
    first_names: str
    last_name: str
    sex: Sex
    birth_date: date = strawberry.field(description="1 January of the birth year when only the year is known.")
    birth_date_approximate: bool = strawberry.field(description="Only the birth year is known.")
    nationality: str | None
    studying: bool
    added_on: date
    removed_on: date | None = strawberry.field(description="The first day out of the household, once removed.")
    removal_reason: str | None
    _member_id: strawberry.Private[UUID]
    _household: strawberry.Private[tuple[MemberRow, list[BeneficiaryRow]] | None]
    """The member and their household, when the beneficiary was reached through them."""

    @classmethod
    def from_row(
        cls, row: BeneficiaryRow, household: tuple[MemberRow, list[BeneficiaryRow]] | None = None
    ) -> Beneficiary:
        """The GraphQL view of a beneficiary row."""
        c = columns(row)
        return cls(
            _household=household,
            id=c["id"],
            relationship=Relationship(c["relationship"]),
            first_names=c["first_names"],
            last_name=c["last_name"],
            sex=Sex(c["sex"]),
            birth_date=c["birth_date"],
            birth_date_approximate=c["birth_date_approximate"],
            nationality=c["nationality"],
            studying=c["studying"],
            added_on=c["added_on"],
            removed_on=c["removed_on"],
            removal_reason=c["removal_reason"],
            _member_id=c["member_id"],
        )

    @field("The beneficiary's own identity documents.")
    async def documents(self, info: Info) -> list[IdentityDocument]:
        rows = await info.context.loaders.get(loaders.documents_by_member).load(self._member_id)
        return [IdentityDocument.from_row(row) for row in rows if row.beneficiary_id == self.id]

    @field(
        "Whether the beneficiary is covered on `on` (default today) under the dependants' rule of the scheme "
        "version in force that day; null when the scheme has no version in force then or the beneficiary is "
        "not in the household that day."
    )
    async def eligibility(self, info: Info, on: date | None = None) -> Eligibility | None:
        day = on or today()
        if self._household is None:
            member = await info.context.loaders.get(loaders.members_by_id).load(self._member_id)
            if member is None:
                return None
            household = await info.context.loaders.get(loaders.beneficiaries_by_member).load(member.id)
        else:
            member, household = self._household
        mine = next((b for b in household if b.id == self.id), None)
        version = await info.context.loaders.get(loaders.versions_in_force).load((member.scheme_id, day))
        if mine is None or version is None or not member_service.in_household(mine, day):
            return None
        found = member_service.eligibility(member, household, mine, version, day)
        return Eligibility(eligible=found.eligible, reason=found.reason, ends_on=found.ends_on)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Beneficiary | None]:
        return await nodes_by_id(
            info, node_ids, Permission.MEMBERS_READ, member_service.beneficiaries_by_id, cls.from_row
        )


@strawberry.type(description="A person enrolled in a scheme of the tenant (adhérent), with their household.")
class Member(relay.Node):
    id: relay.NodeID[UUID]
    number: str = strawberry.field(description="Membership number, unique in the tenant.")
    status: MemberStatus
    status_since: date
    category: MemberCategory
    enrolled_on: date
    subsidy_group: SubsidyGroup | None
    first_names: str
    last_name: str
    sex: Sex
    birth_date: date = strawberry.field(description="1 January of the birth year when only the year is known.")
    birth_date_approximate: bool = strawberry.field(description="Only the birth year is known.")
    birth_year: int | None = strawberry.field(description="The birth year, when only the year is known.")
    nationality: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    phone: str | None = strawberry.field(description="E.164.")
    address: Address
    artisan: ArtisanDetails | None = strawberry.field(description="An artisan's registration.")
    migrant: MigrantDetails | None = strawberry.field(description="A migrant's situation.")
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[MemberRow]
    _scheme_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: MemberRow) -> Member:
        """The GraphQL view of a member row."""
        c = columns(row)
        category = MemberCategory(c["category"])
        data = member_service.category_data(row) if category in _DETAILED else {}
        return cls(
            id=c["id"],
            number=c["number"],
            status=MemberStatus(c["status"]),
            status_since=c["status_on"],
            category=category,
            enrolled_on=c["enrolled_on"],
            subsidy_group=SubsidyGroup(c["subsidy_group"]) if c["subsidy_group"] else None,
            first_names=c["first_names"],
            last_name=c["last_name"],
            sex=Sex(c["sex"]),
            birth_date=c["birth_date"],
            birth_date_approximate=c["birth_date_approximate"],
            birth_year=_birth_year(c["birth_date"], c["birth_date_approximate"]),
            nationality=c["nationality"],
            phone=c["phone"],
            address=Address(
                country=c["address_country"],
                region=c["address_region"],
                department=c["address_department"],
                locality=c["address_locality"],
            ),
            artisan=ArtisanDetails(
                trade=data["trade"],
                trades_register_number=data["tradesRegisterNumber"],
                chamber_of_trades=data["chamberOfTrades"],
            )
            if category is MemberCategory.ARTISAN
            else None,
            migrant=MigrantDetails(
                origin_country=data["originCountry"],
                residence_country=data["residenceCountry"],
                status=data["status"],
                consular_registration=data.get("consularRegistration"),
            )
            if category is MemberCategory.MIGRANT
            else None,
            created_at=c["created_at"],
            updated_at=c["updated_at"],
            _row=row,
            _scheme_id=c["scheme_id"],
        )

    @field("The scheme the member is enrolled in.", graphql_type=Scheme | None)
    def scheme(self, info: Info) -> Scheme | Awaitable[Scheme | None] | None:
        return loaded(info.context.loaders.get(scheme_views).load(self._scheme_id))

    @field("The member's own identity documents.")
    async def documents(self, info: Info) -> list[IdentityDocument]:
        rows = await info.context.loaders.get(loaders.documents_by_member).load(self.id)
        return [IdentityDocument.from_row(row) for row in rows if row.beneficiary_id is None]

    @field(
        "The photos and scans of the member's papers kept in storage (ID scans, proof of trade, certificates), "
        "oldest first; each one's `url` reads its file. Empty without `members:read`."
    )
    async def files(self, info: Info) -> list[Document]:
        rows = await info.context.loaders.get(documents_of_members).load(self.id)
        return [Document.from_row(row) for row in rows]

    @field(
        "Every beneficiary the member has had, in the order they joined; removed ones have `removedOn`.",
        graphql_type=list[Beneficiary],
    )
    def beneficiaries(self, info: Info) -> list[Beneficiary] | Awaitable[list[Beneficiary]]:
        return settled(
            info.context.loaders.get(loaders.beneficiaries_by_member).load(self.id),
            lambda rows: [Beneficiary.from_row(row, (self._row, rows)) for row in rows],
        )

    @field(
        "The household on `on` (default today): the beneficiaries in it that day; ask each one's "
        "`eligibility(on:)` with the same date.",
        graphql_type=list[Beneficiary],
    )
    def household(self, info: Info, on: date | None = None) -> list[Beneficiary] | Awaitable[list[Beneficiary]]:
        day = on or today()
        return settled(
            info.context.loaders.get(loaders.beneficiaries_by_member).load(self.id),
            lambda rows: [
                Beneficiary.from_row(row, (self._row, rows)) for row in rows if member_service.in_household(row, day)
            ],
        )

    @field(
        "The member's work for employers of the tenant (salaried employees, precarious workers).",
        graphql_type=list[Employment],
    )
    def employments(self, info: Info) -> list[Employment] | Awaitable[list[Employment]]:
        return settled(
            info.context.loaders.get(loaders.employments_by_member).load(self.id),
            lambda rows: [Employment.from_row(row) for row in rows],
        )

    @field(
        "Whether the member can sign in with an SMS code to their phone to see their own coverage "
        "(`memberAccessOpen`).",
        graphql_type=bool,
    )
    def online_access(self, info: Info) -> bool | Awaitable[bool]:
        return info.context.loaders.get(loaders.online_access).load(self.id)

    @field("Every status the member has had, oldest first, from the enrolment on.")
    async def status_history(self, info: Info) -> list[MemberStatusChange]:
        rows = await info.context.loaders.get(loaders.status_history_by_member).load(self.id)
        return [MemberStatusChange.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        return await nodes_by_id(info, node_ids, Permission.MEMBERS_READ, member_service.read_members, cls.from_row)


async def scheme_views(viewer: Viewer, scheme_ids: Sequence[UUID]) -> list[Scheme | None]:
    """The views of members' schemes, made once per scheme, not once per member."""
    rows = await loaders.schemes_by_id(viewer, scheme_ids)
    currency = viewer.tenant.currency if viewer.tenant else None
    return [Scheme.from_row(row, currency) if row and currency else None for row in rows]


async def load_relations(info: Info, rows: Sequence[MemberRow], *at: str) -> None:
    """Load the relations of the members ``rows`` that the query asks for at
    ``at`` (GraphQL names, from the current field down to the member), one
    batch per relation, so that their fields resolve at once (see
    :func:`tenants.graphql.settled`) instead of row by row."""
    if not rows:
        return
    selected = asked(info)
    get = info.context.loaders.get
    member_ids = [row.id for row in rows]
    if selects(selected, *at, "scheme"):
        await get(scheme_views).load_many({columns(row)["scheme_id"] for row in rows})
    if selects(selected, *at, "beneficiaries") or selects(selected, *at, "household"):
        await get(loaders.beneficiaries_by_member).load_many(member_ids)
    if selects(selected, *at, "employments"):
        employments = await get(loaders.employments_by_member).load_many(member_ids)
        if selects(selected, *at, "employments", "employer"):
            await get(employers_by_id).load_many({e.employer_id for found in employments for e in found})
