"""Concurrent attempts cannot outrun the throttle: each is counted before it
is checked, so the lock engages at its limit however many arrive at once."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

from tenants.identity.tables import User
from tenants.roles import Role
from tests.factories import PASSWORD, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql, sign_in

pytestmark = pytest.mark.usefixtures("migrated")


async def _codes(client: httpx.AsyncClient, attempts: list[tuple[str, str]]) -> Counter[str]:
    bodies = await asyncio.gather(
        *(graphql(client, SIGN_IN, identifier=identifier, password=password) for identifier, password in attempts)
    )
    results: list[dict[str, Any]] = [body["data"]["sessionCreate"] for body in bodies]
    return Counter(result.get("code", result["__typename"]) for result in results)


async def _refusals(owner: asyncpg.Connection, identifiers: list[str]) -> dict[str, int]:
    rows = await owner.fetch(
        "SELECT summary->>'reason' AS reason, count(*) AS n FROM audit_events"
        " WHERE action = 'session.create_refused' AND summary->>'identifier' = ANY($1::text[]) GROUP BY 1",
        identifiers,
    )
    return {row["reason"]: row["n"] for row in rows}


async def test_forty_attempts_at_once_on_one_account_are_ten_checked(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    user: User = await make_user(await make_tenant(), Role.MANAGER)
    assert user.email
    codes = await _codes(client, [(user.email, f"Pas-le-bon-{n}") for n in range(40)])
    assert codes == {"INVALID_CREDENTIALS": 10, "TOO_MANY_ATTEMPTS": 30}
    assert await _refusals(owner, [user.email]) == {"auth.INVALID_CREDENTIALS": 10, "auth.TOO_MANY_ATTEMPTS": 30}
    assert await _codes(client, [(user.email, PASSWORD)]) == {"TOO_MANY_ATTEMPTS": 1}


async def test_a_hundred_and_twenty_attempts_at_once_from_one_address_are_fifty_checked(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    prefix = secrets.token_hex(4)
    identifiers = [f"inconnu{n}.{prefix}@test.socle.sn" for n in range(120)]
    codes = await _codes(client, [(identifier, PASSWORD) for identifier in identifiers])
    assert codes == {"INVALID_CREDENTIALS": 50, "TOO_MANY_ATTEMPTS": 70}
    assert await _refusals(owner, identifiers) == {"auth.INVALID_CREDENTIALS": 50, "auth.TOO_MANY_ATTEMPTS": 70}


async def test_sign_ins_leave_the_event_loop_free(client: httpx.AsyncClient) -> None:
    """16 sign-ins at once; once the first is answered, a signed-in request is
    answered before more than one other sign-in is: it waits neither on the
    hashes nor on connections held during them."""
    tenant = await make_tenant()
    users = [await make_user(tenant, Role.MANAGER) for _ in range(17)]
    assert users[0].email
    token = (await sign_in(client, users[0].email))["accessToken"]
    finished: list[str] = []
    first_signed_in = asyncio.Event()

    async def signing_in(user: User) -> None:
        body = await graphql(client, SIGN_IN, identifier=user.email, password=PASSWORD)
        assert body["data"]["sessionCreate"]["__typename"] == "SessionTokens"
        finished.append("sign-in")
        first_signed_in.set()

    async def viewer_meanwhile() -> None:
        await first_signed_in.wait()
        body = await graphql(client, "{ viewer { authenticated } }", token=token)
        assert body == {"data": {"viewer": {"authenticated": True}}}
        finished.append("viewer")

    await asyncio.gather(*(signing_in(user) for user in users[1:]), viewer_meanwhile())
    assert len(finished) == 17
    assert finished.index("viewer") <= 2
