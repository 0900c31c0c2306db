"""The members' import file: one row per person, a household's rows together,
its member first; each household becomes one enrolment.

The columns and the values they take are documented in
``docs/import-members.md``; the template is built from :data:`COLUMNS`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from schemes.employers import service as employer_service
from schemes.employers.tables import Employer
from schemes.imports import errors
from schemes.imports.files import Column, Row, header_key
from schemes.imports.service import BatchOutcome, Importer, Problem, problem_of
from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import ContractKind, DocumentKind
from schemes.reference import regions
from schemes.rules.model import MemberCategory, Relationship, Sex, SubsidyGroup
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.registry.currencies import MINOR_UNITS
from tenants.scoping import within
from tenants.tx import Transaction

COLUMNS = [
    Column("household", "Foyer", required=True),
    Column("relationship", "Lien"),
    Column("scheme", "Régime"),
    Column("category", "Catégorie"),
    Column("last_name", "Nom", required=True),
    Column("first_names", "Prénoms", required=True),
    Column("sex", "Sexe", required=True),
    Column("birth", "Date de naissance", required=True),
    Column("nationality", "Nationalité"),
    Column("phone", "Téléphone"),
    Column("document_kind", "Type de pièce"),
    Column("document_number", "Numéro de pièce"),
    Column("document_country", "Pays de la pièce"),
    Column("document_expiry", "Expiration de la pièce"),
    Column("region", "Région"),
    Column("department", "Département"),
    Column("locality", "Localité"),
    Column("enrolled_on", "Date d'adhésion"),
    Column("subsidy_group", "Groupe subventionné"),
    Column("studying", "Scolarisé"),
    Column("trade", "Métier"),
    Column("trades_register", "N° registre des métiers"),
    Column("chamber", "Chambre des métiers"),
    Column("employer", "Employeur"),
    Column("staff_number", "Matricule"),
    Column("salary", "Salaire mensuel"),
    Column("contract", "Type de contrat"),
    Column("sector", "Secteur"),
    Column("origin_country", "Pays d'origine"),
    Column("residence_country", "Pays de résidence"),
    Column("migrant_status", "Statut de séjour"),
    Column("consular_registration", "Immatriculation consulaire"),
]
HEADERS = {column.key: column.header for column in COLUMNS}


def _choices(**choices: tuple[str, ...]) -> dict[str, str]:
    """Accepted spellings (compared as headers are) of each value."""
    return {header_key(spelling): value for value, spellings in choices.items() for spelling in (value, *spellings)}


RELATIONSHIPS = _choices(
    member=("adhérent", "adhérente", "membre", "titulaire", "chef de ménage"),
    spouse=("conjoint", "conjointe", "époux", "épouse", "mari", "femme"),
    child=("enfant", "fils", "fille"),
    other=("autre", "parent", "ascendant"),
)
CATEGORIES = _choices(
    artisan=("artisane",),
    precarious_worker=("travailleur précaire", "travailleuse précaire", "journalier", "saisonnier"),
    migrant=("migrante", "travailleur migrant"),
    salaried=("salarié", "salariée"),
    self_employed=("indépendant", "indépendante", "travailleur indépendant"),
)
SEXES = _choices(female=("F", "femme", "féminin"), male=("M", "H", "homme", "masculin"))
DOCUMENT_KINDS = _choices(
    national_id_card=("CNI", "carte d'identité", "carte nationale d'identité", "CEDEAO"),
    passport=("passeport",),
    consular_card=("carte consulaire",),
    birth_certificate=("acte de naissance", "extrait de naissance", "extrait d'acte de naissance"),
    residence_permit=("titre de séjour", "carte de séjour", "carte de résident"),
)
SUBSIDY_GROUPS = _choices(
    cash_transfer=("bourse de sécurité familiale", "BSF", "transfert monétaire"),
    indigent=("indigente",),
)
CONTRACTS = _choices(
    permanent=("CDI", "CDD", "permanent", "salarié"),
    day=("journalier", "journée"),
    seasonal=("saisonnier",),
    temporary=("intérim", "intérimaire", "temporaire", "tâcheron"),
)
YES_NO = _choices(yes=("oui", "o", "1", "vrai"), no=("non", "n", "0", "faux"))

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_YEAR = re.compile(r"^\d{4}$")


@dataclass
class _Household:
    """A household's rows: its member's row first."""

    key: str
    member: Row
    beneficiaries: list[Row]


class _RowProblems:
    """The problems found while reading one household's rows."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, row: Row, column: str | None, error: DomainError) -> None:
        self.found.append(problem_of(error, row.line, HEADERS[column] if column else None))

    def choice(self, row: Row, column: str, choices: dict[str, str]) -> str | None:
        """The value a cell names among ``choices``; None when empty or unknown (then a problem)."""
        text = row.values.get(column)
        if text is None:
            return None
        value = choices.get(header_key(text))
        if value is None:
            self.add(row, column, errors.UnknownValue(value=text))
        return value

    def day(self, row: Row, column: str) -> date | None:
        text = row.values.get(column)
        if text is None:
            return None
        for pattern in _DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.add(row, column, errors.UnreadableDate(value=text))
        return None

    def amount(self, row: Row, column: str, currency: str) -> int | None:
        """An amount typed in the currency's main unit (150 000 FCFA), in minor units."""
        text = row.values.get(column)
        if text is None:
            return None
        try:
            value = Decimal(text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))
        except InvalidOperation:
            value = Decimal(-1)
        minor = value.scaleb(MINOR_UNITS.get(currency, 2))
        if value < 0 or minor != minor.to_integral_value():
            self.add(row, column, errors.InvalidAmount(value=text))
            return None
        return int(minor)


