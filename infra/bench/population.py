"""The rows of the benchmark's country, made in a fixed order from a seed:
the ministry and its 20 tenants with their schemes, rule versions,
employers, numberings and accounts, then each tenant's members with their
households, identity documents, jobs, status history and audit events.

Every derived value is the application's own: normalized names and document
numbers (:mod:`schemes.members.identity`), membership numbers and their
check digit (:mod:`schemes.members.numbering`), NINEA in their stored form
(:mod:`schemes.employers.service`), rule documents as stored
(:func:`schemes.rules.model.document_to_json`) and the audit chain's hashes
(:func:`tenants.audit.service.chain_hash`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from infra.bench import names
from infra.bench.country import (
    CHUNK,
    CMU,
    COUNTRY,
    CURRENCY,
    DAY,
    FIRST_ENROLMENT,
    LOADED_AT,
    MINISTRY_SLUG,
    NUMBER_WIDTH,
    SALARIED,
    SPECS,
    TenantSpec,
    email_of,
    shares,
)
from infra.bench.draws import Ids, People, ninea, scrambled
from infra.bench.rows import Chain, Events, Rows
from schemes.members import identity as ids
from schemes.members.numbering import NumberFormat
from schemes.members.tables import CheckDigit, ContractKind, DocumentKind, MemberStatus, TerminationReason
from schemes.rules.model import MemberCategory, Relationship, Sex, SubsidyGroup, document_to_json
from tenants.context import SYSTEM, Principal, PrincipalKind
from tenants.roles import Role, TenantKind, TenantStatus


@dataclass
class _Employer:
    id: UUID
    code: str
    sector: str


@dataclass
class Tenant:
    spec: TenantSpec
    id: UUID
    members: int
    manager: Principal
    manager_email: str
    scheme_id: UUID
    number_format: NumberFormat
    employers: list[_Employer] = field(default_factory=list)
    departments: dict[str, list[str]] = field(default_factory=dict)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), UTC)


class Generator:
    """Makes the rows, table by table, in a fixed order: the same seed, the same rows."""

    def __init__(self, seed: int, members: int, departments: dict[str, list[str]], password_hash: str) -> None:
        self.seed = seed
        self.new_id = Ids(seed)
        self.draw = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
        self.people = People(self.draw)
        self.members = members
        self.departments = departments
        self.password_hash = password_hash
        self.documents = 0
        self.events: Events

    def setup(self, heads: dict[tuple[UUID | None, int], Chain]) -> tuple[Rows, UUID, list[Tenant]]:
        """Tenants, accounts, schemes, rule versions, employers and numberings."""
        self.events = Events(self.new_id, heads)
        rows = Rows()
        ministry_id = self._tenant(rows, TenantKind.MINISTRY, MINISTRY_SLUG, "Direction de la Protection Sociale")
        self._account(rows, ministry_id, MINISTRY_SLUG, "controle", "Ousmane Sarr", Role.OVERSIGHT_OFFICER)
        tenants = []
        for spec, count in zip(SPECS, shares(self.members, [spec.weight for spec in SPECS]), strict=True):
            tenants.append(self._member_tenant(rows, spec, count))
        return rows, ministry_id, tenants

    def _tenant(self, rows: Rows, kind: TenantKind, slug: str, name: str) -> UUID:
        tenant_id = self.new_id()
        rows["tenants"].append(
            (tenant_id, kind.value, name, slug, COUNTRY, CURRENCY, TenantStatus.APPROVED.value, LOADED_AT)
        )
        self.events.add(
            SYSTEM, None, "tenant.create", "tenant", tenant_id, LOADED_AT, slug=slug, kind=kind.value, country=COUNTRY
        )
        return tenant_id

    def _account(self, rows: Rows, tenant_id: UUID, slug: str, mailbox: str, full_name: str, role: Role) -> Principal:
        user_id, email = self.new_id(), email_of(mailbox, slug)
        rows["users"].append((user_id, email, full_name, self.password_hash, "fr", True, LOADED_AT))
        self.events.add(SYSTEM, None, "user.create", "user", user_id, LOADED_AT, email=email)
        rows["memberships"].append((self.new_id(), tenant_id, user_id, role.value, True, LOADED_AT))
        self.events.add(SYSTEM, tenant_id, "membership.create", "user", user_id, LOADED_AT, role=role.value)
        return Principal(kind=PrincipalKind.USER, id=user_id, name=full_name)

    def _member_tenant(self, rows: Rows, spec: TenantSpec, count: int) -> Tenant:
        tenant_id = self._tenant(rows, spec.kind, spec.slug, spec.name)
        sex = self.draw.choice((Sex.FEMALE, Sex.MALE))
        manager_name = f"{self.people.first(sex)} {self.people.family()}"
        manager = self._account(rows, tenant_id, spec.slug, "gestion", manager_name, Role.MANAGER)
        scheme_id = self.new_id()
        categories = [category.value for category, _ in spec.scheme.categories]
        rows["schemes"].append(
            (scheme_id, tenant_id, spec.scheme.code, spec.scheme.name, "active", LOADED_AT, categories, "health")
        )
        self.events.add(
            SYSTEM,
            tenant_id,
            "scheme.create",
            "scheme",
            scheme_id,
            LOADED_AT,
            code=spec.scheme.code,
            name=spec.scheme.name,
            branch="health",
            categories=",".join(categories),
            status="active",
        )
        for number, (effective_from, document) in enumerate(spec.scheme.versions, start=1):
            version_id = self.new_id()
            stored = json.dumps(document_to_json(document))
            rows["scheme_rule_versions"].append(
                (version_id, tenant_id, scheme_id, number, effective_from, stored, LOADED_AT)
            )
            self.events.add(
                SYSTEM,
                tenant_id,
                "scheme_rule_version.create",
                "scheme_rule_version",
                version_id,
                LOADED_AT,
                scheme=str(scheme_id),
                number=str(number),
                effective_from=effective_from.isoformat(),
            )
        tenant = Tenant(
            spec=spec,
            id=tenant_id,
            members=count,
            manager=manager,
            manager_email=email_of("gestion", spec.slug),
            scheme_id=scheme_id,
            number_format=NumberFormat(prefix=spec.prefix, width=NUMBER_WIDTH, check_digit=CheckDigit.LUHN),
            departments={region: self.departments[region] for region in spec.regions},
        )
        for index in range(spec.employers):
            tenant.employers.append(self._employer(rows, tenant, index))
        self._numbering(rows, tenant)
        return tenant

    def _employer(self, rows: Rows, tenant: Tenant, index: int) -> _Employer:
        employer_id, region = self.new_id(), tenant.spec.regions[0]
        if tenant.spec.scheme is SALARIED:
            opening, (activity, sector) = self.draw.choice(names.COMPANIES), self.draw.choice(names.ACTIVITIES)
            name = f"{opening} {activity} {self.people.family()}"
        else:
            sector = self.draw.choice(names.SECTORS)
            name = f"GIE {sector.lower()} {self.draw.choice(names.LOCALITIES[region])} {index + 1}"
        number = ninea(self.draw)
        contact = f"{self.people.first(Sex.FEMALE)} {self.people.family()}"
        rows["employers"].append(
            (
                employer_id,
                tenant.id,
                name,
                number,
                None,
                sector,
                region,
                self.draw.choice(names.LOCALITIES[region]),
                contact,
                self.people.phone(),
                None,
                "active",
                LOADED_AT,
                LOADED_AT,
            )
        )
        self.events.add(
            SYSTEM, tenant.id, "employer.create", "employer", employer_id, LOADED_AT, name=name, number=number
        )
        return _Employer(id=employer_id, code=f"E{index + 1:02d}", sector=sector)

    def _numbering(self, rows: Rows, tenant: Tenant) -> None:
        """The counter row, already at the tenant's last member, as its enrolments leave it."""
        number_format = tenant.number_format
        rows["membership_numberings"].append(
            (
                self.new_id(),
                tenant.id,
                number_format.prefix,
                number_format.width,
                number_format.check_digit.value,
                tenant.members,
                LOADED_AT,
            )
        )
        self.events.add(
            SYSTEM,
            tenant.id,
            "membership_numbering.create",
            "tenant",
            tenant.id,
            LOADED_AT,
            check_digit=CheckDigit.LUHN.value,
        )
        self.events.add(
            SYSTEM,
            tenant.id,
            "membership_numbering.set",
            "tenant",
            tenant.id,
            LOADED_AT,
            prefix=number_format.prefix,
            width=str(number_format.width),
            check_digit=number_format.check_digit.value,
        )

    def chunks(self, tenant: Tenant, loaded_at: datetime) -> Iterator[Rows]:
        """The tenant's members with their households, :data:`CHUNK` at a time."""
        span = (DAY - FIRST_ENROLMENT).days
        for start in range(0, tenant.members, CHUNK):
            rows = Rows()
            for sequence in range(start + 1, min(start + CHUNK, tenant.members) + 1):
                enrolled_on = FIRST_ENROLMENT + timedelta(days=(sequence - 1) * span // tenant.members)
                self._member(rows, tenant, sequence, enrolled_on, loaded_at)
            yield rows

    def _category(self, tenant: Tenant) -> MemberCategory:
        categories = tenant.spec.scheme.categories
        if len(categories) == 1:
            return categories[0][0]
        return self.draw.choices([c for c, _ in categories], weights=[w for _, w in categories])[0]

    def _member(self, rows: Rows, tenant: Tenant, sequence: int, enrolled_on: date, loaded_at: datetime) -> None:
        draw, people = self.draw, self.people
        category = self._category(tenant)
        salaried = category is MemberCategory.SALARIED
        sex = draw.choices((Sex.MALE, Sex.FEMALE), weights=(3, 2))[0]
        nationality = COUNTRY
        if category is MemberCategory.MIGRANT:
            nationality = draw.choices(*zip(*names.MIGRANT_ORIGINS, strict=True))[0]
        last_name, first_names = people.family(), people.first(sex)
        birth_date, approximate = people.birth(60 if salaried else 72, 22 if salaried else 18)
        region = draw.choice(tenant.spec.regions)
        member_id, number = self.new_id(), tenant.number_format.number(sequence)
        category_data = self._category_data(category, region, nationality, enrolled_on)
        subsidy = None
        if tenant.spec.scheme is CMU and draw.random() < 0.1:
            subsidy = draw.choices((SubsidyGroup.CASH_TRANSFER.value, SubsidyGroup.INDIGENT.value), weights=(4, 1))[0]
        statuses = self._statuses(enrolled_on)
        created = _at(enrolled_on)
        rows["members"].append(
            (
                member_id,
                tenant.id,
                tenant.scheme_id,
                category.value,
                number,
                sequence,
                statuses[-1][1].value,
                statuses[-1][2],
                enrolled_on,
                subsidy,
                first_names,
                last_name,
                people.normalized(last_name, first_names),
                sex.value,
                birth_date,
                approximate,
                nationality,
                people.phone() if draw.random() < 0.9 else None,
                COUNTRY,
                region,
                draw.choice(tenant.departments[region]),
                draw.choice(names.LOCALITIES[region]),
                json.dumps(category_data, sort_keys=True),
                created,
                _at(statuses[-1][2]),
            )
        )
        self._document(rows, tenant, member_id, None, sex, nationality, created)
        household = self._household(rows, tenant, member_id, sex, last_name, birth_date, nationality, enrolled_on)
        if salaried or category is MemberCategory.PRECARIOUS_WORKER:
            self._jobs(rows, tenant, member_id, salaried, sequence, enrolled_on)
        manager = tenant.manager
        self.events.add(
            manager,
            tenant.id,
            "member.enrol",
            "member",
            member_id,
            loaded_at,
            number=number,
            scheme=str(tenant.scheme_id),
            category=category.value,
            beneficiaries=str(household),
        )
        for from_status, to_status, effective_on, reason in statuses:
            rows["member_status_changes"].append(
                (
                    self.new_id(),
                    tenant.id,
                    member_id,
                    from_status.value if from_status else None,
                    to_status.value,
                    effective_on,
                    reason,
                    manager.kind.value,
                    manager.id,
                    manager.name,
                    _at(effective_on),
                )
            )
            if from_status is not None:
                self.events.add(
                    manager,
                    tenant.id,
                    "member.status_change",
                    "member",
                    member_id,
                    loaded_at,
                    number=number,
                    from_status=from_status.value,
                    to_status=to_status.value,
                    effective_on=effective_on.isoformat(),
                    **({"reason": reason} if reason else {}),
                )

    def _statuses(self, enrolled_on: date) -> list[tuple[MemberStatus | None, MemberStatus, date, str | None]]:
        """The member's status history: most are active, some pending, suspended or terminated."""
        history: list[tuple[MemberStatus | None, MemberStatus, date, str | None]] = [
            (None, MemberStatus.PENDING, enrolled_on, None)
        ]
        outcome = self.draw.random()
        if outcome < 0.06:
            return history
        activated = min(enrolled_on + timedelta(days=self.draw.randint(3, 45)), DAY)
        history.append((MemberStatus.PENDING, MemberStatus.ACTIVE, activated, None))
        if outcome < 0.90:
            return history
        later = min(activated + timedelta(days=self.draw.randint(30, 700)), DAY)
        if outcome < 0.96:
            history.append((MemberStatus.ACTIVE, MemberStatus.SUSPENDED, later, None))
        else:
            reason = self.draw.choice(
                (TerminationReason.RESIGNATION, TerminationReason.DEATH, TerminationReason.TRANSFER)
            )
            history.append((MemberStatus.ACTIVE, MemberStatus.TERMINATED, later, reason.value))
        return history

    def _category_data(self, category: MemberCategory, region: str, origin: str, enrolled_on: date) -> dict[str, str]:
        """The category's own details, with the names :mod:`schemes.members.enrolment` stores them under."""
        draw = self.draw
        if category is MemberCategory.ARTISAN:
            return {
                "trade": draw.choice(names.TRADES),
                "tradesRegisterNumber": f"RM-{region[3:]}-{enrolled_on.year}-{draw.randrange(10**5):05d}",
                "chamberOfTrades": f"Chambre des métiers de la région {region}",
            }
        if category is MemberCategory.MIGRANT:
            details = {
                "originCountry": origin,
                "residenceCountry": COUNTRY,
                "status": draw.choice(("travailleur", "commerçant", "saisonnier")),
            }
            if draw.random() < 0.6:
                details["consularRegistration"] = f"CONS-{origin}-{draw.randrange(10**6):06d}"
            return details
        return {}

    def _document(
        self,
        rows: Rows,
        tenant: Tenant,
        member_id: UUID,
        beneficiary_id: UUID | None,
        sex: Sex,
        nationality: str,
        created: datetime,
    ) -> None:
        """An identity document, its number unique by construction: a CEDEAO card
        (13 digits, 1 for a man and 2 for a woman) or a foreigner's passport."""
        self.documents += 1
        if nationality == COUNTRY:
            kind, number = (
                DocumentKind.NATIONAL_ID_CARD,
                f"{1 if sex is Sex.MALE else 2}{scrambled(self.documents, 12)}",
            )
        else:
            kind, number = DocumentKind.PASSPORT, f"{nationality}{scrambled(self.documents, 8)}"
        expires_on = created.date() + timedelta(days=self.draw.randint(365, 3650))
        rows["identity_documents"].append(
            (
                self.new_id(),
                tenant.id,
                member_id,
                beneficiary_id,
                kind.value,
                number,
                ids.normalized_document_number(number),
                nationality,
                expires_on,
                created,
            )
        )

    def _household(
        self,
        rows: Rows,
        tenant: Tenant,
        member_id: UUID,
        sex: Sex,
        family: str,
        born: date,
        nationality: str,
        enrolled_on: date,
    ) -> int:
        """Spouses (several wives for some men; a husband only where the scheme
        covers one) and children of plausible ages; how many beneficiaries."""
        draw, people = self.draw, self.people
        age = (DAY - born).days // 365
        spouses = 0
        if age >= 20:
            if sex is Sex.MALE:
                spouses = draw.choices((0, 1, 2, 3), weights=(40, 45, 12, 3))[0]
            elif tenant.spec.scheme is SALARIED and draw.random() < 0.1:
                spouses = 1
        made = 0
        created = _at(enrolled_on)
        for _ in range(spouses):
            spouse_sex = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
            spouse_age = max(18, age + draw.randint(-15, 3) if sex is Sex.MALE else age + draw.randint(-2, 10))
            birth_date, approximate = people.birth(spouse_age + 1, spouse_age)
            beneficiary_id = self._beneficiary(
                rows, tenant, member_id, Relationship.SPOUSE, spouse_sex, people.family(), birth_date, approximate,
                nationality, False, enrolled_on,
            )  # fmt: skip
            if draw.random() < 0.4:
                self._document(rows, tenant, member_id, beneficiary_id, spouse_sex, nationality, created)
            made += 1
        oldest_child = min(24, age - 17)
        if oldest_child >= 0:
            for _ in range(draw.choices((0, 1, 2, 3, 4, 5), weights=(50, 20, 12, 9, 5, 4))[0]):
                child_sex = draw.choice((Sex.FEMALE, Sex.MALE))
                birth_date, approximate = people.birth(oldest_child + 1, 0)
                studying = (DAY - birth_date).days > 18 * 365 and draw.random() < 0.5
                self._beneficiary(
                    rows, tenant, member_id, Relationship.CHILD, child_sex, family, birth_date, approximate,
                    nationality, studying, max(enrolled_on, birth_date),
                )  # fmt: skip
                made += 1
        return made

    def _beneficiary(
        self,
        rows: Rows,
        tenant: Tenant,
        member_id: UUID,
        relationship: Relationship,
        sex: Sex,
        last_name: str,
        birth_date: date,
        approximate: bool,
        nationality: str,
        studying: bool,
        added_on: date,
    ) -> UUID:
        beneficiary_id = self.new_id()
        first_names = self.people.first(sex)
        rows["beneficiaries"].append(
            (
                beneficiary_id,
                tenant.id,
                member_id,
                relationship.value,
                first_names,
                last_name,
                self.people.normalized(last_name, first_names),
                sex.value,
                birth_date,
                approximate,
                nationality,
                studying,
                added_on,
                _at(added_on),
            )
        )
        return beneficiary_id

    def _jobs(
        self, rows: Rows, tenant: Tenant, member_id: UUID, salaried: bool, sequence: int, enrolled_on: date
    ) -> None:
        """A salaried member's one permanent job; a precarious worker's one or two day or seasonal jobs."""
        draw = self.draw
        count = 1 if salaried else draw.choices((1, 2), weights=(4, 1))[0]
        for employer in draw.sample(tenant.employers, count):
            started_on = enrolled_on - timedelta(days=draw.randint(0, 3000 if salaried else 400))
            if salaried:
                staff, salary, kind = f"{employer.code}-{sequence:06d}", draw.randrange(90, 1200) * 1000, "permanent"
            else:
                staff, salary = None, None
                kind = draw.choice((ContractKind.DAY.value, ContractKind.SEASONAL.value, ContractKind.TEMPORARY.value))
            rows["member_employments"].append(
                (
                    self.new_id(),
                    tenant.id,
                    member_id,
                    employer.id,
                    staff,
                    salary,
                    CURRENCY if salary is not None else None,
                    kind,
                    "" if salaried else employer.sector,
                    started_on,
                    _at(enrolled_on),
                )
            )
