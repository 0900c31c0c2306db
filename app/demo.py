"""``socle demo``: a ministry, two mutuals and an IPM in Senegal, with their
accounts, schemes and members. Running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.demo_contributions import declare_demo_salaries, load_demo_contributions
from app.demo_employers import load_demo_employers
from app.demo_members import load_members, open_demo_access
from app.demo_rules import CMU_VERSIONS, INFORMAL_VERSIONS, IPM_VERSIONS
from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory, RuleDocument
from schemes.rules.tables import SchemeStatus
from tenants.context import SYSTEM, TenantContext
from tenants.identity import service as identity_service
from tenants.identity.tables import Membership
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, TenantStatus
from tenants.scoping import within
from tenants.tx import Transaction, platform_tx, tenant_tx

DEMO_PASSWORD = "Demo-Socle-2026"  # noqa: S105 (printed for the demo; refused in production)
"""Password of every demo account; ``socle demo`` refuses to run in production."""


@dataclass(frozen=True)
class DemoTenant:
    tenant: tenant_service.NewTenant
    accounts: tuple[tuple[str, str, Role], ...]
    scheme: scheme_service.NewScheme | None = None
    versions: tuple[tuple[date, RuleDocument], ...] = ()


def _tenant(kind: TenantKind, name: str, slug: str) -> tenant_service.NewTenant:
    return tenant_service.NewTenant(
        kind=kind, name=name, slug=slug, country="SN", currency="XOF", status=TenantStatus.APPROVED
    )


DEMO: tuple[DemoTenant, ...] = (
    DemoTenant(
        tenant=_tenant(TenantKind.MINISTRY, "Direction de la Protection Sociale", "dps-senegal"),
        accounts=(
            ("admin@dps-senegal.demo.socle.sn", "Aminata Diallo", Role.MINISTRY_ADMIN),
            ("controle@dps-senegal.demo.socle.sn", "Ousmane Sarr", Role.OVERSIGHT_OFFICER),
        ),
    ),
    DemoTenant(
        tenant=_tenant(TenantKind.MUTUAL, "Mutuelle sociale des artisans de Dakar", "artisans-dakar"),
        accounts=(
            ("admin@artisans-dakar.demo.socle.sn", "Mamadou Ndiaye", Role.TENANT_ADMIN),
            ("gestion@artisans-dakar.demo.socle.sn", "Fatou Sow", Role.MANAGER),
        ),
        scheme=scheme_service.NewScheme(
            code="ARTISANS",
            name="Régime des artisans",
            branch=Branch.HEALTH,
            categories=(MemberCategory.ARTISAN,),
            status=SchemeStatus.ACTIVE,
        ),
        versions=CMU_VERSIONS,
    ),
    DemoTenant(
        tenant=_tenant(TenantKind.MUTUAL, "Mutuelle de santé des travailleurs précaires de Thiès", "mutuelle-thies"),
        accounts=(
            ("admin@mutuelle-thies.demo.socle.sn", "Awa Fall", Role.TENANT_ADMIN),
            ("gestion@mutuelle-thies.demo.socle.sn", "Ibrahima Ba", Role.MANAGER),
        ),
        scheme=scheme_service.NewScheme(
            code="TRAVAILLEURS",
            name="Régime des travailleurs non permanents",
            branch=Branch.HEALTH,
            categories=(MemberCategory.PRECARIOUS_WORKER, MemberCategory.SELF_EMPLOYED),
            status=SchemeStatus.ACTIVE,
        ),
        versions=INFORMAL_VERSIONS,
    ),
    DemoTenant(
        tenant=_tenant(TenantKind.IPM, "IPM interentreprises du Cap-Vert", "ipm-cap-vert"),
        accounts=(
            ("admin@ipm-cap-vert.demo.socle.sn", "Cheikh Mbaye", Role.TENANT_ADMIN),
            ("gestion@ipm-cap-vert.demo.socle.sn", "Mariama Cissé", Role.MANAGER),
        ),
        scheme=scheme_service.NewScheme(
            code="SALARIES",
            name="Régime des salariés",
            branch=Branch.HEALTH,
            categories=(MemberCategory.SALARIED,),
            status=SchemeStatus.ACTIVE,
        ),
        versions=IPM_VERSIONS,
    ),
)


async def _demo_scheme(
    tx: Transaction,
    ctx: TenantContext,
    data: scheme_service.NewScheme,
    versions: tuple[tuple[date, RuleDocument], ...],
) -> None:
    scheme = await scheme_service.find_scheme_by_code(tx, ctx, data.code)
    if scheme is None:
        scheme = await scheme_service.create_scheme(tx, ctx, data)
    if (await scheme_service.versions_by_scheme(tx, ctx, [scheme.id])).get(scheme.id):
        return
    for effective_from, document in versions:
        new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=effective_from, document=document)
        await scheme_service.create_version(tx, ctx, new)


@dataclass(frozen=True)
class DemoAccount:
    tenant: str
    identifier: str
    """The email the account signs in with, or for a member the phone their code is sent to."""
    role: Role
    created: bool


async def load_demo() -> list[DemoAccount]:
    """Create what is missing of the demo data; return every demo account."""
    tenants: dict[str, Tenant] = {}
    async with platform_tx() as tx:
        for demo in DEMO:
            existing = await tenant_service.find_tenant_by_slug(tx, demo.tenant.slug)
            tenants[demo.tenant.slug] = existing or await tenant_service.create_tenant(tx, demo.tenant)
    accounts: list[DemoAccount] = []
    for demo in DEMO:
        tenant = tenants[demo.tenant.slug]
        for email, full_name, role in demo.accounts:
            async with platform_tx() as tx:
                user = await identity_service.find_user_by_email(tx, email)
                created = user is None
                if user is None:
                    user = await identity_service.create_user(
                        tx, identity_service.NewUser(full_name=full_name, email=email, password=DEMO_PASSWORD)
                    )
                ctx = await tenant_service.context_for(tx, SYSTEM, tenant.id)
            async with tenant_tx(ctx) as tx:
                if not await within(ctx, Membership).exists().where(Membership.user_id == user.id):
                    await identity_service.add_member(tx, ctx, user.id, role)
                if demo.scheme:
                    await _demo_scheme(tx, ctx, demo.scheme, demo.versions)
            accounts.append(DemoAccount(tenant=tenant.name, identifier=email, role=role, created=created))
    await load_demo_employers(tenants)
    today = datetime.now(UTC).date()
    for demo in DEMO:
        if demo.scheme:
            await load_members(await _system_context(tenants[demo.tenant.slug]), demo.scheme.code, today)
    artisans = tenants["artisans-dakar"]
    phone = await open_demo_access(await _system_context(artisans), today)
    calling = [tenants[demo.tenant.slug] for demo in DEMO if demo.scheme]
    await load_demo_contributions(calling, await _system_context(artisans), phone)
    await declare_demo_salaries(await _system_context(tenants["ipm-cap-vert"]), today)
    if phone is not None:
        accounts.append(DemoAccount(tenant=artisans.name, identifier=phone, role=Role.MEMBER, created=False))
    return accounts


async def _system_context(tenant: Tenant) -> TenantContext:
    async with platform_tx() as tx:
        return await tenant_service.context_for(tx, SYSTEM, tenant.id)