def households(rows: Sequence[Row]) -> tuple[list[_Household], list[Problem]]:
    """The batch's rows grouped by household (consecutive rows with the same
    ``Foyer``), each led by its member's row."""
    found: list[Problem] = []
    grouped: list[_Household] = []
    for row in rows:
        key = row.values.get("household", "")
        member_row = header_key(row.values.get("relationship", "member")) in ("", *_MEMBER_SPELLINGS)
        if member_row:
            if grouped and grouped[-1].key == key:
                found.append(
                    problem_of(errors.SecondMemberInHousehold(household=key), row.line, HEADERS["relationship"])
                )
                continue
            grouped.append(_Household(key=key, member=row, beneficiaries=[]))
        elif grouped and grouped[-1].key == key:
            grouped[-1].beneficiaries.append(row)
        else:
            found.append(problem_of(errors.NoMemberInHousehold(household=key), row.line, HEADERS["household"]))
    return grouped, found


_MEMBER_SPELLINGS = tuple(spelling for spelling, value in RELATIONSHIPS.items() if value == "member")


def _person(row: Row, problems: _RowProblems) -> ids.Person:
    birth = row.values.get("birth", "")
    birth_date = None if _YEAR.match(birth) else problems.day(row, "birth")
    return ids.Person(
        first_names=row.values.get("first_names", ""),
        last_name=row.values.get("last_name", ""),
        sex=Sex(problems.choice(row, "sex", SEXES) or Sex.FEMALE),
        birth_date=birth_date,
        birth_year=int(birth) if _YEAR.match(birth) else None,
        nationality=row.values.get("nationality"),
    )


def _documents(row: Row, problems: _RowProblems) -> tuple[ids.Document, ...]:
    number = row.values.get("document_number")
    kind = problems.choice(row, "document_kind", DOCUMENT_KINDS)
    if number is None and kind is None:
        return ()
    if number is None or kind is None:
        problems.add(row, "document_number" if number is None else "document_kind", errors.IncompleteDocument())
        return ()
    return (
        ids.Document(
            kind=DocumentKind(kind),
            number=number,
            issuing_country=row.values.get("document_country", ""),
            expires_on=problems.day(row, "document_expiry"),
        ),
    )


def idempotency_key(scheme: str, person: ids.Person) -> str:
    """The key of a file's enrolment: the same person in the same scheme,
    however the file spells their name, is imported once."""
    born = person.birth_date.isoformat() if person.birth_date else str(person.birth_year)
    identity = "|".join((scheme.upper(), ids.normalized_name(person.last_name, person.first_names), born, person.sex))
    return "import:" + hashlib.sha256(identity.encode()).hexdigest()[:48]


