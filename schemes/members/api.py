"""GraphQL types, queries and mutations of members and households."""

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
from schemes.members import batch, enrolment, errors, lifecycle, loaders, numbering
from schemes.members import identity as ids
from schemes.members import search as member_search
from schemes.members import service as member_service
from schemes.members.tables import Beneficiary as BeneficiaryRow
from schemes.members.tables import (
    CheckDigit,
    ContractKind,
    DocumentKind,
    MemberStatus,
    TerminationReason,
)
from schemes.members.tables import Employment as EmploymentRow
from schemes.members.tables import IdentityDocument as DocumentRow
from schemes.members.tables import Member as MemberRow
from schemes.members.tables import MemberStatusChange as StatusChangeRow
from schemes.reference.errors import UnknownDepartment
from schemes.reference.loaders import divisions_by_code
from schemes.rules.api import Scheme
from schemes.rules.eligibility import IneligibilityReason
from schemes.rules.model import MemberCategory, Relationship, Sex, SubsidyGroup
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.graphql import Info, asked, decode_id, field, nodes_by_id, selects, settled, tenant_of
from tenants.mutations import error_type, mutation, typed_error
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tables import columns
from tenants.tx import Transaction, tenant_tx

strawberry.enum(MemberStatus, description="Where a member stands in the lifecycle.")
strawberry.enum(TerminationReason, description="Why a membership ended.")
strawberry.enum(DocumentKind, description="An identity document a person can show.")
strawberry.enum(CheckDigit, description="How a membership number's check digits are computed.")
strawberry.enum(ContractKind, description="How a member works for an employer.")
strawberry.enum(Sex, description="Sex as recorded on civil documents.")
strawberry.enum(Relationship, description="A beneficiary's relationship to the principal member.")
strawberry.enum(IneligibilityReason, description="Why a dependant is not covered.")
strawberry.enum(
    batch.BatchItemStatus, name="MemberEnrolBatchItemStatus", description="What became of one enrolment of a batch."
)


DEFAULT_COUNTRY = "ISO 3166-1 alpha-2 (default: the tenant's country)."


def _today() -> date:
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


@strawberry.type(description="One step of a member's lifecycle.")
class MemberStatusChange:
    from_status: MemberStatus | None = strawberry.field(description="None for the enrolment itself.")
    to_status: MemberStatus
    effective_on: date
    reason: TerminationReason | None
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
            reason=TerminationReason(row.reason) if row.reason else None,
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
        day = on or _today()
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
        )

    @field("The scheme the member is enrolled in.", graphql_type=Scheme | None)
    def scheme(self, info: Info) -> Scheme | Awaitable[Scheme | None] | None:
        currency = tenant_of(info).currency
        return settled(
            info.context.loaders.get(loaders.schemes_by_id).load(self._row.scheme_id),
            lambda row: Scheme.from_row(row, currency) if row else None,
        )

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
        day = on or _today()
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

    @field("Every status the member has had, oldest first, from the enrolment on.")
    async def status_history(self, info: Info) -> list[MemberStatusChange]:
        rows = await info.context.loaders.get(loaders.status_history_by_member).load(self.id)
        return [MemberStatusChange.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        return await nodes_by_id(info, node_ids, Permission.MEMBERS_READ, member_service.read_members, cls.from_row)


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
        await get(loaders.schemes_by_id).load_many({row.scheme_id for row in rows})
    if selects(selected, *at, "beneficiaries") or selects(selected, *at, "household"):
        await get(loaders.beneficiaries_by_member).load_many(member_ids)
    if selects(selected, *at, "employments"):
        employments = await get(loaders.employments_by_member).load_many(member_ids)
        if selects(selected, *at, "employments", "employer"):
            await get(employers_by_id).load_many({e.employer_id for found in employments for e in found})


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


@strawberry.input(description="Narrows the members listed; every field is optional.")
class MemberFilter:
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    scheme: relay.GlobalID | None = None
    region: str | None = strawberry.field(default=None, description="ISO 3166-2 code of the region (SN-DK).")
    sex: Sex | None = None
    age_from: int | None = strawberry.field(default=None, description="Youngest age in full years on `ageOn`.")
    age_to: int | None = strawberry.field(default=None, description="Oldest age in full years on `ageOn`.")
    age_on: date | None = strawberry.field(default=None, description="The day ages are counted on (default today).")
    enrolled_from: date | None = None
    enrolled_to: date | None = strawberry.field(default=None, description="Last enrolment date included.")
    search: str | None = strawberry.field(
        default=None,
        description="A name fragment (every word, in any order; accents and case ignored), a membership number, "
        "a phone number or an identity document's number.",
    )

    def to_filter(self) -> member_search.MemberFilter:
        """The service's filter."""
        values = {name: getattr(self, name) for name in vars(self) if name != "scheme"}
        scheme_id = decode_id(self.scheme, "Scheme") if self.scheme else None
        # An id that is no scheme's matches nothing, as a scheme with no member would.
        return member_search.MemberFilter(**values, scheme_id=scheme_id or (UUID(int=0) if self.scheme else None))


@strawberry.input(
    description="Names, sex and birth of a person: give `birthDate`, or `birthYear` when only it is known."
)
class PersonInput:
    first_names: str
    last_name: str
    sex: Sex
    birth_date: date | None = None
    birth_year: int | None = None
    nationality: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )

    def to_person(self) -> ids.Person:
        return ids.Person(**vars(self))


