"""The counter in headless Chromium, as a cashier on a phone uses it: find
the member, open their account, take a payment refused first (no amount)
then taken, print the receipt and download its PDF; each page's weight
held under the budget."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from schemes.members import lifecycle
from schemes.members.tables import MemberStatus
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.browser import LATER_BUDGET, PHONE, Weights, chromium, only_from, report_errors, shot, sign_in_on
from tests.factories import PASSWORD, context, make_tenant, make_user
from tests.jobs import jobs_done
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_cashier_takes_a_payment_and_prints_its_receipt(origin: str) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme), today=YEAR_2026.start)
    async with tenant_tx(ctx) as tx:
        change = lifecycle.StatusChange(member.id, MemberStatus.ACTIVE, YEAR_2026.start)
        await lifecycle.change_status(tx, ctx, change, YEAR_2026.start)
    await call_year(ctx, scheme.id)
    cashier = await make_user(tenant, Role.MANAGER)
    elsewhere: list[str] = []
    errors: list[str] = []
    weights: dict[str, int] = {}
    meter = Weights()

    async with chromium() as browser:
        counter = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await counter.route("**/*", only_from(origin, elsewhere))
        page = await counter.new_page()
        report_errors(page, errors)
        await page.goto(f"{origin}/members?q={member.number}")
        await sign_in_on(page, cashier.email or "", PASSWORD)
        await page.wait_for_url(f"{origin}/members?q=*")
        meter.watch(counter)
        await page.get_by_role("link", name="Diop Moussa").click()
        await page.get_by_role("link", name="Cotisations et paiements").click()
        await page.wait_for_url(f"{origin}/members/*/contributions")
        weights["account"] = await meter.take()
        assert await page.get_by_role("heading", level=1).inner_text() == "Compte cotisations"

        await page.get_by_role("button", name="Encaisser et éditer le reçu").click()
        await page.wait_for_load_state()
        assert await page.evaluate("document.activeElement.id") == "f-amount"
        assert (
            await page.locator("#f-amount-error").inner_text()
            == "Indiquez le montant reçu en chiffres, par exemple 3 500."
        )
        weights["payment refused"] = await meter.take()

        await page.get_by_label("Montant reçu (F CFA)").fill("5 500")
        await page.get_by_label("Moyen de paiement").select_option("CASH")
        await page.get_by_role("button", name="Encaisser et éditer le reçu").click()
        await page.wait_for_url(f"{origin}/payments/*?notice=recorded")
        weights["receipt"] = await meter.take()
        assert await page.get_by_role("status").first.inner_text() == "Paiement enregistré."
        words = await page.locator(".in-words").inner_text()
        assert words == "Arrêté le présent reçu à la somme de cinq mille cinq cents francs CFA."
        await shot(page, "receipt")
        await page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
        await page.get_by_role("button", name="Imprimer le reçu").click()
        assert await page.evaluate("document.body.dataset.printed") == "yes"

        # The PDF receipt, once its job has run; the link's host is the storage's (here Socle's own folder).
        await jobs_done()
        await page.reload()
        link = await page.get_by_role("link", name="Télécharger le reçu (PDF)").get_attribute("href")
        assert link
        parts = urlsplit(link)
        answer = await page.request.get(f"{origin}{parts.path}?{parts.query}")
        assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
        number = (await page.get_by_role("heading", level=1).inner_text()).split()[-1]
        assert PdfReader(io.BytesIO(await answer.body())).pages[0].extract_text().splitlines()[1] == f"Reçu {number}"

        await page.get_by_role("link", name="Retour au compte du membre").click()
        await page.wait_for_url(f"{origin}/members/*/contributions")
        rights = await page.locator("dl.facts dd").first.inner_text()
        assert rights.startswith("À jour")

    assert elsewhere == []
    assert errors == []
    assert max(weights.values()) <= LATER_BUDGET, weights
