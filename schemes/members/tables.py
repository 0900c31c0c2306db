"""Tables of members and households: the people a tenant enrols, their
beneficiaries, identity documents, status history and membership numbers."""

from enum import StrEnum

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique

from schemes.employers.tables import Employer
from schemes.rules.tables import Scheme
from tenants.identity.tables import User
from tenants.tables import TenantTable


class MemberStatus(StrEnum):
    """Where a member stands in the lifecycle."""

    PENDING = "pending"
    """Enrolled, not yet covered (registration under review or unpaid)."""
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class TerminationReason(StrEnum):
    """Why a membership ended."""

    DEATH = "death"
    RESIGNATION = "resignation"
    TRANSFER = "transfer"
    FRAUD = "fraud"
    DUPLICATE = "duplicate"
    """The same person as another member, merged into it (see ``merged_into_id``)."""


class SuspensionReason(StrEnum):
    """Why Socle itself suspended a member; a manager's suspension has no reason."""

    UNPAID_DUES = "unpaid_dues"
    """As many periods left unpaid past their grace as the scheme's rights
    rule allows; lifted by Socle once they are paid."""


class DocumentKind(StrEnum):
    """An identity document a person can show."""

    NATIONAL_ID_CARD = "national_id_card"
    """Carte nationale d'identité (CEDEAO in Senegal)."""
    PASSPORT = "passport"
    CONSULAR_CARD = "consular_card"
    BIRTH_CERTIFICATE = "birth_certificate"
    """Extrait d'acte de naissance."""
    RESIDENCE_PERMIT = "residence_permit"
    """Carte de séjour."""


class CheckDigit(StrEnum):
    """How a membership number's check digits are computed."""

    NONE = "none"
    LUHN = "luhn"
    """One Luhn digit over the sequence's digits."""
    ISO7064_MOD_97_10 = "iso7064_mod_97_10"
    """Two ISO 7064 mod 97-10 digits over the sequence's digits (as IBANs)."""


class MembershipNumbering(TenantTable, tablename="membership_numberings"):
    """A tenant's membership-number format and the last number issued.

    The row is updated in the enrolment's own transaction: a rolled-back
    enrolment gives its number back, so numbers have no gap.
    """

    prefix = Varchar(length=12, default="")
    width = Integer(default=6)
    """Digits of the zero-padded sequence."""
    check_digit = Varchar(length=24, choices=CheckDigit, default=CheckDigit.LUHN)
    last_value = BigInt(default=0)
    """The sequence of the last number issued (0: none yet)."""
    updated_at = Timestamptz()

    membership_numberings_tenant_id_key = Unique(["tenant_id"])


class Member(TenantTable, tablename="members"):
    """A person enrolled in a scheme of the tenant (adhérent)."""

    scheme_id = ForeignKey(Scheme, on_delete=OnDelete.restrict, null=False, index=False)
    category = Varchar(length=32)
    number = Varchar(length=40)
    """Membership number, unique in the tenant."""
    sequence = BigInt()
    """The number's place in the tenant's sequence (1, 2, ...)."""
    status = Varchar(length=16, choices=MemberStatus, default=MemberStatus.PENDING)
    status_on = Date()
    """Since when the member has their current status."""
    enrolled_on = Date()
    subsidy_group = Varchar(length=32, null=True, default=None)
    first_names = Varchar(length=200)
    last_name = Varchar(length=200)
    normalized_name = Text()
    """Last name then first names, lower case, accents and punctuation removed:
    what name searches match (trigram index)."""
    sex = Varchar(length=8)
    birth_date = Date()
    birth_date_approximate = Boolean(default=False)
    """Only the year is known; ``birth_date`` is 1 January of that year."""
    nationality = Varchar(length=2)
    phone = Varchar(length=16, null=True, default=None)
    """E.164."""
    address_country = Varchar(length=2)
    address_region = Varchar(length=8, null=True, default=None)
    """ISO 3166-2 code (SN-DK)."""
    address_department = Varchar(length=64, null=True, default=None)
    address_locality = Varchar(length=200, null=True, default=None)
    """Commune, village or neighbourhood, as written."""
    category_data = JSONB(default="{}")
    """What the member's category asks for (an artisan's trade...)."""
    idempotency_key = Varchar(length=100, null=True, default=None)
    """The client's key of the enrolment: sent again, it finds this member."""
    created_at = Timestamptz()
    updated_at = Timestamptz()
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    """The account the member signs in with to see their own coverage (role
    ``member``), once a manager opened their access online."""

    members_tenant_id_number_key = Unique(["tenant_id", "number"])
    members_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])
    members_tenant_id_user_id_key = Unique(["tenant_id", "user_id"])