@strawberry.input(description="An identity document.")
class IdentityDocumentInput:
    kind: DocumentKind
    number: str
    issuing_country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )
    expires_on: date | None = None

    def to_document(self) -> ids.Document:
        return ids.Document(
            kind=self.kind, number=self.number, issuing_country=self.issuing_country or "", expires_on=self.expires_on
        )


@strawberry.input(description="Where a member lives.")
class AddressInput:
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )
    region: str | None = strawberry.field(default=None, description="ISO 3166-2 code of the region (SN-DK).")
    department: str | None = strawberry.field(
        default=None,
        description="A department of the region, by its code (SN-DK-03) or its name (Pikine; accents and case "
        "aside); stored as its code. See `administrativeDivisions`.",
    )
    locality: str | None = None

    def to_address(self) -> enrolment.Address:
        return enrolment.Address(**vars(self))


@strawberry.input(description="An artisan's registration: all three are required for an artisan.")
class ArtisanInput:
    trade: str | None = None
    trades_register_number: str | None = None
    chamber_of_trades: str | None = None


@strawberry.input(description="A migrant's situation: countries and status are required for a migrant.")
class MigrantInput:
    origin_country: str | None = None
    residence_country: str | None = None
    status: str | None = None
    consular_registration: str | None = None


@strawberry.input(
    description="Work for an employer: a salaried employee has one, permanent, with staff number and salary; "
    "a precarious worker up to 10, day, seasonal or temporary, each with its sector."
)
class EmploymentInput:
    employer: relay.GlobalID
    contract_kind: ContractKind
    staff_number: str | None = None
    salary: int | None = strawberry.field(
        default=None, description="Monthly gross salary in the currency's minor unit."
    )
    sector: str | None = None
    started_on: date | None = None

    def to_job(self) -> enrolment.Job:
        return enrolment.Job(
            employer_id=decode_id(self.employer, "Employer") or UUID(int=0),
            contract_kind=self.contract_kind,
            staff_number=self.staff_number,
            salary=self.salary,
            sector=self.sector,
            started_on=self.started_on,
        )


@strawberry.input(description="A dependant of the member.")
class BeneficiaryInput:
    relationship: Relationship
    person: PersonInput
    studying: bool = False
    documents: list[IdentityDocumentInput] = strawberry.field(default_factory=list, description="At most 5.")
    added_on: date | None = strawberry.field(default=None, description="Default: today.")

    def to_beneficiary(self) -> enrolment.NewBeneficiary:
        return enrolment.NewBeneficiary(
            relationship=self.relationship,
            person=self.person.to_person(),
            studying=self.studying,
            documents=tuple(document.to_document() for document in self.documents),
            added_on=self.added_on,
        )


