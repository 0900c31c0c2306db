"""The demo's members: a few hundred artisans of Dakar with their households
(several wives in some, birth years alone for some), salaried employees of
an employer of the IPM, and seasonal workers of the Niayes in the Thiès
mutual. Made in batches through the enrolment's bulk path; a tenant that
already has members gets none.

Two people show the duplicates' rules: the artisans' last member is their
first one (exact birth date) enrolled again with the names the wrong way
round, another card and another phone, a pending probable duplicate; and
the Thiès mutual's last worker is an artisan of Dakar with the same card,
a double affiliation the ministry sees."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from schemes.employers.tables import Employer
from schemes.members import access, enrolment, lifecycle
from schemes.members import identity as ids
from schemes.members.tables import ContractKind, DocumentKind, Member, MemberStatus
from schemes.rules import service as scheme_service
from schemes.rules.model import MemberCategory, Relationship, Sex
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import tenant_tx

MEN = [
    "Mamadou",
    "Moussa",
    "Ousmane",
    "Ibrahima",
    "Cheikh",
    "Abdoulaye",
    "Modou",
    "Serigne",
    "Pape",
    "Alioune",
    "Babacar",
    "Lamine",
    "Malick",
    "Souleymane",
    "Omar",
    "Assane",
    "El Hadji",
    "Mbaye",
    "Samba",
    "Demba",
]
WOMEN = [
    "Fatou",
    "Aminata",
    "Awa",
    "Mariama",
    "Khady",
    "Aïssatou",
    "Ndèye",
    "Coumba",
    "Astou",
    "Bineta",
    "Seynabou",
    "Adama",
    "Rokhaya",
    "Sokhna",
    "Dieynaba",
    "Fatoumata",
    "Marème",
    "Yacine",
    "Oumy",
    "Penda",
]
FAMILIES = [
    "Diop",
    "Ndiaye",
    "Fall",
    "Sow",
    "Ba",
    "Gueye",
    "Diallo",
    "Faye",
    "Sarr",
    "Cissé",
    "Mbaye",
    "Sy",
    "Seck",
    "Thiam",
    "Niang",
    "Kane",
    "Diouf",
    "Sène",
    "Camara",
    "Touré",
    "N'Diaye",
    "Wade",
    "Dieng",
    "Lô",
]
TRADES = [
    "Tailleur",
    "Menuisier",
    "Mécanicien",
    "Coiffeuse",
    "Cordonnier",
    "Bijoutier",
    "Forgeron",
    "Maçon",
    "Teinturière",
    "Potière",
    "Soudeur",
    "Électricien",
    "Vannière",
    "Boulanger",
]
DEPARTMENTS = {
    # Dakar, Pikine, Guédiawaye, Rufisque, Keur Massar
    "SN-DK": ["SN-DK-01", "SN-DK-03", "SN-DK-02", "SN-DK-04", "SN-DK-05"],
    # Thiès, Mbour, Tivaouane
    "SN-TH": ["SN-TH-02", "SN-TH-01", "SN-TH-03"],
    # Diourbel, Mbacké, Bambey
    "SN-DB": ["SN-DB-02", "SN-DB-03", "SN-DB-01"],
}
"""Departments (codes of the administrative divisions) of the members' regions."""
LOCALITIES = [
    "Médina",
    "Grand Yoff",
    "Parcelles Assainies",
    "Thiaroye",
    "Yeumbeul",
    "Bargny",
    "Saly",
    "Touba",
    "HLM",
    "Ouakam",
    "Sicap Liberté",
    "Keur Mbaye Fall",
]

ARTISANS = 300
EMPLOYEES = 40
SEASONAL_WORKERS = 12
BATCH = 100


def _phone(draw: random.Random) -> str:
    return f"+221{draw.choice(['77', '78', '76', '70'])}{draw.randrange(10**7):07d}"


def _birth(draw: random.Random, oldest: int, youngest: int, today: date) -> tuple[date | None, int | None]:
    born = today - timedelta(days=draw.randint(youngest * 365, oldest * 365))
    if draw.random() < 0.2:
        return None, born.year
    return born, None


def _person(draw: random.Random, sex: Sex, family: str, oldest: int, youngest: int, today: date) -> ids.Person:
    birth_date, birth_year = _birth(draw, oldest, youngest, today)
    first = draw.choice(MEN if sex is Sex.MALE else WOMEN)
    return ids.Person(first_names=first, last_name=family, sex=sex, birth_date=birth_date, birth_year=birth_year)


