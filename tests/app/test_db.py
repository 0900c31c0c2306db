"""The start-up check refuses an application role that could see through
row-level security, itself or through a role it belongs to."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from app import db
from app.settings import Settings, SettingsError

pytestmark = pytest.mark.usefixtures("migrated")


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}:{password}@{host}", parts.path, parts.query, ""))


@pytest.fixture
async def roles(owner: asyncpg.Connection) -> AsyncIterator[list[str]]:
    """Names for roles the test creates; dropped afterwards."""
    names = [f"socle_probe_{secrets.token_hex(4)}" for _ in range(2)]
    yield names
    for name in reversed(names):
        await owner.execute(f'DROP ROLE IF EXISTS "{name}"')


async def test_application_role_passes(settings: Settings) -> None:
    assert settings.database_url
    await db.check_server(settings.database_url, application_role=True)


async def test_owner_is_refused(owner: asyncpg.Connection, settings: Settings) -> None:
    assert settings.database_owner_url
    table_owner = await owner.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'tenants'")
    with pytest.raises(SettingsError) as raised:
        await db.check_server(settings.database_owner_url, application_role=True)
    assert str(raised.value) == (
        f"invalid setting SOCLE_DATABASE_URL: role {table_owner!r} is a superuser, bypasses row-level security, "
        "creates roles or owns tables; connect as the application role"
    )


@pytest.mark.parametrize("indirect", [False, True], ids=["member", "member of a member"])
async def test_member_of_the_owner_is_refused(
    owner: asyncpg.Connection, settings: Settings, roles: list[str], indirect: bool
) -> None:
    assert settings.database_url
    login, group = roles
    table_owner = await owner.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'tenants'")
    password = secrets.token_hex(8)
    await owner.execute(f"CREATE ROLE \"{login}\" LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'")
    if indirect:
        await owner.execute(f'CREATE ROLE "{group}" NOLOGIN')
        await owner.execute(f'GRANT "{table_owner}" TO "{group}"')
        await owner.execute(f'GRANT "{group}" TO "{login}"')
    else:
        await owner.execute(f'GRANT "{table_owner}" TO "{login}"')
    with pytest.raises(SettingsError) as raised:
        await db.check_server(_as(settings.database_url, login, password), application_role=True)
    assert str(raised.value) == (
        f"invalid setting SOCLE_DATABASE_URL: role {login!r} is a member of {table_owner!r}, which is a superuser, "
        "bypasses row-level security, creates roles or owns tables; connect as the application role"
    )


async def test_a_role_that_creates_roles_is_refused(
    settings: Settings, owner: asyncpg.Connection, roles: list[str]
) -> None:
    """Since PostgreSQL 15 a CREATEROLE role can grant itself the owner's
    membership, then SET ROLE to it."""
    assert settings.database_url
    login = roles[0]
    password = secrets.token_hex(8)
    await owner.execute(f"CREATE ROLE \"{login}\" LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE PASSWORD '{password}'")
    with pytest.raises(SettingsError) as raised:
        await db.check_server(_as(settings.database_url, login, password), application_role=True)
    assert str(raised.value) == (
        f"invalid setting SOCLE_DATABASE_URL: role {login!r} is a superuser, bypasses row-level security, "
        "creates roles or owns tables; connect as the application role"
    )
