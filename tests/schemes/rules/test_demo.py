"""The demo loads its schemes' rule versions, and loading again changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo import load_demo
from schemes.rules import service as scheme_service
from tenants.registry import service as tenant_service
from tenants.tx import platform_tx, tenant_tx
from tests.factories import context

pytestmark = pytest.mark.usefixtures("migrated")


async def test_demo_schemes_have_their_versions() -> None:
    await load_demo()
    await load_demo()
    found = {}
    for slug, code in (
        ("artisans-dakar", "ARTISANS"),
        ("mutuelle-thies", "TRAVAILLEURS"),
        ("ipm-cap-vert", "SALARIES"),
    ):
        async with platform_tx() as tx:
            tenant = await tenant_service.find_tenant_by_slug(tx, slug)
        assert tenant is not None
        ctx = await context(tenant)
        async with tenant_tx(ctx) as tx:
            scheme = await scheme_service.find_scheme_by_code(tx, ctx, code)
            assert scheme is not None
            versions = (await scheme_service.versions_by_scheme(tx, ctx, [scheme.id]))[scheme.id]
        found[code] = [(v.number, v.effective_from) for v in versions]
    assert found == {
        "ARTISANS": [(2, date(2026, 1, 1)), (1, date(2025, 1, 1))],
        "TRAVAILLEURS": [(1, date(2026, 1, 1))],
        "SALARIES": [(1, date(2026, 1, 1))],
    }