def _household(draw: random.Random, member: ids.Person, today: date) -> tuple[enrolment.NewBeneficiary, ...]:
    beneficiaries = []
    wives = draw.choices([0, 1, 2, 3], weights=[3, 10, 3, 1])[0] if member.sex is Sex.MALE else 0
    for _ in range(wives):
        wife = _person(draw, Sex.FEMALE, draw.choice(FAMILIES), 50, 20, today)
        beneficiaries.append(enrolment.NewBeneficiary(relationship=Relationship.SPOUSE, person=wife))
    for _ in range(draw.choices([0, 1, 2, 3, 4, 5], weights=[2, 3, 4, 3, 2, 1])[0]):
        sex = draw.choice([Sex.FEMALE, Sex.MALE])
        kid = _person(draw, sex, member.last_name, 24, 0, today)
        studying = kid.birth_date is not None and (today - kid.birth_date).days > 18 * 365 and draw.random() < 0.5
        beneficiaries.append(enrolment.NewBeneficiary(relationship=Relationship.CHILD, person=kid, studying=studying))
    return tuple(beneficiaries)


def _card(draw: random.Random, sex: Sex) -> ids.Document:
    # Senegal's CEDEAO card: 13 digits, the first 1 for a man and 2 for a woman.
    number = f"{1 if sex is Sex.MALE else 2}{draw.randrange(10**12):012d}"
    return ids.Document(kind=DocumentKind.NATIONAL_ID_CARD, number=number, issuing_country="SN")


def _address(draw: random.Random) -> enrolment.Address:
    region = draw.choices(list(DEPARTMENTS), weights=[6, 3, 1])[0]
    return enrolment.Address(
        region=region, department=draw.choice(DEPARTMENTS[region]), locality=draw.choice(LOCALITIES)
    )


def artisans(scheme_id: object, today: date, seed: int = 2026) -> list[enrolment.Enrolment]:
    """The artisans' mutual's members, the same every time."""
    draw = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    made = []
    for _ in range(ARTISANS):
        sex = draw.choices([Sex.MALE, Sex.FEMALE], weights=[3, 2])[0]
        person = _person(draw, sex, draw.choice(FAMILIES), 65, 20, today)
        trade = draw.choice(TRADES)
        made.append(
            enrolment.Enrolment(
                scheme_id=scheme_id,  # type: ignore[arg-type]
                category=MemberCategory.ARTISAN,
                person=person,
                phone=_phone(draw),
                address=_address(draw),
                documents=(_card(draw, sex),),
                beneficiaries=_household(draw, person, today),
                artisan=enrolment.ArtisanDetails(
                    trade=trade,
                    trades_register_number=f"RM-DK-{draw.randint(2015, 2025)}-{draw.randrange(10**4):04d}",
                    chamber_of_trades="Chambre des métiers de Dakar",
                ),
                enrolled_on=today - timedelta(days=draw.randint(0, 700)),
            )
        )
    made[-1] = _enrolled_again(draw, next(data for data in made if data.person.birth_date is not None))
    return made


def _enrolled_again(draw: random.Random, first: enrolment.Enrolment) -> enrolment.Enrolment:
    """``first`` enrolled a second time by another agent: family name and
    first names swapped and in capitals, a new card and phone, no household."""
    person = first.person
    swapped = ids.Person(
        first_names=person.last_name.upper(),
        last_name=person.first_names,
        sex=person.sex,
        birth_date=person.birth_date,
    )
    return replace(first, person=swapped, phone=_phone(draw), documents=(_card(draw, person.sex),), beneficiaries=())


def seasonal_workers(scheme_id: object, employer_id: object, today: date, seed: int = 221) -> list[enrolment.Enrolment]:
    """The Thiès mutual's day and seasonal workers of the Niayes; the last is
    the second artisan of Dakar, with the same card."""
    draw = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    made = []
    for _ in range(SEASONAL_WORKERS - 1):
        sex = draw.choice([Sex.MALE, Sex.FEMALE])
        made.append(
            _worker(scheme_id, employer_id, _person(draw, sex, draw.choice(FAMILIES), 55, 18, today), draw, today)
        )
    artisan = artisans(scheme_id, today)[1]
    also = _worker(scheme_id, employer_id, artisan.person, draw, today)
    made.append(replace(also, documents=artisan.documents, phone=artisan.phone))
    return made