def _employer_number(ctx: TenantContext, text: str | None) -> str | None:
    """An employer's registration number as the registry stores it (a NINEA
    compact), or None when the text cannot be one."""
    if text is None:
        return None
    try:
        return employer_service.registration_number(ctx.country, text)
    except DomainError:
        return None


@dataclass(frozen=True)
class _Lookups:
    """What reading a batch's rows needs from the database: schemes by code,
    employers by registration number."""

    schemes: dict[str, UUID]
    employers: dict[str, UUID]


async def _lookups(ctx: TenantContext, rows: Sequence[Row]) -> _Lookups:
    codes = list({row.values["scheme"].strip().upper() for row in rows if "scheme" in row.values})
    numbers = list({number for row in rows if (number := _employer_number(ctx, row.values.get("employer")))})
    schemes = await within(ctx, Scheme).select(Scheme.id, Scheme.code).where(Scheme.code.is_in(codes)) if codes else []
    employers = (
        await within(ctx, Employer)
        .select(Employer.id, Employer.registration_number)
        .where(Employer.registration_number.is_in(numbers))
        if numbers
        else []
    )
    return _Lookups(
        schemes={row["code"]: row["id"] for row in schemes},
        employers={row["registration_number"]: row["id"] for row in employers},
    )


def _enrolment(
    household: _Household, ctx: TenantContext, lookups: _Lookups, problems: _RowProblems
) -> enrolment.Enrolment:
    row = household.member
    values = row.values
    scheme_code = values.get("scheme", "").strip().upper()
    scheme_id = lookups.schemes.get(scheme_code)
    if not scheme_code:
        problems.add(row, "scheme", errors.MissingValue())
    elif scheme_id is None:
        problems.add(row, "scheme", errors.UnknownValue(value=values["scheme"]))
    category = problems.choice(row, "category", CATEGORIES)
    if "category" not in values:
        problems.add(row, "category", errors.MissingValue())
    subsidy = problems.choice(row, "subsidy_group", SUBSIDY_GROUPS)
    person = _person(row, problems)
    jobs: tuple[enrolment.Job, ...] = ()
    if "employer" in values:
        employer_id = lookups.employers.get(_employer_number(ctx, values["employer"]) or "")
        if employer_id is None:
            problems.add(row, "employer", errors.UnknownEmployer(value=values["employer"]))
        else:
            contract = problems.choice(row, "contract", CONTRACTS) or ContractKind.PERMANENT.value
            jobs = (
                enrolment.Job(
                    employer_id=employer_id,
                    contract_kind=ContractKind(contract),
                    staff_number=values.get("staff_number"),
                    salary=problems.amount(row, "salary", ctx.currency),
                    sector=values.get("sector"),
                ),
            )
    artisan = migrant = None
    if category == MemberCategory.ARTISAN:
        artisan = enrolment.ArtisanDetails(
            trade=values.get("trade"),
            trades_register_number=values.get("trades_register"),
            chamber_of_trades=values.get("chamber"),
        )
    if category == MemberCategory.MIGRANT:
        migrant = enrolment.MigrantDetails(
            origin_country=values.get("origin_country"),
            residence_country=values.get("residence_country"),
            status=values.get("migrant_status"),
            consular_registration=values.get("consular_registration"),
        )
    beneficiaries = tuple(
        enrolment.NewBeneficiary(
            relationship=Relationship(problems.choice(b, "relationship", RELATIONSHIPS) or Relationship.OTHER),
            person=_person(b, problems),
            studying=problems.choice(b, "studying", YES_NO) == "yes",
            documents=_documents(b, problems),
        )
        for b in household.beneficiaries
    )
    return enrolment.Enrolment(
        scheme_id=scheme_id,
        category=MemberCategory(category or MemberCategory.SELF_EMPLOYED),
        person=person,
        phone=values.get("phone"),
        address=enrolment.Address(
            region=_region(ctx, values.get("region")),
            department=values.get("department"),
            locality=values.get("locality"),
        ),
        documents=_documents(row, problems),
        beneficiaries=beneficiaries,
        artisan=artisan,
        migrant=migrant,
        jobs=jobs,
        enrolled_on=problems.day(row, "enrolled_on"),
        subsidy_group=SubsidyGroup(subsidy) if subsidy else None,
        idempotency_key=idempotency_key(scheme_code, person),
    )


