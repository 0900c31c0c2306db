"""Every page in headless Chromium, as its users open it: the administrator's,
the manager's and the ministry's, each page's transferred bytes measured in
the same run and held under the budget (a first load, then with the
stylesheet and the script cached), no request leaving Socle, no script error."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.browser import (
    FIRST_LOAD_BUDGET,
    LATER_BUDGET,
    PHONE,
    Weights,
    chromium,
    only_from,
    report_errors,
    shot,
    sign_in_on,
)
from tests.factories import PASSWORD, context, fresh_country, make_tenant, make_user
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


class Tour:
    """One person's visit: each page's weight and the errors its scripts raised."""

    def __init__(self, origin: str, elsewhere: list[str]) -> None:
        self.origin = origin
        self.elsewhere = elsewhere
        self.weights: dict[str, int] = {}
        self.errors: list[str] = []
        self.meter = Weights()

    async def start(self, browser: Browser, who: str) -> Page:
        """A new phone's browser, signed in as ``who``; the sign-in's first load is weighed."""
        context = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await context.route("**/*", only_from(self.origin, self.elsewhere))
        self.meter.watch(context)
        page = await context.new_page()
        report_errors(page, self.errors)
        await page.goto(f"{self.origin}/sign-in")
        self.weights[f"{who}: sign-in (first load)"] = await self.meter.take()
        await sign_in_on(page, who, PASSWORD)
        await page.wait_for_load_state()
        await self.meter.take()
        return page

    async def visit(self, page: Page, path: str, name: str, *, screenshot: str | None = None) -> None:
        """Open ``path`` and weigh it; it must answer 200."""
        answer = await page.goto(f"{self.origin}{path}")
        assert answer is not None
        assert answer.status == 200, (path, answer.status)
        self.weights[name] = await self.meter.take()
        if screenshot:
            await shot(page, screenshot)


async def _mutual(country: str) -> tuple[Tenant, str, str]:
    """A mutual with a scheme, a member and an employer: the scheme's and the employer's ids."""
    tenant = await make_tenant(country=country, name="Mutuelle de santé de Tambacounda")
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    await enrol(ctx, artisan(scheme))
    async with tenant_tx(ctx) as tx:
        employer = await employer_service.create_employer(
            tx,
            ctx,
            employer_service.EmployerData(
                name="Sococim Industries", registration_number="3067221", sector="Cimenterie"
            ),
        )
    return tenant, to_base64("Scheme", scheme.id), to_base64("Employer", employer.id)


async def test_every_page_is_under_the_budget(origin: str) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    tenant, scheme, employer = await _mutual(country)
    admin = await make_user(tenant, Role.TENANT_ADMIN)
    manager = await make_user(tenant, Role.MANAGER)
    officer = await make_user(ministry, Role.OVERSIGHT_OFFICER)
    tour = Tour(origin, [])

    async with chromium() as browser:
        page = await tour.start(browser, admin.email or "")
        await tour.visit(page, "/admin/people", "users and invitations", screenshot="people")
        await tour.visit(page, "/admin/applications", "partner applications")
        await tour.visit(page, "/audit", "audit log")
        await tour.visit(page, "/schemes", "schemes")
        await tour.visit(page, f"/schemes/{scheme}", "a scheme's rules", screenshot="scheme")
        await tour.visit(page, f"/schemes/{scheme}/versions/new", "a new rule version")
        await tour.visit(page, "/schemes/new", "a new scheme")

        page = await tour.start(browser, manager.email or "")
        await tour.visit(page, "/members/new", "enrolment form")
        await tour.visit(page, "/duplicates", "duplicates")
        await tour.visit(page, "/employers", "employers")
        await tour.visit(page, f"/employers/{employer}", "an employer", screenshot="employer")
        await tour.visit(page, "/employers/new", "a new employer")
        await tour.visit(page, "/imports", "imports")

        page = await tour.start(browser, officer.email or "")
        await tour.visit(page, "/ministry/tenants", "the ministry's tenants", screenshot="ministry-tenants")
        await tour.visit(page, f"/ministry/tenants/{to_base64('Tenant', tenant.id)}/audit", "a tenant's audit log")

    assert tour.elsewhere == []
    assert tour.errors == []
    first = {name: weight for name, weight in tour.weights.items() if name.endswith("(first load)")}
    later = {name: weight for name, weight in tour.weights.items() if name not in first}
    assert len(later) == 15
    assert max(first.values()) <= FIRST_LOAD_BUDGET, first
    assert max(later.values()) <= LATER_BUDGET, later
