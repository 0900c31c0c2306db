"""Registering tenants: what concurrent registrations of one slug or one
country's ministry leave behind."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from tenants.errors import DomainError
from tenants.registry import service as tenant_service
from tenants.roles import TenantKind, TenantStatus
from tenants.tx import platform_tx
from tests.factories import fresh_country

pytestmark = pytest.mark.usefixtures("migrated")


async def _register(kind: TenantKind, slug: str, country: str) -> str:
    data = tenant_service.NewTenant(
        kind=kind, name=f"Structure {slug}", slug=slug, country=country, currency="XOF", status=TenantStatus.APPROVED
    )
    try:
        async with platform_tx() as tx:
            await tenant_service.create_tenant(tx, data)
    except DomainError as error:
        return error.code
    return "created"


async def test_concurrent_registrations_of_one_slug_make_one_tenant() -> None:
    slug = f"mutuelle-{secrets.token_hex(4)}"
    outcomes = await asyncio.gather(*(_register(TenantKind.MUTUAL, slug, "SN") for _ in range(8)))
    assert sorted(outcomes) == ["created"] + ["tenants.SLUG_TAKEN"] * 7


async def test_concurrent_ministries_of_one_country_make_one() -> None:
    country = fresh_country()
    outcomes = await asyncio.gather(
        *(_register(TenantKind.MINISTRY, f"ministere-{secrets.token_hex(4)}", country) for _ in range(8))
    )
    assert sorted(outcomes) == ["created"] + ["tenants.MINISTRY_EXISTS"] * 7