class Beneficiary(TenantTable, tablename="beneficiaries"):
    """A member's dependant (ayant droit): spouse, child or other relative."""

    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    relationship = Varchar(length=16)
    first_names = Varchar(length=200)
    last_name = Varchar(length=200)
    normalized_name = Text()
    sex = Varchar(length=8)
    birth_date = Date()
    birth_date_approximate = Boolean(default=False)
    nationality = Varchar(length=2, null=True, default=None)
    studying = Boolean(default=False)
    """At school or university: the dependents' rule may cover them longer."""
    added_on = Date()
    removed_on = Date(null=True, default=None)
    removal_reason = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()


class IdentityDocument(TenantTable, tablename="identity_documents"):
    """An identity document of a member, or of one of their beneficiaries.

    A document (kind, issuing country, normalized number) belongs to one
    person of a tenant: the exact-duplicate rule.
    """

    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    beneficiary_id = ForeignKey(Beneficiary, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    """Set when the document is a beneficiary's, not the member's."""
    kind = Varchar(length=24, choices=DocumentKind)
    number = Varchar(length=64)
    """As written on the document."""
    normalized_number = Varchar(length=64)
    """Upper case, without spaces, dashes or dots: what duplicates compare."""
    issuing_country = Varchar(length=2)
    expires_on = Date(null=True, default=None)
    created_at = Timestamptz()

    identity_documents_tenant_id_document_key = Unique(["tenant_id", "kind", "issuing_country", "normalized_number"])


class MemberStatusChange(TenantTable, tablename="member_status_changes"):
    """One step of a member's lifecycle, kept forever."""

    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    from_status = Varchar(length=16, null=True, default=None)
    """None for the enrolment itself."""
    to_status = Varchar(length=16)
    effective_on = Date()
    reason = Varchar(length=16, null=True, default=None)
    """Why a membership ended (a :class:`TerminationReason`), or why Socle
    suspended it (a :class:`SuspensionReason`)."""
    merged_into_id = UUID(null=True, default=None)
    """For a duplicate: the member kept, who took over the household."""
    note = Text(null=True, default=None)
    changed_by_kind = Varchar(length=16)
    changed_by_id = UUID(null=True, default=None)
    changed_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()


class MemberTally(TenantTable, tablename="member_tallies"):
    """How many members of the tenant are in a status and a category, or, in
    the tenant's one row without either, how many beneficiaries are not
    removed from their household.

    PostgreSQL keeps the rows exact: statement triggers on ``members`` and
    ``beneficiaries`` add each statement's changes to them, so reading a
    tenant's counts reads a few rows instead of counting its register.
    """

    status = Varchar(length=16, choices=MemberStatus, null=True, default=None)
    category = Varchar(length=32, null=True, default=None)
    member_count = Integer(default=0)
    beneficiary_count = Integer(default=0)

    member_tallies_tenant_id_group_key = Unique(["tenant_id", "status", "category"], nulls_distinct=False)


class ContractKind(StrEnum):
    """How a member works for an employer."""

    PERMANENT = "permanent"
    """A salaried employee's contract of indefinite or fixed term (CDI, CDD)."""
    DAY = "day"
    """Day labour (journalier)."""
    SEASONAL = "seasonal"
    TEMPORARY = "temporary"
    """Interim or task work."""


class Employment(TenantTable, tablename="member_employments"):
    """A member's work for an employer of the tenant: one for a salaried
    employee, several for a precarious worker."""

    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    employer_id = ForeignKey(Employer, on_delete=OnDelete.restrict, null=False, index=False)
    staff_number = Varchar(length=40, null=True, default=None)
    """The employer's number for the employee (matricule)."""
    salary = BigInt(null=True, default=None)
    """Monthly gross salary in the currency's minor unit (IPM contributions are a rate of it)."""
    currency = Varchar(length=3, null=True, default=None)
    contract_kind = Varchar(length=16, choices=ContractKind)
    sector = Varchar(length=100, default="")
    started_on = Date(null=True, default=None)
    ended_on = Date(null=True, default=None)
    created_at = Timestamptz()
