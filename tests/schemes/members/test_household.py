"""Households: beneficiaries with their own identity, several spouses, and
each one's eligibility on a date under the scheme's dependants' rule."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from tenants.roles import Role
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import artisan, child, enrol, make_scheme, spouse

pytestmark = pytest.mark.usefixtures("migrated")

HOUSEHOLD = """
query ($id: ID!, $on: Date!) {
  member(id: $id) {
    household(on: $on) { firstNames relationship eligibility(on: $on) { eligible reason endsOn } }
  }
}
"""

ADD = """
mutation ($input: BeneficiaryAddInput!) {
  beneficiaryAdd(input: $input) {
    __typename
    ... on Beneficiary { id firstNames relationship addedOn }
    ... on BeneficiaryAddError { code path message }
  }
}
"""

REMOVE = """
mutation ($input: BeneficiaryRemoveInput!) {
  beneficiaryRemove(input: $input) {
    __typename
    ... on Beneficiary { firstNames removedOn removalReason }
    ... on BeneficiaryRemoveError { code path message }
  }
}
"""


def _covered(ends_on: str | None = None) -> dict[str, Any]:
    return {"eligible": True, "reason": None, "endsOn": ends_on}


async def test_eligibility_by_age_relationship_and_date(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx, effective_from=date(2020, 1, 1))
    household = (
        spouse("Aminata"),
        spouse("Khady"),
        spouse("Mariama"),
        spouse("Coumba"),
        spouse("Astou"),
        child("Binta", date(2004, 6, 15)),
        child("Ibou", date(2004, 6, 15), studying=True),
        child("Lamine", date(2012, 1, 1)),
    )
    member = await enrol(ctx, artisan(scheme, beneficiaries=household), today=date(2024, 1, 10))
    member_id = to_base64("Member", member.id)
    token = await token_for(client, tenant, Role.MANAGER)

    async def on(day: str) -> list[Any]:
        body = await graphql(client, HOUSEHOLD, token=token, id=member_id, on=day)
        assert "errors" not in body, body
        return [(b["firstNames"], b["eligibility"]) for b in body["data"]["member"]["household"]]

    spouses = [
        ("Aminata", _covered()),
        ("Khady", _covered()),
        ("Mariama", _covered()),
        ("Coumba", _covered()),
        ("Astou", {"eligible": False, "reason": "SPOUSE_LIMIT", "endsOn": None}),
    ]
    assert await on("2025-06-14") == [
        *spouses,
        ("Binta", _covered("2025-06-15")),
        ("Ibou", _covered("2029-06-15")),
        ("Lamine", _covered("2033-01-01")),
    ]
    assert await on("2025-06-15") == [
        *spouses,
        ("Binta", {"eligible": False, "reason": "AGE_LIMIT", "endsOn": "2025-06-15"}),
        ("Ibou", _covered("2029-06-15")),
        ("Lamine", _covered("2033-01-01")),
    ]
    assert await on("2023-12-31") == []


async def test_beneficiaries_are_added_and_removed(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme, beneficiaries=(spouse("Aminata"),)), today=date(2024, 1, 10))
    member_id = to_base64("Member", member.id)
    agent = await token_for(client, tenant, Role.AGENT)
    manager = await token_for(client, tenant, Role.MANAGER)
    newborn = {
        "relationship": "CHILD",
        "person": {"firstNames": "Awa", "lastName": "Diop", "sex": "FEMALE", "birthDate": "2024-02-01"},
        "addedOn": "2024-02-03",
    }
    added = (await graphql(client, ADD, token=agent, input={"member": member_id, "beneficiary": newborn}))["data"]
    assert added["beneficiaryAdd"]["__typename"] == "Beneficiary"
    second_wife = {
        "relationship": "SPOUSE",
        "person": {"firstNames": "Khady", "lastName": "Fall", "sex": "FEMALE", "birthYear": 1992},
        "addedOn": "2024-03-01",
    }
    await graphql(client, ADD, token=agent, input={"member": member_id, "beneficiary": second_wife})
    removal = {"id": added["beneficiaryAdd"]["id"], "removedOn": "2024-05-01", "reason": "Rattachée à sa mère"}
    removed = await graphql(client, REMOVE, token=manager, input=removal)
    assert removed["data"]["beneficiaryRemove"] == {
        "__typename": "Beneficiary",
        "firstNames": "Awa",
        "removedOn": "2024-05-01",
        "removalReason": "Rattachée à sa mère",
    }
    again = await graphql(client, REMOVE, token=manager, input=removal)
    assert again["data"]["beneficiaryRemove"] == {
        "__typename": "BeneficiaryRemoveError",
        "code": "BENEFICIARY_REMOVED",
        "path": ["input", "id"],
        "message": "Ce bénéficiaire a déjà quitté le foyer le 2024-05-01.",
    }
    forbidden = await graphql(client, REMOVE, token=agent, input=removal)
    assert forbidden["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    names = {}
    for day in ("2024-02-02", "2024-03-01", "2024-05-01"):
        body = await graphql(client, HOUSEHOLD, token=manager, id=member_id, on=day)
        names[day] = [b["firstNames"] for b in body["data"]["member"]["household"]]
    assert names == {
        "2024-02-02": ["Aminata"],
        "2024-03-01": ["Aminata", "Awa", "Khady"],
        "2024-05-01": ["Aminata", "Khady"],
    }


async def test_a_tenant_not_approved_cannot_add_a_beneficiary(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    member = await enrol(ctx, artisan(await make_scheme(ctx)), today=date(2024, 1, 10))
    token = await token_for(client, tenant, Role.AGENT)
    await change_out_of_band(owner, "UPDATE tenants SET status = 'suspended' WHERE id = $1", tenant.id)
    newborn = {
        "relationship": "CHILD",
        "person": {"firstNames": "Awa", "lastName": "Diop", "sex": "FEMALE", "birthDate": "2024-02-01"},
    }
    variables = {"input": {"member": to_base64("Member", member.id), "beneficiary": newborn}}
    french = await graphql(client, ADD, token=token, **variables)
    english = await graphql(client, ADD, token=token, language="en", **variables)
    assert [french["data"], english["data"]] == [
        {
            "beneficiaryAdd": {
                "__typename": "BeneficiaryAddError",
                "code": "TENANT_NOT_APPROVED",
                "path": ["input"],
                "message": "Cette structure n'est pas agréée (statut : suspended) : elle ne peut pas encore enrôler.",
            }
        },
        {
            "beneficiaryAdd": {
                "__typename": "BeneficiaryAddError",
                "code": "TENANT_NOT_APPROVED",
                "path": ["input"],
                "message": "This organisation is not licensed (status: suspended): it cannot enrol yet.",
            }
        },
    ]
    assert await owner.fetchval("SELECT count(*) FROM beneficiaries WHERE member_id = $1", member.id) == 0
