"""The demo's employers: the inter-company IPM's member company in Dakar and
an employer of the Thiès precarious workers' mutual's members."""

from __future__ import annotations

from schemes.employers import service as employer_service
from schemes.employers.tables import Employer
from tenants.context import SYSTEM
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import platform_tx, tenant_tx

DEMO_EMPLOYERS: dict[str, tuple[employer_service.EmployerData, ...]] = {
    "ipm-cap-vert": (
        employer_service.EmployerData(
            name="Société Dakaroise de Bâtiment et Travaux Publics",
            registration_number="0045874 2V2",
            trade_register="SN-DKR-2011-B-10452",
            sector="Bâtiment et travaux publics",
            region="SN-DK",
            address="Route de Rufisque, Hann, Dakar",
            contact_name="Ndèye Coumba Faye",
            contact_phone="+221338321450",
            contact_email="rh@sdbtp.demo.socle.sn",
        ),
    ),
    "mutuelle-thies": (
        employer_service.EmployerData(
            name="Groupement maraîcher des Niayes",
            registration_number="0051235 2V2",
            sector="Maraîchage",
            region="SN-TH",
            address="Route de Mboro, Tivaouane",
            contact_name="Modou Diagne",
            contact_phone="+221775418236",
        ),
    ),
}
"""Registration numbers are valid NINEA (check digit and COFI)."""


async def load_demo_employers(tenants: dict[str, Tenant]) -> None:
    """Register the demo employers a tenant does not have yet."""
    for slug, employers in DEMO_EMPLOYERS.items():
        async with platform_tx() as tx:
            ctx = await tenant_service.context_for(tx, SYSTEM, tenants[slug].id)
        async with tenant_tx(ctx) as tx:
            for data in employers:
                number = employer_service.registration_number(ctx.country, data.registration_number)
                if not await within(ctx, Employer).exists().where(Employer.registration_number == number):
                    await employer_service.create_employer(tx, ctx, data)
