"""Enrolment through GraphQL: each category's fields, the scheme's
categories, a licensed tenant only, exact duplicates and idempotency keys."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from schemes.employers.tables import Employer
from schemes.rules.model import MemberCategory
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import ENROL, artisan_input, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

TODAY = date.today().isoformat()


async def _employer(ctx: TenantContext, name: str = "Sococim Industries") -> Employer:
    async with tenant_tx(ctx) as tx:
        return await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name=name, registration_number="3067221", sector="Industrie")
        )


async def _setup(
    categories: tuple[MemberCategory, ...] | None = None,
) -> tuple[Tenant, TenantContext, str]:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx, **({"categories": categories} if categories else {}))
    SCHEME_CODES[to_base64("Scheme", scheme.id)] = scheme.code
    return tenant, ctx, to_base64("Scheme", scheme.id)


SCHEME_CODES: dict[str, str] = {}


async def _enrol(client: httpx.AsyncClient, token: str, input: dict[str, Any], language: str | None = None) -> Any:  # noqa: A002
    body = await graphql(client, ENROL, token=token, language=language, input=input)
    assert "errors" not in body, body
    return body["data"]["memberEnrol"]


async def test_an_agent_enrols_an_artisan_with_a_household(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    given = artisan_input(
        scheme,
        documents=[{"kind": "NATIONAL_ID_CARD", "number": "1 751 1980 01234", "issuingCountry": "SN"}],
        beneficiaries=[
            {
                "relationship": "SPOUSE",
                "person": {"firstNames": "Fatou", "lastName": "Ndiaye", "sex": "MALE", "birthYear": 1986},
            },
            {
                "relationship": "CHILD",
                "person": {"firstNames": "Ousmane", "lastName": "Sène", "sex": "MALE", "birthDate": "2015-09-01"},
                "studying": True,
            },
        ],
    )
    result = await _enrol(client, token, given)
    member = result["member"]
    assert result["__typename"] == "MemberEnrolment" and result["alreadyThere"] is False
    member.pop("id")
    assert member == {
        "number": "0000018",
        "status": "PENDING",
        "statusSince": TODAY,
        "category": "ARTISAN",
        "enrolledOn": TODAY,
        "firstNames": "Awa",
        "lastName": "Sène",
        "sex": "FEMALE",
        "birthDate": "1990-03-04",
        "birthDateApproximate": False,
        "birthYear": None,
        "nationality": "SN",
        "phone": "+221765551234",
        "address": {
            "country": "SN",
            "region": "SN-TH",
            "department": "SN-TH-01",
            "departmentName": "Mbour",
            "locality": "Saly",
        },
        "artisan": {
            "trade": "Coiffeuse",
            "tradesRegisterNumber": "RM-TH-2021-0107",
            "chamberOfTrades": "Chambre des métiers de Thiès",
        },
        "migrant": None,
        "documents": [
            {"kind": "NATIONAL_ID_CARD", "number": "1 751 1980 01234", "issuingCountry": "SN", "expiresOn": None}
        ],
        "beneficiaries": [
            {
                "relationship": "SPOUSE",
                "firstNames": "Fatou",
                "lastName": "Ndiaye",
                "sex": "MALE",
                "birthDate": "1986-01-01",
                "birthDateApproximate": True,
                "studying": False,
                "addedOn": TODAY,
                "removedOn": None,
            },
            {
                "relationship": "CHILD",
                "firstNames": "Ousmane",
                "lastName": "Sène",
                "sex": "MALE",
                "birthDate": "2015-09-01",
                "birthDateApproximate": False,
                "studying": True,
                "addedOn": TODAY,
                "removedOn": None,
            },
        ],
        "employments": [],
        "statusHistory": [{"fromStatus": None, "toStatus": "PENDING", "effectiveOn": TODAY, "reason": None}],
        "scheme": {"code": SCHEME_CODES[scheme]},
    }


def _refusal(result: dict[str, Any]) -> tuple[str, str, list[str]]:
    assert result["__typename"] == "MemberEnrolError", result
    return result["code"], result["message"], result["path"]


REQUIRED = [
    (
        "ARTISAN",
        {"artisan": {"trade": "Menuisier", "chamberOfTrades": "Chambre des métiers de Dakar"}},
        (
            "FIELD_REQUIRED",
            "Le champ « N° au répertoire des métiers » est obligatoire pour la catégorie « artisan ».",
            ["input", "artisan", "tradesRegisterNumber"],
        ),
    ),
    (
        "ARTISAN",
        {"artisan": None},
        (
            "FIELD_REQUIRED",
            "Le champ « Métier » est obligatoire pour la catégorie « artisan ».",
            ["input", "artisan", "trade"],
        ),
    ),
    (
        "MIGRANT",
        {"migrant": {"originCountry": "SN", "residenceCountry": "FR"}},
        (
            "FIELD_REQUIRED",
            "Le champ « Situation » est obligatoire pour la catégorie « migrant ».",
            ["input", "migrant", "status"],
        ),
    ),
    (
        "MIGRANT",
        {"migrant": {"originCountry": "SN", "residenceCountry": "XX", "status": "Travailleur"}},
        (
            "INVALID_COUNTRY",
            "« XX » n'est pas un code pays ISO 3166-1 (deux lettres, par exemple SN).",
            ["input", "migrant", "residenceCountry"],
        ),
    ),
    (
        "SALARIED",
        {},
        (
            "FIELD_REQUIRED",
            "Le champ « Emploi » est obligatoire pour la catégorie « salarié ».",
            ["input", "employments"],
        ),
    ),
    (
        "SALARIED",
        {"employments": [{"contractKind": "PERMANENT", "staffNumber": "M-0042"}]},
        (
            "FIELD_REQUIRED",
            "Le champ « Salaire mensuel » est obligatoire pour la catégorie « salarié ».",
            ["input", "employments", "0", "salary"],
        ),
    ),
    (
        "SALARIED",
        {"employments": [{"contractKind": "DAY", "staffNumber": "M-0042", "salary": 250000}]},
        (
            "INVALID_CONTRACT_KIND",
            "Ce type de contrat ne convient pas à la catégorie « salarié » : un salarié est permanent, un travailleur "
            "précaire journalier, saisonnier ou temporaire.",
            ["input", "employments", "0", "contractKind"],
        ),
    ),
    (
        "PRECARIOUS_WORKER",
        {"employments": [{"contractKind": "SEASONAL"}]},
        (
            "FIELD_REQUIRED",
            "Le champ « Secteur d'activité » est obligatoire pour la catégorie « travailleur précaire ».",
            ["input", "employments", "0", "sector"],
        ),
    ),
    (
        "SELF_EMPLOYED",
        {"artisan": {"trade": "Tailleur"}},
        (
            "FIELD_NOT_ALLOWED",
            "Ces informations ne concernent pas la catégorie « indépendant ».",
            ["input", "artisan"],
        ),
    ),
]


@pytest.mark.parametrize(("category", "overrides", "expected"), REQUIRED)
async def test_each_category_requires_its_fields(
    client: httpx.AsyncClient, category: str, overrides: dict[str, Any], expected: tuple[str, str, list[str]]
) -> None:
    tenant, ctx, scheme = await _setup()
    employer = to_base64("Employer", (await _employer(ctx)).id)
    for employment in overrides.get("employments", []):
        employment["employer"] = employer
    token = await token_for(client, tenant, Role.AGENT)
    given = artisan_input(scheme, **{"category": category, "artisan": None, **overrides})
    assert _refusal(await _enrol(client, token, given)) == expected


EVERY_REFUSAL = """
mutation ($input: MemberEnrolInput!) {
  memberEnrol(input: $input) { ... on MemberEnrolError { code path others { code path message } } }
}
"""


async def test_an_enrolment_with_several_wrong_fields_tells_them_all(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    given = artisan_input(scheme, phone="77 12", artisan={"trade": "Menuisier"})

    body = await graphql(client, EVERY_REFUSAL, token=token, input=given)

    assert body["data"]["memberEnrol"] == {
        "code": "INVALID_PHONE",
        "path": ["input", "phone"],
        "others": [
            {
                "code": "FIELD_REQUIRED",
                "path": ["input", "artisan", "tradesRegisterNumber"],
                "message": "Le champ « N° au répertoire des métiers » est obligatoire pour la catégorie « artisan ».",
            },
            {
                "code": "FIELD_REQUIRED",
                "path": ["input", "artisan", "chamberOfTrades"],
                "message": "Le champ « Chambre de métiers » est obligatoire pour la catégorie « artisan ».",
            },
        ],
    }


async def test_each_category_enrols_with_its_fields(client: httpx.AsyncClient) -> None:
    tenant, ctx, scheme = await _setup()
    employer = to_base64("Employer", (await _employer(ctx)).id)
    token = await token_for(client, tenant, Role.MANAGER)
    salaried = artisan_input(
        scheme,
        category="SALARIED",
        artisan=None,
        employments=[{"employer": employer, "contractKind": "PERMANENT", "staffNumber": "M-0042", "salary": 350000}],
    )
    precarious = artisan_input(
        scheme,
        category="PRECARIOUS_WORKER",
        artisan=None,
        employments=[
            {"employer": employer, "contractKind": "DAY", "sector": "BTP"},
            {"employer": employer, "contractKind": "SEASONAL", "sector": "Agriculture"},
        ],
    )
    migrant = artisan_input(
        scheme,
        category="MIGRANT",
        artisan=None,
        migrant={
            "originCountry": "sn",
            "residenceCountry": "FR",
            "status": "Travailleur",
            "consularRegistration": "CP-75-0012",
        },
    )
    self_employed = artisan_input(scheme, category="SELF_EMPLOYED", artisan=None)
    found = [await _enrol(client, token, given) for given in (salaried, precarious, migrant, self_employed)]
    assert [
        (r["member"]["category"], r["member"]["employments"], r["member"]["migrant"], r["member"]["artisan"])
        for r in found
    ] == [
        (
            "SALARIED",
            [
                {
                    "staffNumber": "M-0042",
                    "salary": 350000,
                    "currency": "XOF",
                    "contractKind": "PERMANENT",
                    "sector": "",
                    "employer": {"name": "Sococim Industries"},
                }
            ],
            None,
            None,
        ),
        (
            "PRECARIOUS_WORKER",
            [
                {
                    "staffNumber": None,
                    "salary": None,
                    "currency": None,
                    "contractKind": "DAY",
                    "sector": "BTP",
                    "employer": {"name": "Sococim Industries"},
                },
                {
                    "staffNumber": None,
                    "salary": None,
                    "currency": None,
                    "contractKind": "SEASONAL",
                    "sector": "Agriculture",
                    "employer": {"name": "Sococim Industries"},
                },
            ],
            None,
            None,
        ),
        (
            "MIGRANT",
            [],
            {
                "originCountry": "SN",
                "residenceCountry": "FR",
                "status": "Travailleur",
                "consularRegistration": "CP-75-0012",
            },
            None,
        ),
        ("SELF_EMPLOYED", [], None, None),
    ]


async def test_the_scheme_must_admit_the_category(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await _setup(categories=(MemberCategory.SALARIED,))
    token = await token_for(client, tenant, Role.AGENT)
    assert _refusal(await _enrol(client, token, artisan_input(scheme))) == (
        "CATEGORY_NOT_ADMITTED",
        "Ce régime n'admet pas la catégorie « artisan ».",
        ["input", "category"],
    )
    assert _refusal(await _enrol(client, token, artisan_input(scheme), language="en")) == (
        "CATEGORY_NOT_ADMITTED",
        "This scheme does not admit the category “artisan”.",
        ["input", "category"],
    )


ADDRESS = """query ($id: ID!) { member(id: $id) { address { region department departmentName } } }"""
MOVE = """mutation ($input: MemberUpdateInput!) { memberUpdate(input: $input) {
  __typename ... on Member { address { region department departmentName } } ... on MemberUpdateError { code path message }
} }"""


async def test_the_department_is_checked_by_code_or_name_and_stored_as_its_code(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await _setup()
    agent = await token_for(client, tenant, Role.AGENT)
    manager = await token_for(client, tenant, Role.MANAGER)
    stored = []
    for region, department in [("SN-TH", "sn-th-02"), ("SN-TH", " THIES "), ("SN-SL", "saint louis"), ("SN-DK", None)]:
        address = {"region": region, "department": department, "locality": "Escale"}
        member_id = (await _enrol(client, agent, artisan_input(scheme, address=address)))["member"]["id"]
        stored.append((await graphql(client, ADDRESS, token=manager, id=member_id))["data"]["member"]["address"])
    assert stored == [
        {"region": "SN-TH", "department": "SN-TH-02", "departmentName": "Thiès"},
        {"region": "SN-TH", "department": "SN-TH-02", "departmentName": "Thiès"},
        {"region": "SN-SL", "department": "SN-SL-03", "departmentName": "Saint-Louis"},
        {"region": "SN-DK", "department": None, "departmentName": None},
    ]
    refusals = [
        _refusal(await _enrol(client, agent, artisan_input(scheme, address=address), language=language))
        for address, language in [
            ({"region": "SN-TH", "department": "Pikine"}, None),
            ({"region": "SN-TH", "department": "SN-DK-03"}, "en"),
            ({"department": "Mbour"}, None),
        ]
    ]
    assert refusals == [
        (
            "UNKNOWN_DEPARTMENT",
            "« Pikine » n'est pas un département de la région SN-TH.",
            ["input", "address", "department"],
        ),
        (
            "UNKNOWN_DEPARTMENT",
            "“SN-DK-03” is not a department of region SN-TH.",
            ["input", "address", "department"],
        ),
        (
            "UNKNOWN_DEPARTMENT",
            "« Mbour » n'est pas un département de la région -.",
            ["input", "address", "department"],
        ),
    ]
    moved = await graphql(
        client, MOVE, token=manager, input={"id": member_id, "address": {"region": "SN-DK", "department": "pikine"}}
    )
    wrong = await graphql(
        client, MOVE, token=manager, input={"id": member_id, "address": {"region": "SN-DK", "department": "Mbour"}}
    )
    assert [moved["data"]["memberUpdate"], wrong["data"]["memberUpdate"]] == [
        {"__typename": "Member", "address": {"region": "SN-DK", "department": "SN-DK-03", "departmentName": "Pikine"}},
        {
            "__typename": "MemberUpdateError",
            "code": "UNKNOWN_DEPARTMENT",
            "path": ["input", "address", "department"],
            "message": "« Mbour » n'est pas un département de la région SN-DK.",
        },
    ]


async def test_identity_errors_name_their_field(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    cases = [
        (
            {"person": {"firstNames": "Awa", "lastName": " ", "sex": "FEMALE", "birthYear": 1990}},
            ("INVALID_TEXT_LENGTH", ["input", "person", "lastName"]),
        ),
        (
            {"person": {"firstNames": "Awa", "lastName": "Sène", "sex": "FEMALE"}},
            ("INVALID_BIRTH", ["input", "person", "birthDate"]),
        ),
        (
            {"person": {"firstNames": "Awa", "lastName": "Sène", "sex": "FEMALE", "birthYear": 1850}},
            ("INVALID_BIRTH", ["input", "person", "birthYear"]),
        ),
        (
            {
                "beneficiaries": [
                    {"relationship": "CHILD", "person": {"firstNames": "Binta", "lastName": "Sène", "sex": "FEMALE"}}
                ]
            },
            ("INVALID_BIRTH", ["input", "beneficiaries", "0", "person", "birthDate"]),
        ),
        ({"phone": "12"}, ("INVALID_PHONE", ["input", "phone"])),
        ({"address": {"region": "FR-IDF"}}, ("INVALID_REGION", ["input", "address", "region"])),
        (
            {"documents": [{"kind": "PASSPORT", "number": "--"}]},
            ("INVALID_DOCUMENT_NUMBER", ["input", "documents", "0", "number"]),
        ),
        (
            {"scheme": to_base64("Scheme", "0" * 8 + "-0000-0000-0000-" + "0" * 12)},
            ("SCHEME_NOT_FOUND", ["input", "scheme"]),
        ),
    ]
    for overrides, expected in cases:
        code, _, path = _refusal(await _enrol(client, token, artisan_input(scheme, **overrides)))
        assert (code, path) == expected
    member_id = (await _enrol(client, token, artisan_input(scheme)))["member"]["id"]
    manager = await token_for(client, tenant, Role.MANAGER)
    renamed = await graphql(
        client,
        MOVE,
        token=manager,
        input={"id": member_id, "person": {"firstNames": "Awa", "lastName": " ", "sex": "FEMALE", "birthYear": 1990}},
    )
    update = renamed["data"]["memberUpdate"]
    assert (update["code"], update["path"]) == ("INVALID_TEXT_LENGTH", ["input", "person", "lastName"])


async def test_a_tenant_not_approved_cannot_enrol(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    await change_out_of_band(owner, "UPDATE tenants SET status = 'suspended' WHERE id = $1", tenant.id)
    assert _refusal(await _enrol(client, token, artisan_input(scheme))) == (
        "TENANT_NOT_APPROVED",
        "Cette structure n'est pas agréée (statut : suspended) : elle ne peut pas encore enrôler.",
        ["input"],
    )
    assert await owner.fetchval("SELECT count(*) FROM members WHERE tenant_id = $1", tenant.id) == 0


async def test_the_same_document_is_refused_naming_the_member(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    document = {"kind": "PASSPORT", "number": "A0123456", "issuingCountry": "SN"}
    first = await _enrol(client, token, artisan_input(scheme, documents=[document]))
    again = {"kind": "PASSPORT", "number": "a 0123-456", "issuingCountry": "SN"}
    beneficiary = {
        "relationship": "CHILD",
        "person": {"firstNames": "Ali", "lastName": "Sène", "sex": "MALE", "birthYear": 2010},
        "documents": [again],
    }
    refusal = _refusal(await _enrol(client, token, artisan_input(scheme, beneficiaries=[beneficiary])))
    number = first["member"]["number"]
    assert refusal == (
        "DUPLICATE_DOCUMENT",
        f"Cette pièce d'identité est déjà enregistrée pour l'adhérent n° {number}.",
        ["input", "beneficiaries", "0", "documents", "0", "number"],
    )
    other = await _enrol(client, token, artisan_input(scheme, documents=[{**document, "issuingCountry": "ML"}]))
    assert other["__typename"] == "MemberEnrolment"
    assert await owner.fetchval("SELECT count(*) FROM members WHERE tenant_id = $1", tenant.id) == 2


async def test_two_enrolments_with_one_document_at_once(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    document = {"kind": "CONSULAR_CARD", "number": "CC-2024-777", "issuingCountry": "SN"}
    results = await asyncio.gather(
        *(_enrol(client, token, artisan_input(scheme, documents=[document])) for _ in range(2))
    )
    assert sorted(r["__typename"] for r in results) == ["MemberEnrolError", "MemberEnrolment"]
    (made,) = [r for r in results if r["__typename"] == "MemberEnrolment"]
    (refused,) = [r for r in results if r["__typename"] == "MemberEnrolError"]
    assert (refused["code"], refused["path"]) == ("DUPLICATE_DOCUMENT", ["input", "documents", "0", "number"])
    assert made["member"]["number"] in refused["message"]
    assert await owner.fetchval("SELECT count(*) FROM members WHERE tenant_id = $1", tenant.id) == 1


async def test_an_idempotency_key_sent_twice_enrols_once(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    given = artisan_input(scheme, idempotencyKey="tablette-07:2026-12-01:0001")
    first = await _enrol(client, token, given)
    second = await _enrol(client, token, given)
    assert (first["alreadyThere"], second["alreadyThere"]) == (False, True)
    assert second["member"] == first["member"]
    assert await owner.fetchval("SELECT count(*) FROM members WHERE tenant_id = $1", tenant.id) == 1


async def test_an_idempotency_key_sent_20_times_at_once_enrols_once(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant, _, scheme = await _setup()
    token = await token_for(client, tenant, Role.AGENT)
    given = artisan_input(scheme, idempotencyKey="tablette-09:lot-3")
    results = await asyncio.gather(*(_enrol(client, token, given) for _ in range(20)))
    assert sorted(r["alreadyThere"] for r in results) == [False] + [True] * 19
    assert {r["member"]["id"] for r in results} == {results[0]["member"]["id"]}
    counts = await owner.fetchrow(
        "SELECT (SELECT count(*) FROM members WHERE tenant_id = $1) AS members,"
        " (SELECT count(*) FROM identity_documents WHERE tenant_id = $1) AS documents,"
        " (SELECT last_value FROM membership_numberings WHERE tenant_id = $1) AS issued",
        tenant.id,
    )
    assert tuple(counts) == (1, 1, 1)
