"""Scheme rules: concurrent creations of one code leave one scheme."""

from __future__ import annotations

import asyncio

import pytest

from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory
from tenants.errors import DomainError
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant

pytestmark = pytest.mark.usefixtures("migrated")


async def test_concurrent_creations_of_one_code_make_one_scheme() -> None:
    ctx = await context(await make_tenant())

    async def create() -> str:
        data = scheme_service.NewScheme(
            code="CMU-2027",
            name="Couverture maladie universelle",
            branch=Branch.HEALTH,
            categories=(MemberCategory.ARTISAN,),
        )
        try:
            async with tenant_tx(ctx) as tx:
                await scheme_service.create_scheme(tx, ctx, data)
        except DomainError as error:
            return error.code
        return "created"

    outcomes = await asyncio.gather(*(create() for _ in range(8)))
    assert sorted(outcomes) == ["created"] + ["schemes.SCHEME_CODE_TAKEN"] * 7