@strawberry.input(description="Enrol a member with their household in one call.")
class MemberEnrolInput:
    scheme: relay.GlobalID
    category: MemberCategory = strawberry.field(description="The scheme must admit it.")
    person: PersonInput
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The client's key for this enrolment (at most 100 characters): sent again, the answer is the "
        "member already enrolled with it.",
    )
    phone: str | None = strawberry.field(default=None, description="E.164, or national with the tenant's country.")
    address: AddressInput | None = None
    documents: list[IdentityDocumentInput] = strawberry.field(default_factory=list, description="At most 5.")
    beneficiaries: list[BeneficiaryInput] = strawberry.field(default_factory=list, description="At most 30.")
    artisan: ArtisanInput | None = None
    migrant: MigrantInput | None = None
    employments: list[EmploymentInput] = strawberry.field(default_factory=list)
    enrolled_on: date | None = strawberry.field(default=None, description="Default: today.")
    subsidy_group: SubsidyGroup | None = None

    def to_enrolment(self) -> enrolment.Enrolment:
        return enrolment.Enrolment(
            scheme_id=decode_id(self.scheme, "Scheme"),
            category=self.category,
            person=self.person.to_person(),
            phone=self.phone,
            address=self.address.to_address() if self.address else enrolment.Address(),
            documents=tuple(document.to_document() for document in self.documents),
            beneficiaries=tuple(beneficiary.to_beneficiary() for beneficiary in self.beneficiaries),
            artisan=enrolment.ArtisanDetails(**vars(self.artisan)) if self.artisan else None,
            migrant=enrolment.MigrantDetails(**vars(self.migrant)) if self.migrant else None,
            jobs=tuple(employment.to_job() for employment in self.employments),
            enrolled_on=self.enrolled_on,
            subsidy_group=self.subsidy_group,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="Enrolments made offline, synced at once.")
class MemberEnrolBatchInput:
    enrolments: list[MemberEnrolInput] = strawberry.field(
        description=f"At most {batch.MAX_BATCH}, each with its own `idempotencyKey` (required here), made by the "
        "client once per enrolment and kept with it until the batch is answered."
    )


@strawberry.input(
    description="Correct a member's identity, phone or address, or add documents; what is left out stays."
)
class MemberUpdateInput:
    id: relay.GlobalID
    person: PersonInput | None = None
    phone: str | None = None
    address: AddressInput | None = None
    documents: list[IdentityDocumentInput] | None = strawberry.field(default=None, description="Documents to add.")


@strawberry.input(description="Move a member along the lifecycle.")
class MemberStatusChangeInput:
    id: relay.GlobalID
    status: MemberStatus
    effective_on: date | None = strawberry.field(default=None, description="Default: today; not in the future.")
    reason: TerminationReason | None = strawberry.field(default=None, description="Required to terminate, only then.")
    note: str | None = None


@strawberry.input(description="Add a dependant to a member's household.")
class BeneficiaryAddInput:
    member: relay.GlobalID
    beneficiary: BeneficiaryInput


@strawberry.input(description="Take a dependant out of the household.")
class BeneficiaryRemoveInput:
    id: relay.GlobalID
    removed_on: date | None = strawberry.field(default=None, description="The first day out (default today).")
    reason: str | None = None


@strawberry.input(description="How the tenant's membership numbers are written; only before the first is issued.")
class MembershipNumberingInput:
    prefix: str = strawberry.field(description="Up to 12 capital letters, digits or hyphens; may be empty.")
    width: int = strawberry.field(description="Digits of the zero-padded sequence, 1 to 12.")
    check_digit: CheckDigit


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
        today = _today()

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
        ) -> list[MemberRow]:
            if tenant_id is None:
                return []
            found = await member_search.list_members(
                tx, tenant_id, member_filter, today, ctx.country, after=after, limit=limit
            )
            await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.members_read")
            return found

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            if tenant_id is None:
                return 0
            return await member_search.count_members(tx, tenant_id, member_filter, today, ctx.country)

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
            (outcome,) = await enrolment.enrol_many(tx, context, [input.to_enrolment()], _today())
            if outcome.member is None:
                raise outcome.errors[0]
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
            items = await batch.enrol_batch(tx, context, enrolments, _today())
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
            row = await member_service.update_member(tx, context, change, _today())
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
            effective_on=input.effective_on or _today(),
            reason=input.reason,
            note=input.note,
        )
        async with tenant_tx(context) as tx:
            row = await lifecycle.change_status(tx, context, change, _today())
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
                tx, context, member_id, input.beneficiary.to_beneficiary(), _today()
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
                tx, context, beneficiary_id, input.removed_on or _today(), input.reason, _today()
            )
        return Beneficiary.from_row(row)

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