def _worker(
    scheme_id: object, employer_id: object, person: ids.Person, draw: random.Random, today: date
) -> enrolment.Enrolment:
    job = enrolment.Job(
        employer_id=employer_id,  # type: ignore[arg-type]
        contract_kind=draw.choice([ContractKind.DAY, ContractKind.SEASONAL]),
        sector="Maraîchage",
        started_on=today - timedelta(days=draw.randint(30, 900)),
    )
    return enrolment.Enrolment(
        scheme_id=scheme_id,  # type: ignore[arg-type]
        category=MemberCategory.PRECARIOUS_WORKER,
        person=person,
        phone=_phone(draw),
        address=enrolment.Address(region="SN-TH", department="Tivaouane", locality="Mboro"),
        documents=(_card(draw, person.sex),),
        beneficiaries=_household(draw, person, today),
        jobs=(job,),
        enrolled_on=today - timedelta(days=draw.randint(0, 365)),
    )


def employees(scheme_id: object, employer_id: object, today: date, seed: int = 75) -> list[enrolment.Enrolment]:
    """The IPM's salaried members, all with its one demo employer."""
    draw = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    made = []
    for index in range(EMPLOYEES):
        sex = draw.choice([Sex.MALE, Sex.FEMALE])
        person = _person(draw, sex, draw.choice(FAMILIES), 60, 22, today)
        job = enrolment.Job(
            employer_id=employer_id,  # type: ignore[arg-type]
            contract_kind=ContractKind.PERMANENT,
            staff_number=f"SDBTP-{index + 1:04d}",
            salary=draw.randrange(150, 900) * 1000,
            started_on=today - timedelta(days=draw.randint(30, 4000)),
        )
        made.append(
            enrolment.Enrolment(
                scheme_id=scheme_id,  # type: ignore[arg-type]
                category=MemberCategory.SALARIED,
                person=person,
                phone=_phone(draw),
                address=enrolment.Address(region="SN-DK", department="SN-DK-01", locality="Hann Bel-Air"),
                documents=(_card(draw, sex),),
                beneficiaries=_household(draw, person, today),
                jobs=(job,),
                enrolled_on=today - timedelta(days=draw.randint(0, 365)),
            )
        )
    return made


async def _employer(ctx: TenantContext) -> Employer | None:
    """The tenant's first demo employer (:mod:`app.demo_employers`)."""
    async with tenant_tx(ctx):
        found: Employer | None = await within(ctx, Employer).objects().order_by(Employer.name).first()
    return found


async def load_members(ctx: TenantContext, scheme_code: str, today: date) -> int:
    """Enrol the demo's members of ``ctx``'s tenant unless it has some; how many were enrolled."""
    async with tenant_tx(ctx) as tx:
        scheme = await scheme_service.find_scheme_by_code(tx, ctx, scheme_code)
        if scheme is None or await within(ctx, Member).exists():
            return 0
    employer = await _employer(ctx)
    if MemberCategory.SALARIED.value in scheme.categories and employer is not None:
        batch = employees(scheme.id, employer.id, today)
    elif MemberCategory.PRECARIOUS_WORKER.value in scheme.categories and employer is not None:
        batch = seasonal_workers(scheme.id, employer.id, today)
    elif MemberCategory.ARTISAN.value in scheme.categories:
        batch = artisans(scheme.id, today)
    else:
        return 0
    enrolled = 0
    for start in range(0, len(batch), BATCH):
        async with tenant_tx(ctx) as tx:
            outcomes = await enrolment.enrol_many(tx, ctx, batch[start : start + BATCH], today)
        enrolled += sum(1 for outcome in outcomes if outcome.member is not None)
    return enrolled


async def open_demo_access(ctx: TenantContext, today: date) -> str | None:
    """Make the tenant's first member with a phone and a household active and
    open their access online (the member's own page); their phone, to sign in
    with a code. Running it again changes nothing."""
    async with tenant_tx(ctx) as tx:
        households = {row["member_id"] for row in await tx.fetch(_WITH_HOUSEHOLD, ctx.tenant_id)}
        candidates = await within(ctx, Member).objects().where(Member.phone.is_not_null()).order_by(Member.sequence)
        member = next((candidate for candidate in candidates if candidate.id in households), None)
        if member is None or member.phone is None:
            return None
        if member.status == MemberStatus.PENDING:
            change = lifecycle.StatusChange(
                member_id=member.id, to_status=MemberStatus.ACTIVE, effective_on=today, reason=None, note=None
            )
            await lifecycle.change_status(tx, ctx, change, today)
    async with tenant_tx(ctx, with_platform=True) as tx:
        await access.open_access(tx, ctx, member.id)
    return member.phone


_WITH_HOUSEHOLD = "SELECT DISTINCT member_id FROM beneficiaries WHERE tenant_id = $1 AND removed_on IS NULL"
