"""Double affiliation seen by the ministry only: people enrolled in several
mutuals of its country, matched on identity documents or on alike names
with the same date of birth, each tenant shown recorded as an oversight
read; a mutual's manager is refused, another country's ministry sees nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.members import enrolment, lifecycle
from schemes.members import identity as ids
from schemes.members.tables import DocumentKind, MemberStatus, TerminationReason
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.duplicates.factories import person
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

AFFILIATIONS = """query ($first: Int, $after: String) { doubleAffiliations(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { firstNames lastName birthDate matchedOn memberships { tenant tenantName member number status } } }
} }"""


def _card(number: str) -> ids.Document:
    return ids.Document(kind=DocumentKind.NATIONAL_ID_CARD, number=number, issuing_country="SN")


async def _enrol(tenant: Any, batch: list[enrolment.Enrolment]) -> list[Any]:
    """Enrol ``batch`` in a new scheme of ``tenant``."""
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        outcomes = await enrolment.enrol_many(
            tx, ctx, [replace(data, scheme_id=scheme.id) for data in batch], date(2025, 3, 1)
        )
    assert all(outcome.member for outcome in outcomes), outcomes
    return [outcome.member for outcome in outcomes]


@pytest.fixture
async def country() -> dict[str, Any]:
    """Two mutuals of a country: Awa Sarr in both with one ID card written
    two ways, Cheikh Diouf in both by name and birth date, Ibrahima Faye in
    the first only, Ndèye Thiam in both but terminated in the second."""
    code = fresh_country()
    dakar = await make_tenant(country=code, name="Mutuelle des artisans de Dakar")
    thies = await make_tenant(country=code, name="Mutuelle de Thiès")
    placeholder = await make_scheme(await context(dakar))
    first = await _enrol(
        dakar,
        [
            person(placeholder, "Awa", "Sarr", birth_date=date(1988, 2, 1), documents=(_card("1 751 1988 00123"),)),
            person(placeholder, "Cheikh", "Diouf", birth_date=date(1975, 9, 30)),
            person(placeholder, "Ibrahima", "Faye"),
            person(placeholder, "Ndèye", "Thiam", birth_date=date(1992, 4, 4)),
        ],
    )
    second = await _enrol(
        thies,
        [
            person(placeholder, "Awa", "SARR", birth_date=date(1988, 2, 11), documents=(_card("1751198800123"),)),
            person(placeholder, "Cheick", "Diouf", birth_date=date(1975, 9, 30)),
            person(placeholder, "Ndeye", "Thiam", birth_date=date(1992, 4, 4)),
        ],
    )
    thies_ctx = await context(thies)
    async with tenant_tx(thies_ctx) as tx:
        await lifecycle.change_status(
            tx,
            thies_ctx,
            lifecycle.StatusChange(
                member_id=second[2].id,
                to_status=MemberStatus.TERMINATED,
                effective_on=date(2025, 3, 1),
                reason=TerminationReason.RESIGNATION,
            ),
            date(2025, 3, 2),
        )
    return {"code": code, "dakar": dakar, "thies": thies, "first": first, "second": second}


def _membership(tenant: Any, member: Any) -> dict[str, Any]:
    return {
        "tenant": to_base64("Tenant", tenant.id),
        "tenantName": tenant.name,
        "member": to_base64("Member", member.id),
        "number": member.number,
        "status": "PENDING",
    }


async def test_the_ministry_lists_people_in_several_of_its_tenants(
    client: httpx.AsyncClient, country: dict[str, Any], owner: asyncpg.Connection
) -> None:
    c = country
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=c["code"])
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    body = await graphql(client, AFFILIATIONS, token=token)
    listed = body["data"]["doubleAffiliations"]
    diouf = sorted((c["first"][1], c["second"][1]), key=lambda m: (m.normalized_name, m.id))[0]
    sarr = sorted((c["first"][0], c["second"][0]), key=lambda m: (m.normalized_name, m.id))[0]
    assert listed["totalCount"] == 2
    assert [edge["node"] for edge in listed["edges"]] == [
        {
            "firstNames": diouf.first_names,
            "lastName": "Diouf",
            "birthDate": "1975-09-30",
            "matchedOn": ["NAME_BIRTH_DATE"],
            "memberships": [_membership(c["thies"], c["second"][1]), _membership(c["dakar"], c["first"][1])],
        },
        {
            "firstNames": "Awa",
            "lastName": sarr.last_name,
            "birthDate": sarr.birth_date.isoformat(),
            "matchedOn": ["IDENTITY_DOCUMENT"],
            "memberships": [_membership(c["thies"], c["second"][0]), _membership(c["dakar"], c["first"][0])],
        },
    ]
    events = await owner.fetch(
        "SELECT action, target_id FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%' ORDER BY seq",
        ministry.id,
    )
    assert sorted(tuple(event) for event in events) == sorted(
        ("oversight.double_affiliations_read", str(tenant.id)) for tenant in (c["dakar"], c["thies"])
    )
    page = (await graphql(client, AFFILIATIONS, token=token, first=1))["data"]["doubleAffiliations"]
    rest = await graphql(client, AFFILIATIONS, token=token, first=1, after=page["pageInfo"]["endCursor"])
    assert [edge["node"]["lastName"] for edge in page["edges"]] == ["Diouf"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["matchedOn"] for edge in rest["data"]["doubleAffiliations"]["edges"]] == [
        ["IDENTITY_DOCUMENT"]
    ]


async def test_no_one_else_sees_double_affiliations(client: httpx.AsyncClient, country: dict[str, Any]) -> None:
    c = country
    manager = await token_for(client, c["dakar"], Role.MANAGER)
    refused = await graphql(client, AFFILIATIONS, token=manager)
    assert (refused["data"], refused["errors"][0]["extensions"]) == (None, {"code": "FORBIDDEN"})
    elsewhere = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
    token = await token_for(client, elsewhere, Role.MINISTRY_ADMIN)
    body = await graphql(client, AFFILIATIONS, token=token)
    assert body["data"]["doubleAffiliations"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
