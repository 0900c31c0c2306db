"""The demo's employers: valid NINEA, registered once however often the demo loads."""

from __future__ import annotations

import asyncpg
import pytest

from app.demo_employers import load_demo_employers
from tenants.roles import TenantKind
from tests.factories import make_tenant

pytestmark = pytest.mark.usefixtures("migrated")


async def test_demo_employers_load_once(owner: asyncpg.Connection) -> None:
    tenants = {"ipm-cap-vert": await make_tenant(kind=TenantKind.IPM), "mutuelle-thies": await make_tenant()}
    await load_demo_employers(tenants)
    await load_demo_employers(tenants)
    rows = await owner.fetch(
        "SELECT tenant_id, name, registration_number, region FROM employers WHERE tenant_id = ANY($1) ORDER BY name",
        [tenant.id for tenant in tenants.values()],
    )
    assert [tuple(row) for row in rows] == [
        (tenants["mutuelle-thies"].id, "Groupement maraîcher des Niayes", "00512352V2", "SN-TH"),
        (
            tenants["ipm-cap-vert"].id,
            "Société Dakaroise de Bâtiment et Travaux Publics",
            "00458742V2",
            "SN-DK",
        ),
    ]
