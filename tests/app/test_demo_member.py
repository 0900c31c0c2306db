"""The demo's member: an active artisan of the Dakar mutual whose access
online is open, who signs in with the code sent to their phone and sees
their household. Loading the demo again changes nothing."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from app.demo import load_demo
from tenants.roles import Role
from tests.graphql_client import code_token, graphql

pytestmark = pytest.mark.usefixtures("migrated")

MINE = "{ myMember { status scheme { name } household { relationship } } }"


async def test_the_demos_member_signs_in_by_code_and_sees_their_household(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
) -> None:
    accounts = await load_demo()
    again = await load_demo()
    (member,) = [account for account in accounts if account.role is Role.MEMBER]

    token = await code_token(client, caplog, member.identifier)
    mine = (await graphql(client, MINE, token=token))["data"]["myMember"]

    assert [account.identifier for account in again if account.role is Role.MEMBER] == [member.identifier]
    assert member.tenant == "Mutuelle sociale des artisans de Dakar"
    assert mine["status"] == "ACTIVE"
    assert mine["scheme"] == {"name": "Régime des artisans"}
    assert mine["household"] == [{"relationship": "SPOUSE"}, {"relationship": "CHILD"}]

    # What they owed was paid at the counter, once however often the demo loads, and settled every call.
    row = await owner.fetchrow(
        "SELECT (SELECT array_agg((p.amount, p.channel)::text) FROM payments p WHERE p.member_id = m.id) AS paid,"
        " (SELECT sum(c.amount) FROM contribution_calls c WHERE c.member_id = m.id AND c.payer = 'member') AS due,"
        " (SELECT sum(a.amount) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id"
        " WHERE p.member_id = m.id) AS settled"
        " FROM members m JOIN tenants t ON t.id = m.tenant_id WHERE m.phone = $1 AND t.slug = 'artisans-dakar'",
        member.identifier,
    )
    assert row["paid"] == [f"({row['due']},cash)"]
    assert row["settled"] == row["due"]
