"""Password guessing is slowed down, then refused for a while; a success resets."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tenants.identity import throttle
from tenants.identity.tables import User
from tenants.roles import Role
from tenants.tx import platform_tx
from tests.factories import PASSWORD, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def user() -> User:
    return await make_user(await make_tenant(), Role.MANAGER)


async def _reserve(identifier: str, address: str | None) -> throttle.Reservation:
    async with platform_tx() as tx:
        return await throttle.reserve(tx, throttle.password_keys(identifier, address))


async def _fail(identifier: str, address: str | None, times: int) -> None:
    for _ in range(times):
        await _reserve(identifier, address)


class TestRules:
    async def test_attempts_slow_down_then_lock(self, user: User) -> None:
        assert user.email
        reservations = [await _reserve(user.email, None) for _ in range(11)]
        assert [r.delay for r in reservations[:10]] == [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
        assert [r.locked_minutes for r in reservations] == [None] * 10 + [15]

    async def test_one_address_guessing_many_accounts_is_locked(self) -> None:
        for number in range(50):
            await _fail(f"victime{number}@test.socle.sn", "192.0.2.77", 1)
        assert (await _reserve("encore-une@test.socle.sn", "192.0.2.77")).locked_minutes == 15
        assert (await _reserve("encore-une@test.socle.sn", "192.0.2.78")).delay == 0.0

    async def test_a_refusal_by_one_key_leaves_the_other_uncounted(self, owner: asyncpg.Connection) -> None:
        await _fail("verrouille@test.socle.sn", None, 10)
        assert (await _reserve("verrouille@test.socle.sn", "192.0.2.79")).locked_minutes == 15
        assert await owner.fetchval("SELECT failures FROM sign_in_throttles WHERE key = 'address:192.0.2.79'") == 0

    async def test_given_back_attempts_do_not_count(self, owner: asyncpg.Connection) -> None:
        reservation = await _reserve("rendu@test.socle.sn", "192.0.2.80")
        async with platform_tx() as tx:
            await throttle.give_back(tx, reservation)
        failures = await owner.fetch(
            "SELECT failures FROM sign_in_throttles WHERE key = ANY($1::text[]) ORDER BY key",
            ["account:rendu@test.socle.sn", "address:192.0.2.80"],
        )
        assert [row["failures"] for row in failures] == [0, 0]

    async def test_old_failures_leave_the_window(self, user: User, owner: asyncpg.Connection) -> None:
        assert user.email
        await _fail(user.email, None, 6)
        await owner.execute(
            "UPDATE sign_in_throttles SET window_started_at = now() - interval '16 minutes' WHERE key = $1",
            f"account:{user.email}",
        )
        assert (await _reserve(user.email, None)).delay == 0.0
        failures = await owner.fetchval(
            "SELECT failures FROM sign_in_throttles WHERE key = $1", f"account:{user.email}"
        )
        assert failures == 1

    async def test_a_lock_over_starts_a_new_window(self, user: User, owner: asyncpg.Connection) -> None:
        assert user.email
        await _fail(user.email, None, 10)
        await owner.execute(
            "UPDATE sign_in_throttles SET locked_until = now() - interval '1 second' WHERE key = $1",
            f"account:{user.email}",
        )
        reservation = await _reserve(user.email, None)
        row = await owner.fetchrow(
            "SELECT failures, locked_until FROM sign_in_throttles WHERE key = $1", f"account:{user.email}"
        )
        assert (reservation.locked_minutes, reservation.delay, tuple(row)) == (None, 0.0, (1, None))


async def test_locked_account_refuses_even_the_right_password(client: httpx.AsyncClient, user: User) -> None:
    assert user.email
    await _fail(user.email, None, 10)
    body = await graphql(client, SIGN_IN, identifier=user.email, password=PASSWORD)
    assert body["data"]["sessionCreate"] == {
        "__typename": "SessionCreateError",
        "code": "TOO_MANY_ATTEMPTS",
        "path": ["input", "identifier"],
        "message": "Trop de tentatives de connexion. Réessayez dans 15 minute(s).",
    }


async def test_failures_count_and_a_success_resets(
    client: httpx.AsyncClient, user: User, owner: asyncpg.Connection
) -> None:
    assert user.email
    for _ in range(3):
        await graphql(client, SIGN_IN, identifier=user.email.upper(), password="pas-le-bon")
    key = f"account:{user.email}"
    assert await owner.fetchval("SELECT failures FROM sign_in_throttles WHERE key = $1", key) == 3
    body = await graphql(client, SIGN_IN, identifier=user.email, password=PASSWORD)
    assert body["data"]["sessionCreate"]["__typename"] == "SessionTokens"
    assert await owner.fetchval("SELECT count(*) FROM sign_in_throttles WHERE key = $1", key) == 0
    assert await owner.fetchval("SELECT failures FROM sign_in_throttles WHERE key = 'address:127.0.0.1'") >= 3
