"""A member pays their dues with Wave from a phone, in headless Chromium:
"pay now" from their page, the amount left, Wave's page (the test's
Wave-shaped server), back to Socle with the payment recorded, and the PDF
receipt downloaded."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date
from urllib.parse import urlsplit

import httpx
import pytest
from pypdf import PdfReader

from app.main import create_app
from app.settings import Settings
from tenants.roles import Role
from tests.browser import LATER_BUDGET, PHONE, Weights, chromium, only_from, report_errors, shot
from tests.factories import context, make_tenant
from tests.graphql_client import free_port, graphql, serve_over_tcp, token_for
from tests.jobs import jobs_done
from tests.messages import last_code
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year, gid
from tests.schemes.gateways.test_wave import CONFIGURE, OPEN_ACCESS
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone
from tests.wave_server import API_KEY, WEBHOOK_SECRET, WaveServer, wave_server

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
def wave() -> Iterator[WaveServer]:
    with wave_server() as server:
        yield server


@pytest.fixture
async def origin(settings: Settings, wave: WaveServer) -> AsyncIterator[str]:
    """The app served where its public address says, talking to the fake Wave."""
    port = free_port()
    given = {"public_url": f"http://127.0.0.1:{port}", "wave_api_url": wave.url}
    async with serve_over_tcp(create_app(settings.model_copy(update=given)), port) as served:
        yield served


async def test_a_member_pays_with_wave_and_downloads_the_receipt(
    origin: str, wave: WaveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    phone = unique_phone()
    member = await enrol(ctx, artisan(scheme, phone=phone), today=YEAR_2026.start)
    await call_year(ctx, scheme.id)
    wave.webhook_url = f"{origin}/webhooks/wave/{tenant.id}"
    elsewhere: list[str] = []
    errors: list[str] = []
    weights: dict[str, int] = {}
    meter = Weights()

    async with httpx.AsyncClient(base_url=origin) as api:
        admin = await token_for(api, tenant, Role.TENANT_ADMIN)
        given = {"provider": "WAVE", "apiKey": API_KEY, "webhookSecret": WEBHOOK_SECRET}
        await graphql(api, CONFIGURE, token=admin, input=given)
        manager = await token_for(api, tenant, Role.MANAGER)
        opened = await graphql(api, OPEN_ACCESS, token=manager, member=gid("Member", member.id))
        assert opened["data"] == {"memberAccessOpen": {"__typename": "Member"}}

    async with chromium() as browser:
        own = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await own.route("**/*", only_from(origin, elsewhere, also=(wave.url,)))
        page = await own.new_page()
        report_errors(page, errors)
        await page.goto(f"{origin}/sign-in/code")
        await page.get_by_label("Numéro de téléphone").fill(phone)
        await page.get_by_role("button", name="Recevoir un code").click()
        await page.get_by_label("Code reçu (6 chiffres)").wait_for()
        await jobs_done()
        await page.get_by_label("Code reçu (6 chiffres)").fill(last_code(caplog, phone))
        await page.get_by_role("button", name="Se connecter").click()
        await page.wait_for_url(f"{origin}/me")
        meter.watch(own)

        await page.get_by_role("link", name="Payer maintenant").click()
        await page.wait_for_url(f"{origin}/me/pay")
        weights["pay"] = await meter.take()
        assert await page.get_by_label("Montant à payer (F CFA)").input_value() == "5500"
        await page.get_by_label("Payer avec").select_option("WAVE")
        await page.get_by_role("button", name="Continuer").click()
        await page.wait_for_url(f"{origin}/me/checkouts/*")
        weights["checkout"] = await meter.take()
        assert await page.get_by_role("status").inner_text() == "En attente de votre paiement."

        await page.get_by_role("link", name="Payer avec Wave").click()
        await page.wait_for_url(f"{wave.url}/c/*")
        await page.get_by_role("button", name="Confirmer le paiement").click()
        await page.wait_for_url(f"{origin}/me/checkouts/*")
        receipt = f"{date.today().year}-000001"
        assert await page.get_by_role("status").inner_text() == f"Paiement reçu : reçu {receipt}. Merci !"
        await shot(page, "paid-online")

        await jobs_done()
        await page.reload()
        link = await page.get_by_role("link", name=f"Reçu {receipt} (PDF)").get_attribute("href")
        assert link
        parts = urlsplit(link)
        answer = await page.request.get(f"{origin}{parts.path}?{parts.query}")
        assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
        lines = PdfReader(io.BytesIO(await answer.body())).pages[0].extract_text().splitlines()
        assert lines[1] == f"Reçu {receipt}"

        await page.get_by_role("link", name="Retour à ma couverture").click()
        await page.wait_for_url(f"{origin}/me")
        assert await page.get_by_role("link", name="Payer maintenant").count() == 0

    assert elsewhere == []
    assert errors == []
    assert max(weights.values()) <= LATER_BUDGET, weights
