"""Password guessing is slowed down, then refused for a while; a success resets."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tenants.identity import errors, throttle
from tenants.identity.tables import User
from tenants.roles import Role
from tenants.tx import platform_tx
from tests.factories import PASSWORD, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def user() -> User:
    return await make_user(await make_tenant(), Role.MANAGER)


async def _fail(identifier: str, address: str | None, times: int) -> None:
    for _ in range(times):
        async with platform_tx() as tx:
            await throttle.record_failure(tx, identifier, address)


async def _delay(identifier: str, address: str | None) -> float:
    async with platform_tx() as tx:
        return await throttle.delay_before_attempt(tx, identifier, address)


class TestRules:
    async def test_attempts_slow_down_then_lock(self, user: User) -> None:
        assert user.email
        delays = []
        for _ in range(9):
            await _fail(user.email, None, 1)
            delays.append(await _delay(user.email, None))
        assert delays == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
        await _fail(user.email, None, 1)
        with pytest.raises(errors.TooManyAttempts) as raised:
            await _delay(user.email, None)
        assert (raised.value.path, raised.value.params) == (("input", "identifier"), {"minutes": 15})

    async def test_one_address_guessing_many_accounts_is_locked(self) -> None:
        for number in range(50):
            await _fail(f"victime{number}@test.socle.sn", "192.0.2.77", 1)
        with pytest.raises(errors.TooManyAttempts):
            await _delay("encore-une@test.socle.sn", "192.0.2.77")
        assert await _delay("encore-une@test.socle.sn", "192.0.2.78") == 0.0

    async def test_old_failures_leave_the_window(self, user: User, owner: asyncpg.Connection) -> None:
        assert user.email
        await _fail(user.email, None, 6)
        await owner.execute(
            "UPDATE sign_in_throttles SET window_started_at = now() - interval '16 minutes' WHERE key = $1",
            f"account:{user.email}",
        )
        assert await _delay(user.email, None) == 0.0
        await _fail(user.email, None, 1)
        failures = await owner.fetchval(
            "SELECT failures FROM sign_in_throttles WHERE key = $1", f"account:{user.email}"
        )
        assert failures == 1


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
