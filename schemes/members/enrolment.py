"""Enrolment: a person joins a scheme of the tenant with their household.

:func:`check` validates one enrolment and returns every mistake with its
path, writing nothing; :func:`enrol_many` writes checked enrolments in a few
statements whatever their number (one counter update, one multi-row insert
per table), so the offline batch and the bulk import reuse it. An
enrolment's client key makes a repeated enrolment answer with the member
it already made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from schemes.duplicates import detection
from schemes.employers.tables import Employer
from schemes.members import errors, numbering, writes
from schemes.members import identity as ids
from schemes.members.tables import (
    ContractKind,
    Member,
)
from schemes.reference import service as reference
from schemes.reference.errors import UnknownDepartment
from schemes.reference.service import Division
from schemes.rules.model import MemberCategory, Relationship, SubsidyGroup
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.roles import TenantStatus
from tenants.scoping import within
from tenants.tx import Transaction

Path = tuple[str, ...]

MAX_BENEFICIARIES = 30
MAX_EMPLOYMENTS = 10
IDEMPOTENCY_KEY_MAX = 100


@dataclass(frozen=True)
class Address:
    """Where a member lives: country (none: the tenant's), ISO 3166-2 region, department, locality."""

    country: str | None = None
    region: str | None = None
    department: str | None = None
    locality: str | None = None


@dataclass(frozen=True)
class Job:
    """Work for an employer of the tenant."""

    employer_id: UUID
    contract_kind: ContractKind
    staff_number: str | None = None
    salary: int | None = None
    """Monthly gross salary in the tenant currency's minor unit."""
    sector: str | None = None
    started_on: date | None = None


@dataclass(frozen=True)
class ArtisanDetails:
    trade: str | None = None
    trades_register_number: str | None = None
    """Number in the répertoire des métiers."""
    chamber_of_trades: str | None = None
    """Chambre des métiers the artisan is registered with."""


@dataclass(frozen=True)
class MigrantDetails:
    origin_country: str | None = None
    residence_country: str | None = None
    status: str | None = None
    """Residence status in the host country, as written (worker, student...)."""
    consular_registration: str | None = None
    """Number of the registration with the consulate."""


@dataclass(frozen=True)
class NewBeneficiary:
    """A dependant named at enrolment or added later."""

    relationship: Relationship
    person: ids.Person
    studying: bool = False
    documents: tuple[ids.Document, ...] = ()
    added_on: date | None = None


@dataclass(frozen=True)
class Enrolment:
    """What enrolling a member needs."""

    scheme_id: UUID | None
    """None when the client's id named no scheme: reported as not found."""
    category: MemberCategory
    person: ids.Person
    phone: str | None = None
    address: Address = field(default_factory=Address)
    documents: tuple[ids.Document, ...] = ()
    beneficiaries: tuple[NewBeneficiary, ...] = ()
    artisan: ArtisanDetails | None = None
    migrant: MigrantDetails | None = None
    jobs: tuple[Job, ...] = ()
    enrolled_on: date | None = None
    subsidy_group: SubsidyGroup | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class CleanBeneficiary:
    relationship: Relationship
    person: ids.CleanPerson
    studying: bool
    documents: list[ids.CleanDocument]
    added_on: date


@dataclass(frozen=True)
class Checked:
    """An enrolment that passed every check, ready to write."""

    data: Enrolment
    person: ids.CleanPerson
    phone: str | None
    address: Address
    documents: list[ids.CleanDocument]
    beneficiaries: list[CleanBeneficiary]
    category_data: dict[str, str]
    jobs: list[Job]
    enrolled_on: date


@dataclass(frozen=True)
class Facts:
    """What checks read from the database for a batch, in one statement each."""

    schemes: dict[UUID, Scheme]
    employers: set[UUID]
    documents: dict[tuple[str, str, str], str]
    """Existing documents' keys and their member's number."""
    departments: dict[str, list[Division]]
    """The departments of the regions the enrolments name, by region."""


@dataclass(frozen=True)
class Outcome:
    """What became of one enrolment: its member, and whether it was already there."""

    member: Member | None
    already_there: bool = False
    errors: tuple[DomainError, ...] = ()


def _category_data(data: Enrolment, base: Path, found: list[DomainError]) -> dict[str, str]:
    """The category's own details, each required field named when missing."""
    category = data.category
    if data.artisan is not None and category is not MemberCategory.ARTISAN:
        found.append(errors.FieldNotAllowed(path=(*base, "artisan"), category=category.value))
    if data.migrant is not None and category is not MemberCategory.MIGRANT:
        found.append(errors.FieldNotAllowed(path=(*base, "migrant"), category=category.value))
    if category is MemberCategory.ARTISAN:
        artisan = data.artisan or ArtisanDetails()
        return _required(
            (*base, "artisan"),
            category,
            found,
            trade=artisan.trade,
            tradesRegisterNumber=artisan.trades_register_number,
            chamberOfTrades=artisan.chamber_of_trades,
        )
    if category is MemberCategory.MIGRANT:
        migrant = data.migrant or MigrantDetails()
        values = _required(
            (*base, "migrant"),
            category,
            found,
            originCountry=migrant.origin_country,
            residenceCountry=migrant.residence_country,
            status=migrant.status,
        )
        for name in ("originCountry", "residenceCountry"):
            if name in values:
                values[name] = ids.country(values[name], "", (*base, "migrant", name), found)
        consular = ids.optional_text(migrant.consular_registration, (*base, "migrant", "consularRegistration"), found)
        return {**values, **({"consularRegistration": consular} if consular else {})}
    return {}


def _required(base: Path, category: MemberCategory, found: list[DomainError], **fields: str | None) -> dict[str, str]:
    values = {}
    for name, value in fields.items():
        if value is None or not value.strip():
            found.append(errors.FieldRequired(path=(*base, name), field=name, category=category.value))
        else:
            values[name] = ids.text(value, (*base, name), found)
    return values


def _jobs(data: Enrolment, base: Path, facts: Facts, found: list[DomainError]) -> list[Job]:
    path = (*base, "employments")
    category = data.category
    if category not in (MemberCategory.SALARIED, MemberCategory.PRECARIOUS_WORKER):
        if data.jobs:
            found.append(errors.FieldNotAllowed(path=path, category=category.value))
        return []
    if not data.jobs:
        found.append(errors.FieldRequired(path=path, field="employments", category=category.value))
        return []
    most = 1 if category is MemberCategory.SALARIED else MAX_EMPLOYMENTS
    if len(data.jobs) > most:
        found.append(errors.TooMany(path=path, maximum=most))
    jobs = []
    for index, job in enumerate(data.jobs[:most]):
        at = (*path, str(index))
        if job.employer_id not in facts.employers:
            found.append(errors.EmployerNotFound(path=(*at, "employer")))
        salaried = category is MemberCategory.SALARIED
        if salaried != (job.contract_kind is ContractKind.PERMANENT):
            found.append(errors.InvalidContractKind(path=(*at, "contractKind"), category=category.value))
        if salaried:
            for name, value in (("staffNumber", job.staff_number), ("salary", job.salary)):
                if value is None or (isinstance(value, str) and not value.strip()):
                    found.append(errors.FieldRequired(path=(*at, name), field=name, category=category.value))
        elif not (job.sector or "").strip():
            found.append(errors.FieldRequired(path=(*at, "sector"), field="sector", category=category.value))
        if job.salary is not None and not 0 <= job.salary <= 10**12:
            found.append(errors.InvalidSalary(path=(*at, "salary")))
        jobs.append(
            Job(
                employer_id=job.employer_id,
                contract_kind=job.contract_kind,
                staff_number=ids.optional_text(job.staff_number, (*at, "staffNumber"), found, maximum=40),
                salary=job.salary,
                sector=ids.optional_text(job.sector, (*at, "sector"), found, maximum=100),
                started_on=job.started_on,
            )
        )
    return jobs


def _repeated(documents: list[tuple[Path, ids.CleanDocument]], facts: Facts, found: list[DomainError]) -> None:
    """The exact-duplicate rule: a document already a person's of the tenant,
    or twice in this enrolment, is refused."""
    seen: set[tuple[str, str, str]] = set()
    for path, document in documents:
        existing = facts.documents.get(document.key)
        if existing is not None:
            found.append(errors.DuplicateDocument(path=(*path, "number"), member_number=existing))
        elif document.key in seen:
            found.append(errors.RepeatedDocument(path=(*path, "number")))
        seen.add(document.key)


def beneficiary(
    given: NewBeneficiary, base: Path, ctx: TenantContext, today: date, found: list[DomainError]
) -> CleanBeneficiary:
    """Check one dependant (identity, documents, dates)."""
    added_on = given.added_on or today
    if added_on > today:
        found.append(errors.InvalidDate(path=(*base, "addedOn")))
    return CleanBeneficiary(
        relationship=given.relationship,
        person=ids.person(given.person, (*base, "person"), ctx.country, today, found),
        studying=given.studying,
        documents=ids.documents(given.documents, (*base, "documents"), ctx.country, found),
        added_on=added_on,
    )


def check(
    data: Enrolment, ctx: TenantContext, facts: Facts, today: date, base: Path = ("input",)
) -> Checked | list[DomainError]:
    """Check one enrolment against the tenant's facts; every mistake found,
    each with its path under ``base``, or the enrolment ready to write."""
    found: list[DomainError] = []
    scheme = facts.schemes.get(data.scheme_id) if data.scheme_id else None
    if scheme is None:
        found.append(errors.SchemeNotFound(path=(*base, "scheme")))
    elif data.category.value not in scheme.categories or data.category is MemberCategory.DEPENDENT:
        found.append(errors.CategoryNotAdmitted(path=(*base, "category"), category=data.category.value))
    if data.idempotency_key is not None and not 1 <= len(data.idempotency_key) <= IDEMPOTENCY_KEY_MAX:
        found.append(errors.InvalidIdempotencyKey(path=(*base, "idempotencyKey"), maximum=IDEMPOTENCY_KEY_MAX))
    person = ids.person(data.person, (*base, "person"), ctx.country, today, found)
    phone = ids.phone(data.phone, ctx.country, (*base, "phone"), found)
    address = clean_address(data.address, ctx.country, facts.departments, (*base, "address"), found)
    enrolled_on = data.enrolled_on or today
    if enrolled_on > today:
        found.append(errors.InvalidDate(path=(*base, "enrolledOn")))
    documents = ids.documents(data.documents, (*base, "documents"), ctx.country, found)
    if len(data.beneficiaries) > MAX_BENEFICIARIES:
        found.append(errors.TooMany(path=(*base, "beneficiaries"), maximum=MAX_BENEFICIARIES))
    beneficiaries = [
        beneficiary(given, (*base, "beneficiaries", str(index)), ctx, today, found)
        for index, given in enumerate(data.beneficiaries[:MAX_BENEFICIARIES])
    ]
    located = [((*base, "documents", str(i)), document) for i, document in enumerate(documents)]
    for index, clean in enumerate(beneficiaries):
        located += [
            ((*base, "beneficiaries", str(index), "documents", str(i)), document)
            for i, document in enumerate(clean.documents)
        ]
    _repeated(located, facts, found)
    category_data = _category_data(data, base, found)
    jobs = _jobs(data, base, facts, found)
    if found:
        return found
    return Checked(
        data=data,
        person=person,
        phone=phone,
        address=address,
        documents=documents,
        beneficiaries=beneficiaries,
        category_data=category_data,
        jobs=jobs,
        enrolled_on=enrolled_on,
    )


def clean_address(
    given: Address,
    default_country: str,
    departments: Mapping[str, Sequence[Division]],
    path: Path,
    found: list[DomainError],
) -> Address:
    """Check an address: its country, its ISO 3166-2 region, its department
    by code or name among the region's ``departments`` (stored as its code),
    its locality; a department is not looked for in a region already refused."""
    country = ids.country(given.country, default_country, (*path, "country"), found)
    region = ids.region(country, given.region, (*path, "region"), found)
    department = None
    if region is not None or not (given.region or "").strip():
        try:
            named = reference.department(departments, region, given.department, path=path)
        except UnknownDepartment as error:
            found.append(error)
        else:
            department = named.code if named else None
    return Address(
        country=country,
        region=region,
        department=department,
        locality=ids.optional_text(given.locality, (*path, "locality"), found),
    )


def _document_keys(enrolments: list[Enrolment], ctx: TenantContext) -> list[tuple[str, str, str]]:
    keys = []
    for data in enrolments:
        for document in (*data.documents, *(d for b in data.beneficiaries for d in b.documents)):
            issuing = (document.issuing_country or ctx.country).strip().upper()
            keys.append((document.kind.value, issuing, ids.normalized_document_number(document.number)))
    return keys


async def facts_for(tx: Transaction, ctx: TenantContext, enrolments: list[Enrolment]) -> Facts:
    """Read what checking ``enrolments`` needs: their schemes, employers and
    the documents already known."""
    scheme_ids = list({data.scheme_id for data in enrolments if data.scheme_id})
    employer_ids = list({job.employer_id for data in enrolments for job in data.jobs})
    schemes = await within(ctx, Scheme).objects().where(Scheme.id.is_in(scheme_ids)) if scheme_ids else []
    employers = (
        await within(ctx, Employer).select(Employer.id).where(Employer.id.is_in(employer_ids)) if employer_ids else []
    )
    return Facts(
        schemes={scheme.id: scheme for scheme in schemes},
        employers={row["id"] for row in employers},
        documents=await writes.existing_documents(tx, ctx, _document_keys(enrolments, ctx)),
        departments=await reference.departments_of(
            tx, [data.address.region for data in enrolments if data.address.region and data.address.department]
        ),
    )


async def require_approved(tx: Transaction, ctx: TenantContext) -> None:
    """Only a licensed tenant enrols: a pending, suspended or withdrawn one is refused."""
    status = await tx.fetchval("SELECT status FROM tenants WHERE id = $1", ctx.tenant_id)
    if status != TenantStatus.APPROVED:
        raise errors.TenantNotApproved(path=("input",), status=status or "")


async def enrol_many(
    tx: Transaction,
    ctx: TenantContext,
    enrolments: list[Enrolment],
    today: date,
    base: Path = ("input",),
    *,
    indexed: bool | None = None,
) -> list[Outcome]:
    """Enrol each of ``enrolments`` that passes its checks, in one transaction:
    numbers are taken for the batch at once under the tenant's counter lock,
    an enrolment whose client key is known answers with its member, and the
    batch's probable duplicates are flagged for review. Errors' paths start
    with ``base`` and the enrolment's index, when ``indexed`` (by default:
    when there are several)."""
    indexed = len(enrolments) > 1 if indexed is None else indexed
    await require_approved(tx, ctx)
    await numbering.lock(tx, ctx)
    keys = [data.idempotency_key for data in enrolments if data.idempotency_key]
    known = (
        {
            row.idempotency_key: row
            for row in await within(ctx, Member).objects().where(Member.idempotency_key.is_in(keys))
        }
        if keys
        else {}
    )
    facts = await facts_for(tx, ctx, enrolments)
    outcomes: list[Outcome] = []
    to_write: list[tuple[int, Checked]] = []
    first_with_key: dict[str, int] = {}
    same_key: list[tuple[int, int]] = []
    claimed: set[tuple[str, str, str]] = set()
    for index, data in enumerate(enrolments):
        key = data.idempotency_key
        outcomes.append(Outcome(member=None))
        if key in known:
            outcomes[index] = Outcome(member=known[key], already_there=True)
            continue
        if key and key in first_with_key:
            same_key.append((index, first_with_key[key]))
            continue
        at = (*base, str(index)) if indexed else base
        result = check(data, ctx, facts, today, at)
        if not isinstance(result, list) and claimed & {document.key for document in _documents_of(result)}:
            # The same document in two enrolments of one batch: the first keeps it.
            result = [errors.RepeatedDocument(path=(*at, "documents"))]
        if isinstance(result, list):
            outcomes[index] = Outcome(member=None, errors=tuple(result))
            continue
        if key:
            first_with_key[key] = index
        claimed |= {document.key for document in _documents_of(result)}
        to_write.append((index, result))
    written = await writes.write_members(tx, ctx, [checked for _, checked in to_write])
    for (index, _), member in zip(to_write, written, strict=True):
        outcomes[index] = Outcome(member=member)
    for index, first in same_key:
        outcomes[index] = Outcome(member=outcomes[first].member, already_there=True)
    await detection.flag(tx, ctx, [member.id for member in written])
    return outcomes


def _documents_of(checked: Checked) -> list[ids.CleanDocument]:
    return [*checked.documents, *(d for b in checked.beneficiaries for d in b.documents)]
