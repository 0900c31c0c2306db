"""Schemes and rule versions over GraphQL: behaviour, localized errors,
other tenants' schemes not found, the role matrix, the ministry's audited
reads, and constant statement counts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.schemes.rules.documents import CMU

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


CREATE = """
mutation ($code: String!, $categories: [MemberCategory!]!) {
  schemeCreate(input: {code: $code, name: "Couverture maladie universelle", branch: HEALTH, categories: $categories}) {
    __typename
    ... on Scheme { id code name branch categories status }
    ... on SchemeCreateError { errorCode: code path message }
  }
}
"""

VERSION = """
mutation ($scheme: ID!, $from: Date!, $rate: Int!) {
  schemeRuleVersionCreate(input: {
    schemeId: $scheme, effectiveFrom: $from,
    contribution: {basis: PER_BENEFICIARY, period: YEARLY, amount: 7000, registrationFee: 2000,
                   shares: [{payer: MEMBER, share: 5000}, {payer: STATE, share: 5000}], subsidyGroups: [CASH_TRANSFER]},
    rights: {waitingPeriods: [{careCategory: CONSULTATION, days: 90}], graceDays: 30},
    benefits: [{careCategory: CONSULTATION, facilityLevel: PUBLIC, coverageRate: 8000},
               {careCategory: DRUGS, facilityLevel: PRIVATE, coverageRate: $rate, ceilingPerBeneficiaryYear: 100000}],
    dependents: {childAgeLimit: 21, studentAgeLimit: 25, spousesAllowed: 4}
  }) {
    __typename
    ... on SchemeRuleVersion { id number effectiveFrom usedThrough currency }
    ... on SchemeRuleVersionCreateError { code path message }
  }
}
"""

SCHEME = """
query ($id: ID!) {
  scheme(id: $id) {
    code
    currentVersion { number }
    versionOn(date: "2027-01-15") {
      number effectiveFrom currency
      contribution { basis period amount rate registrationFee shares { payer share } subsidyGroups }
      rights { waitingPeriods { careCategory days } graceDays unpaidPeriodsBeforeSuspension }
      benefits { careCategory facilityLevel coverageRate fixedAmount ceilingPerBeneficiaryYear priorAuthorisation }
      dependents { childAgeLimit studentAgeLimit spousesAllowed husbandCovered othersAdmitted }
    }
    versions { number effectiveFrom }
  }
}
"""


async def _create(client: httpx.AsyncClient, token: str, code: str = "CMU") -> dict[str, Any]:
    body = await graphql(client, CREATE, token=token, code=code, categories=["ARTISAN"])
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["schemeCreate"]
    return result


async def test_a_scheme_with_its_versions(client: httpx.AsyncClient, mutual: Tenant) -> None:
    token = await token_for(client, mutual, Role.TENANT_ADMIN)
    scheme = await _create(client, token)
    assert {k: v for k, v in scheme.items() if k != "id"} == {
        "__typename": "Scheme",
        "code": "CMU",
        "name": "Couverture maladie universelle",
        "branch": "HEALTH",
        "categories": ["ARTISAN"],
        "status": "DRAFT",
    }
    first = await graphql(client, VERSION, token=token, scheme=scheme["id"], rate=4000, **{"from": "2026-01-01"})
    second = await graphql(client, VERSION, token=token, scheme=scheme["id"], rate=5000, **{"from": "2027-01-01"})
    made = [body["data"]["schemeRuleVersionCreate"] for body in (first, second)]
    assert [{k: v for k, v in m.items() if k != "id"} for m in made] == [
        {
            "__typename": "SchemeRuleVersion",
            "number": 1,
            "effectiveFrom": "2026-01-01",
            "usedThrough": None,
            "currency": "XOF",
        },
        {
            "__typename": "SchemeRuleVersion",
            "number": 2,
            "effectiveFrom": "2027-01-01",
            "usedThrough": None,
            "currency": "XOF",
        },
    ]
    body = await graphql(client, SCHEME, token=token, id=scheme["id"])
    assert body == {
        "data": {
            "scheme": {
                "code": "CMU",
                "currentVersion": {"number": 1 if date.today() < date(2027, 1, 1) else 2},
                "versionOn": {
                    "number": 2,
                    "effectiveFrom": "2027-01-01",
                    "currency": "XOF",
                    "contribution": {
                        "basis": "PER_BENEFICIARY",
                        "period": "YEARLY",
                        "amount": 7000,
                        "rate": None,
                        "registrationFee": 2000,
                        "shares": [{"payer": "MEMBER", "share": 5000}, {"payer": "STATE", "share": 5000}],
                        "subsidyGroups": ["CASH_TRANSFER"],
                    },
                    "rights": {
                        "waitingPeriods": [{"careCategory": "CONSULTATION", "days": 90}],
                        "graceDays": 30,
                        "unpaidPeriodsBeforeSuspension": 1,
                    },
                    "benefits": [
                        {
                            "careCategory": "CONSULTATION",
                            "facilityLevel": "PUBLIC",
                            "coverageRate": 8000,
                            "fixedAmount": None,
                            "ceilingPerBeneficiaryYear": None,
                            "priorAuthorisation": False,
                        },
                        {
                            "careCategory": "DRUGS",
                            "facilityLevel": "PRIVATE",
                            "coverageRate": 5000,
                            "fixedAmount": None,
                            "ceilingPerBeneficiaryYear": 100000,
                            "priorAuthorisation": False,
                        },
                    ],
                    "dependents": {
                        "childAgeLimit": 21,
                        "studentAgeLimit": 25,
                        "spousesAllowed": 4,
                        "husbandCovered": False,
                        "othersAdmitted": False,
                    },
                },
                "versions": [
                    {"number": 2, "effectiveFrom": "2027-01-01"},
                    {"number": 1, "effectiveFrom": "2026-01-01"},
                ],
            }
        }
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "Le taux doit être compris entre 0 et 10 000 points de base (0 à 100 %), et non 12000."),
        ("en", "The rate must be between 0 and 10,000 basis points (0 to 100 %), not 12000."),
    ],
)
async def test_an_invalid_rate_names_its_field_in_the_callers_language(
    client: httpx.AsyncClient, mutual: Tenant, language: str | None, message: str
) -> None:
    token = await token_for(client, mutual, Role.TENANT_ADMIN)
    scheme = await _create(client, token)
    body = await graphql(
        client, VERSION, token=token, language=language, scheme=scheme["id"], rate=12000, **{"from": "2027-01-01"}
    )
    assert body == {
        "data": {
            "schemeRuleVersionCreate": {
                "__typename": "SchemeRuleVersionCreateError",
                "code": "RATE_OUT_OF_RANGE",
                "path": ["input", "benefits", "1", "coverageRate"],
                "message": message,
            }
        }
    }


async def test_a_used_version_cannot_be_updated(client: httpx.AsyncClient, mutual: Tenant) -> None:
    token = await token_for(client, mutual, Role.TENANT_ADMIN)
    scheme = await _create(client, token)
    made = await graphql(client, VERSION, token=token, scheme=scheme["id"], rate=5000, **{"from": "2027-01-01"})
    version = made["data"]["schemeRuleVersionCreate"]
    update = VERSION.replace("RuleVersionCreate", "RuleVersionUpdate").replace("schemeId: $scheme", "id: $scheme")
    edited = await graphql(client, update, token=token, scheme=version["id"], rate=6000, **{"from": "2027-02-01"})
    assert {k: v for k, v in edited["data"]["schemeRuleVersionUpdate"].items() if k != "id"} == {
        "__typename": "SchemeRuleVersion",
        "number": 1,
        "effectiveFrom": "2027-02-01",
        "usedThrough": None,
        "currency": "XOF",
    }
    ctx = await context(mutual)
    async with tenant_tx(ctx) as tx:
        found = await scheme_service.version_in_force(tx, ctx, scheme_service_id(scheme["id"]), date(2027, 2, 1))
        assert found is not None
        await scheme_service.mark_used(tx, ctx, found.id, date(2027, 12, 31))
    refused = await graphql(client, update, token=token, scheme=version["id"], rate=6000, **{"from": "2027-02-01"})
    assert refused == {
        "data": {
            "schemeRuleVersionUpdate": {
                "__typename": "SchemeRuleVersionUpdateError",
                "code": "RULE_VERSION_USED",
                "path": ["input", "id"],
                "message": "La version 1 a servi jusqu'au 2027-12-31 : créez une nouvelle version.",
            }
        }
    }


def scheme_service_id(global_id: str) -> Any:
    from strawberry import relay

    from tenants.graphql import decode_id

    return decode_id(relay.GlobalID.from_id(global_id), "Scheme")


async def test_another_tenants_scheme_is_not_found(client: httpx.AsyncClient, mutual: Tenant) -> None:
    other = await make_tenant()
    theirs = await _create(client, await token_for(client, other, Role.TENANT_ADMIN))
    token = await token_for(client, mutual, Role.TENANT_ADMIN)
    read = await graphql(client, SCHEME, token=token, id=theirs["id"])
    node = await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", token=token, id=theirs["id"])
    update = await graphql(
        client,
        'mutation ($id: ID!) { schemeUpdate(input: {id: $id, name: "Pris"}) {'
        " __typename ... on SchemeUpdateError { code path } } }",
        token=token,
        id=theirs["id"],
    )
    version = await graphql(client, VERSION, token=token, scheme=theirs["id"], rate=5000, **{"from": "2027-01-01"})
    listed = await graphql(client, "{ schemes { totalCount edges { node { code } } } }", token=token)
    assert (read, node["data"], update["data"]["schemeUpdate"], listed["data"]) == (
        {"data": {"scheme": None}},
        {"node": None},
        {"__typename": "SchemeUpdateError", "code": "SCHEME_NOT_FOUND", "path": ["input", "id"]},
        {"schemes": {"totalCount": 0, "edges": []}},
    )
    assert version["data"]["schemeRuleVersionCreate"]["code"] == "SCHEME_NOT_FOUND"
    still = await graphql(client, SCHEME, token=await token_for(client, other, Role.MANAGER), id=theirs["id"])
    assert (still["data"]["scheme"]["code"], still["data"]["scheme"]["versions"]) == ("CMU", [])


READERS = {Role.TENANT_ADMIN, Role.MANAGER, Role.AGENT, Role.CLAIMS_OFFICER, Role.AUDITOR}


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER}])
async def test_role_matrix(client: httpx.AsyncClient, mutual: Tenant, role: Role) -> None:
    token = await token_for(client, mutual, role)
    listed = await graphql(client, "{ schemes { totalCount } }", token=token)
    created = await graphql(client, CREATE, token=token, code=f"R-{role.value[:8].upper()}", categories=["ARTISAN"])
    read_code = None if role in READERS else "FORBIDDEN"
    write_code = None if role is Role.TENANT_ADMIN else "FORBIDDEN"
    assert [error["extensions"]["code"] for error in listed.get("errors", [])] == ([read_code] if read_code else [])
    assert [error["extensions"]["code"] for error in created.get("errors", [])] == ([write_code] if write_code else [])


async def _client_token(client: httpx.AsyncClient, tenant: Tenant, scopes: list[str]) -> str:
    admin = await token_for(client, tenant, Role.TENANT_ADMIN)
    body = await graphql(
        client,
        'mutation ($scopes: [String!]!) { apiClientCreate(input: {name: "Appli terrain", scopes: $scopes}) {'
        " ... on ApiClientSecret { clientSecret client { clientId } } } }",
        token=admin,
        scopes=scopes,
    )
    made = body["data"]["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(made["client"]["clientId"], made["clientSecret"]),
    )
    token: str = response.json()["access_token"]
    return token


@pytest.mark.parametrize(("scopes", "reads"), [(["schemes:read"], True), (["members:read"], False)])
async def test_partner_application_scopes(
    client: httpx.AsyncClient, mutual: Tenant, scopes: list[str], reads: bool
) -> None:
    token = await _client_token(client, mutual, scopes)
    listed = await graphql(client, "{ schemes { totalCount } }", token=token)
    created = await graphql(client, CREATE, token=token, code="APPLI", categories=["ARTISAN"])
    assert ("errors" not in listed, [e["extensions"]["code"] for e in created["errors"]]) == (reads, ["FORBIDDEN"])


async def test_a_ministry_reads_its_tenants_schemes_and_the_read_is_audited(client: httpx.AsyncClient) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    supervised = await make_tenant(country=country)
    elsewhere = await make_tenant()
    await _create(client, await token_for(client, supervised, Role.TENANT_ADMIN), "CMU")
    foreign = await _create(client, await token_for(client, elsewhere, Role.TENANT_ADMIN), "AILLEURS")
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    body = await graphql(
        client, "{ supervisedSchemes { totalCount edges { node { id code versions { number } } } } }", token=token
    )
    assert "errors" not in body, body
    page = body["data"]["supervisedSchemes"]
    assert ([node["code"] for node in nodes(page)], page["totalCount"]) == (["CMU"], 1)
    node = await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", token=token, id=foreign["id"])
    own = await graphql(client, "{ schemes { totalCount } }", token=token)
    write = await graphql(client, CREATE, token=token, code="TUTELLE", categories=["ARTISAN"])
    assert (node["data"], own["errors"][0]["extensions"]["code"], write["errors"][0]["extensions"]["code"]) == (
        {"node": None},
        "FORBIDDEN",
        "FORBIDDEN",
    )
    ctx = await context(ministry)
    async with tenant_tx(ctx) as tx:
        events = await tx.fetch(
            "SELECT action, target_type, summary FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%'",
            ministry.id,
        )
    assert [(e["action"], e["target_type"], json.loads(e["summary"])) for e in events] == [
        ("oversight.schemes_read", "country", {})
    ]


async def _count(client: httpx.AsyncClient, statements: StatementCounter, schemes: int) -> int:
    tenant = await make_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    ctx = await context(tenant)
    for number in range(schemes):
        async with tenant_tx(ctx) as tx:
            data = scheme_service.NewScheme(
                code=f"S{number:02}",
                name=f"Régime {number}",
                branch=Branch.HEALTH,
                categories=(MemberCategory.ARTISAN,),
            )
            scheme = await scheme_service.create_scheme(tx, ctx, data)
            for year in (2026, 2027):
                new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(year, 1, 1), document=CMU)
                await scheme_service.create_version(tx, ctx, new)
    statements.statements.clear()
    body = await graphql(
        client,
        '{ schemes(first: 100) { totalCount edges { node { code currentVersion { number } versionOn(date: "2026-06-01")'
        " { number } versions { number benefits { careCategory } } } } } }",
        token=token,
    )
    assert len(body["data"]["schemes"]["edges"]) == schemes, body
    return len(statements.statements)


async def test_same_statements_for_1_and_20_schemes(client: httpx.AsyncClient, statements: StatementCounter) -> None:
    assert (await _count(client, statements, 1), await _count(client, statements, 20)) == (7, 7)
