"""The members' register: filters, the search by name, number, phone or
document, keyset pages with totalCount, and a plan that stays on indexes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.members import identity as ids
from schemes.members import search
from schemes.members.enrolment import Address
from schemes.members.tables import DocumentKind, MemberStatus
from schemes.rules.model import MemberCategory, Sex
from tenants.roles import Role
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

MEMBERS = """
query ($filter: MemberFilter, $first: Int, $after: String) {
  members(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { lastName firstNames } }
  }
}
"""

PEOPLE = [
    ("Aïssatou", "N'Diaye", Sex.FEMALE, date(1990, 1, 5), "SN-DK", "77 100 00 01", "1751199000001"),
    ("Mamadou Lamine", "Diop", Sex.MALE, date(1975, 7, 1), "SN-TH", "77 100 00 02", "1751197500002"),
    ("Fatou", "Diop", Sex.FEMALE, date(2001, 3, 3), "SN-DK", "77 100 00 03", "1751200100003"),
    ("Cheikh", "Ndiaye", Sex.MALE, date(1960, 12, 31), "SN-ZG", "77 100 00 04", "1751196000004"),
]


@pytest.fixture
async def register(client: httpx.AsyncClient) -> dict[str, Any]:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    other_scheme = await make_scheme(ctx, categories=(MemberCategory.SELF_EMPLOYED,))
    numbers = []
    for index, (first, last, sex, born, region, phone, document) in enumerate(PEOPLE):
        data = artisan(
            scheme if index < 3 else other_scheme,
            person=ids.Person(first_names=first, last_name=last, sex=sex, birth_date=born),
            phone=phone,
            address=Address(region=region),
            documents=(ids.Document(kind=DocumentKind.NATIONAL_ID_CARD, number=document, issuing_country="SN"),),
            enrolled_on=date(2024, 1 + index, 1),
            **({"category": MemberCategory.SELF_EMPLOYED, "artisan": None} if index == 3 else {}),
        )
        numbers.append((await enrol(ctx, data, today=date(2024, 12, 31))).number)
    token = await token_for(client, tenant, Role.CLAIMS_OFFICER)
    return {"token": token, "numbers": numbers, "scheme": to_base64("Scheme", other_scheme.id)}


async def _names(client: httpx.AsyncClient, register: dict[str, Any], **member_filter: Any) -> tuple[int, list[str]]:
    body = await graphql(client, MEMBERS, token=register["token"], filter=member_filter)
    assert "errors" not in body, body
    found = body["data"]["members"]
    return found["totalCount"], [f"{n['firstNames']} {n['lastName']}" for n in nodes(found)]


async def test_filters(client: httpx.AsyncClient, register: dict[str, Any]) -> None:
    assert await _names(client, register) == (
        4,
        ["Fatou Diop", "Mamadou Lamine Diop", "Aïssatou N'Diaye", "Cheikh Ndiaye"],
    )
    assert await _names(client, register, region="sn-dk") == (2, ["Fatou Diop", "Aïssatou N'Diaye"])
    assert await _names(client, register, sex="MALE") == (2, ["Mamadou Lamine Diop", "Cheikh Ndiaye"])
    assert await _names(client, register, category="SELF_EMPLOYED") == (1, ["Cheikh Ndiaye"])
    assert await _names(client, register, scheme=register["scheme"]) == (1, ["Cheikh Ndiaye"])
    assert await _names(client, register, status="ACTIVE") == (0, [])
    assert await _names(client, register, status="PENDING", ageFrom=30, ageTo=49, ageOn="2025-01-05") == (
        2,
        ["Mamadou Lamine Diop", "Aïssatou N'Diaye"],
    )
    assert await _names(client, register, ageFrom=35, ageTo=35, ageOn="2025-01-04") == (0, [])
    assert await _names(client, register, enrolledFrom="2024-02-01", enrolledTo="2024-03-01") == (
        2,
        ["Fatou Diop", "Mamadou Lamine Diop"],
    )


async def test_search(client: httpx.AsyncClient, register: dict[str, Any]) -> None:
    assert await _names(client, register, search="ndiaye aissatou") == (1, ["Aïssatou N'Diaye"])
    assert await _names(client, register, search="DIOP") == (2, ["Fatou Diop", "Mamadou Lamine Diop"])
    assert await _names(client, register, search="lamine mam") == (1, ["Mamadou Lamine Diop"])
    assert await _names(client, register, search=register["numbers"][3]) == (1, ["Cheikh Ndiaye"])
    assert await _names(client, register, search="+221 77 100 00 03") == (1, ["Fatou Diop"])
    assert await _names(client, register, search="1 751 1975 00002") == (1, ["Mamadou Lamine Diop"])
    assert await _names(client, register, search="Sow") == (0, [])


async def test_pages(client: httpx.AsyncClient, register: dict[str, Any]) -> None:
    body = await graphql(client, MEMBERS, token=register["token"], first=3)
    first = body["data"]["members"]
    assert first["pageInfo"]["hasNextPage"] is True
    body = await graphql(client, MEMBERS, token=register["token"], first=3, after=first["pageInfo"]["endCursor"])
    second = body["data"]["members"]
    assert (nodes(second), second["pageInfo"]["hasNextPage"]) == (
        [{"lastName": "Ndiaye", "firstNames": "Cheikh"}],
        False,
    )
    refused = await graphql(client, MEMBERS, token=register["token"], filter={"ageFrom": 40, "ageTo": 20})
    assert refused["errors"][0]["extensions"] == {"code": "INVALID_AGE_BAND"}


async def test_the_name_search_reads_a_page_through_its_indexes(owner: asyncpg.Connection) -> None:
    """Among many members, a rare name is found through the trigram index and a
    common one along the name index, each reading a page, not every row."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.audited', 'on', true)")
        await owner.execute(
            """
            INSERT INTO members (id, tenant_id, scheme_id, category, number, sequence, status, status_on, enrolled_on,
                                 first_names, last_name, normalized_name, sex, birth_date, birth_date_approximate,
                                 nationality, address_country, category_data, created_at, updated_at)
            SELECT gen_random_uuid(), $1, $2, 'artisan', 'N' || n, n, 'active', '2024-01-01', '2024-01-01',
                   'Prenom' || n, 'Nom' || n, 'nom' || md5(n::text) || ' prenom' || n, 'female', '1990-01-01', false,
                   'SN', 'SN', '{}', now(), now()
            FROM generate_series(1, 30000) AS n
            """,
            tenant.id,
            scheme.id,
        )
    await owner.execute("ANALYZE members")

    async def plan(term: str, *, analyze: bool = False) -> Any:
        sql, args = search.list_statement(
            tenant.id,
            search.MemberFilter(search=term, status=MemberStatus.ACTIVE),
            date(2025, 1, 1),
            "SN",
            after=None,
            limit=51,
        )
        options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
        return json.loads(await owner.fetchval(f"EXPLAIN ({options}) {sql}", *args))[0]["Plan"]

    rare = await plan("diallo oumar")
    assert "members_name_trgm_idx" in _indexes(rare), rare
    assert "Seq Scan" not in _node_types(rare), rare
    # A name every member bears is read along the register's order until the
    # page is full, not gathered whole and sorted.
    common = await plan("prenom", analyze=True)
    assert max(_actual_rows(common)) == 51, common
    assert "Seq Scan" not in _node_types(common), common


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _indexes(plan: dict[str, Any]) -> set[str]:
    return {node["Index Name"] for node in _nodes(plan) if "Index Name" in node}


def _node_types(plan: dict[str, Any]) -> set[str]:
    return {node["Node Type"] for node in _nodes(plan)}


def _actual_rows(plan: dict[str, Any]) -> list[float]:
    return [node["Actual Rows"] * node["Actual Loops"] for node in _nodes(plan) if node.get("Actual Loops")]
