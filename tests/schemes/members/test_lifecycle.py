"""The lifecycle: pending → active → suspended → terminated, reinstatement,
refused transitions, each change dated, kept and audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from tenants.roles import Role
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

CHANGE = """
mutation ($input: MemberStatusChangeInput!) {
  memberStatusChange(input: $input) {
    __typename
    ... on Member { status statusSince statusHistory { fromStatus toStatus effectiveOn reason note changedBy } }
    ... on MemberStatusChangeError { code path message }
  }
}
"""

ENROLLED = date(2024, 1, 10)


async def _member(client: httpx.AsyncClient) -> tuple[str, str, Any]:
    tenant = await make_tenant()
    ctx = await context(tenant)
    member = await enrol(ctx, artisan(await make_scheme(ctx)), today=ENROLLED)
    return to_base64("Member", member.id), await token_for(client, tenant, Role.MANAGER), tenant


async def _change(client: httpx.AsyncClient, token: str, member_id: str, **values: Any) -> dict[str, Any]:
    body = await graphql(client, CHANGE, token=token, input={"id": member_id, **values})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["memberStatusChange"]
    return result


async def test_a_member_goes_through_the_lifecycle(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    member_id, token, tenant = await _member(client)
    steps = [
        {"status": "ACTIVE", "effectiveOn": "2024-02-01"},
        {"status": "SUSPENDED", "effectiveOn": "2024-06-01", "note": "Deux périodes impayées"},
        {"status": "ACTIVE", "effectiveOn": "2024-07-15"},
        {"status": "TERMINATED", "effectiveOn": "2024-09-30", "reason": "TRANSFER"},
        {"status": "ACTIVE", "effectiveOn": "2024-10-01"},
    ]
    results = [await _change(client, token, member_id, **step) for step in steps]
    assert [(r["status"], r["statusSince"]) for r in results] == [
        ("ACTIVE", "2024-02-01"),
        ("SUSPENDED", "2024-06-01"),
        ("ACTIVE", "2024-07-15"),
        ("TERMINATED", "2024-09-30"),
        ("ACTIVE", "2024-10-01"),
    ]
    name = f"manager {tenant.slug}"
    assert results[-1]["statusHistory"] == [
        {
            "fromStatus": None,
            "toStatus": "PENDING",
            "effectiveOn": "2024-01-10",
            "reason": None,
            "note": None,
            "changedBy": "socle",
        },
        {
            "fromStatus": "PENDING",
            "toStatus": "ACTIVE",
            "effectiveOn": "2024-02-01",
            "reason": None,
            "note": None,
            "changedBy": name,
        },
        {
            "fromStatus": "ACTIVE",
            "toStatus": "SUSPENDED",
            "effectiveOn": "2024-06-01",
            "reason": None,
            "note": "Deux périodes impayées",
            "changedBy": name,
        },
        {
            "fromStatus": "SUSPENDED",
            "toStatus": "ACTIVE",
            "effectiveOn": "2024-07-15",
            "reason": None,
            "note": None,
            "changedBy": name,
        },
        {
            "fromStatus": "ACTIVE",
            "toStatus": "TERMINATED",
            "effectiveOn": "2024-09-30",
            "reason": "TRANSFER",
            "note": None,
            "changedBy": name,
        },
        {
            "fromStatus": "TERMINATED",
            "toStatus": "ACTIVE",
            "effectiveOn": "2024-10-01",
            "reason": None,
            "note": None,
            "changedBy": name,
        },
    ]
    actions = await owner.fetch(
        "SELECT action, summary->>'to_status' AS to_status FROM audit_events"
        " WHERE tenant_id = $1 AND action LIKE 'member.%' ORDER BY seq",
        tenant.id,
    )
    assert [tuple(row) for row in actions] == [
        ("member.enrol", None),
        ("member.status_change", "active"),
        ("member.status_change", "suspended"),
        ("member.status_change", "active"),
        ("member.status_change", "terminated"),
        ("member.status_change", "active"),
    ]


async def test_refused_transitions(client: httpx.AsyncClient) -> None:
    member_id, token, _ = await _member(client)
    refused = await _change(client, token, member_id, status="SUSPENDED", effectiveOn="2024-02-01")
    assert refused == {
        "__typename": "MemberStatusChangeError",
        "code": "ILLEGAL_TRANSITION",
        "path": ["input", "status"],
        "message": "Un adhérent au statut « pending » ne peut pas passer au statut « suspended ».",
    }
    same = await _change(client, token, member_id, status="PENDING", effectiveOn="2024-02-01")
    assert same["code"] == "ILLEGAL_TRANSITION"
    no_reason = await _change(client, token, member_id, status="TERMINATED", effectiveOn="2024-02-01")
    assert (no_reason["code"], no_reason["path"]) == ("REASON_REQUIRED", ["input", "reason"])
    stray = await _change(client, token, member_id, status="ACTIVE", effectiveOn="2024-02-01", reason="FRAUD")
    assert (stray["code"], stray["path"]) == ("REASON_NOT_ALLOWED", ["input", "reason"])
    early = await _change(client, token, member_id, status="ACTIVE", effectiveOn="2024-01-09")
    future = (date.today() + timedelta(days=1)).isoformat()
    late = await _change(client, token, member_id, status="ACTIVE", effectiveOn=future)
    assert [(early["code"], early["path"]), (late["code"], late["path"])] == [
        ("INVALID_DATE", ["input", "effectiveOn"])
    ] * 2
    died = await _change(client, token, member_id, status="TERMINATED", effectiveOn="2024-03-02", reason="DEATH")
    assert died["status"] == "TERMINATED"
    reinstated = await _change(client, token, member_id, status="ACTIVE", effectiveOn="2024-04-01")
    assert reinstated["message"] == "Un adhérent au statut « terminated » ne peut pas passer au statut « active »."


async def test_an_agent_enrols_but_does_not_change_statuses(client: httpx.AsyncClient) -> None:
    member_id, _, tenant = await _member(client)
    agent = await token_for(client, tenant, Role.AGENT)
    body = await graphql(client, CHANGE, token=agent, input={"id": member_id, "status": "ACTIVE"})
    assert (body["data"], body["errors"][0]["extensions"]) == (None, {"code": "FORBIDDEN"})