def _region(ctx: TenantContext, text: str | None) -> str | None:
    """The region's code when the file names it (Thiès), else the text as
    written, for the enrolment's own check to report."""
    if text is None:
        return None
    found = regions.region_named(ctx.country, text)
    return found.code if found else text


_FIELD_COLUMNS = {
    "firstNames": "first_names",
    "lastName": "last_name",
    "sex": "sex",
    "birthDate": "birth",
    "birthYear": "birth",
    "nationality": "nationality",
    "phone": "phone",
    "region": "region",
    "department": "department",
    "locality": "locality",
    "enrolledOn": "enrolled_on",
    "scheme": "scheme",
    "category": "category",
    "subsidyGroup": "subsidy_group",
    "trade": "trade",
    "tradesRegisterNumber": "trades_register",
    "chamberOfTrades": "chamber",
    "originCountry": "origin_country",
    "residenceCountry": "residence_country",
    "consularRegistration": "consular_registration",
    "employer": "employer",
    "staffNumber": "staff_number",
    "salary": "salary",
    "contractKind": "contract",
    "sector": "sector",
    "relationship": "relationship",
    "studying": "studying",
    "documents": "document_number",
    "number": "document_number",
    "kind": "document_kind",
    "issuingCountry": "document_country",
    "expiresOn": "document_expiry",
}


def _located(error: DomainError, household: _Household) -> Problem:
    """Where in the file an enrolment's error points: the row of the person
    it names and the column of the field."""
    path = [part for part in error.path if part != "input"]
    if path and path[0].isdigit():
        path = path[1:]  # the enrolment's place in the batch
    row = household.member
    if (
        len(path) >= 2
        and path[0] == "beneficiaries"
        and path[1].isdigit()
        and int(path[1]) < len(household.beneficiaries)
    ):
        row = household.beneficiaries[int(path[1])]
        path = path[2:]
    names = [part for part in path if not part.isdigit()]
    column = "migrant_status" if names[:1] == ["migrant"] and names[-1:] == ["status"] else None
    for name in reversed(names):
        column = column or _FIELD_COLUMNS.get(name)
    header = HEADERS[column] if column else None
    problem = problem_of(error, row.line, header)
    if header and "field" in problem.params:
        # The person reading the report knows the file's columns, not the API's fields.
        problem.params["field"] = header
    return problem


async def write_members(tx: Transaction, ctx: TenantContext, rows: list[Row]) -> BatchOutcome:
    """Enrol the households of a batch of rows: those whose rows read well and
    pass the enrolment's checks; the others' problems are reported by row."""
    grouped, found = households(rows)
    lookups = await _lookups(ctx, rows)
    ready: list[tuple[_Household, enrolment.Enrolment]] = []
    outcome = BatchOutcome(problems=found)
    for household in grouped:
        problems = _RowProblems()
        data = _enrolment(household, ctx, lookups, problems)
        if problems.found:
            outcome.problems += problems.found
        else:
            ready.append((household, data))
    results = await enrolment.enrol_many(tx, ctx, [data for _, data in ready], date.today(), base=("input",))
    for (household, _), result in zip(ready, results, strict=True):
        size = 1 + len(household.beneficiaries)
        if result.already_there:
            outcome.existing += size
        elif result.member is not None:
            outcome.imported += size
        else:
            outcome.problems += [_located(error, household) for error in result.errors]
    # A household is imported whole or not at all: its rows without a problem
    # of their own say so, so that every row not imported has its line in the report.
    troubled = {problem.line for problem in outcome.problems}
    for household in grouped:
        lines = [row.line for row in (household.member, *household.beneficiaries)]
        if troubled.intersection(lines):
            outcome.problems += [
                problem_of(errors.HouseholdNotImported(household=household.key), line, None)
                for line in lines
                if line not in troubled
            ]
    return outcome


IMPORTER = Importer(columns=COLUMNS, group="household", write=write_members)
"""How a members' file is imported."""
