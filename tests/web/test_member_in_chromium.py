"""A member in headless Chromium: the manager opens the member's access
online from their file; the member, on a phone, signs in with the code the
SMS brought (read from the log) and sees their card number and household;
another tenant's manager gets 404 on the member's file."""

from __future__ import annotations

import logging

import pytest

from tenants.roles import Role
from tests.browser import LATER_BUDGET, PHONE, Weights, chromium, only_from, report_errors, shot, sign_in_on
from tests.factories import PASSWORD, make_tenant, make_user
from tests.jobs import jobs_done
from tests.messages import last_code
from tests.schemes.members.factories import household_with_phone, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_member_signs_in_with_the_code_and_sees_their_household(
    origin: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    manager = await make_user(tenant, Role.MANAGER)
    stranger = await make_user(await make_tenant(), Role.MANAGER)
    elsewhere: list[str] = []
    errors: list[str] = []
    meter = Weights()

    async with chromium() as browser:
        office = await browser.new_context(locale="fr-FR")
        await office.route("**/*", only_from(origin, elsewhere))
        desk = await office.new_page()
        await desk.goto(f"{origin}/members/{member_id}")
        await sign_in_on(desk, manager.email or "", PASSWORD)
        await desk.wait_for_url(f"{origin}/members/{member_id}")
        await desk.get_by_role("button", name="Ouvrir l'accès en ligne").click()
        await desk.wait_for_url(f"{origin}/members/{member_id}?notice=access#access")
        assert await desk.get_by_role("button", name="Fermer l'accès en ligne").count() == 1

        own = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await own.route("**/*", only_from(origin, elsewhere))
        meter.watch(own)
        page = await own.new_page()
        report_errors(page, errors)
        await page.goto(f"{origin}/")
        await page.get_by_role("link", name="Se connecter avec un code reçu par SMS").click()
        await page.get_by_label("Numéro de téléphone").fill(phone)
        await page.get_by_role("button", name="Recevoir un code").click()
        await page.get_by_label("Code reçu (6 chiffres)").wait_for()
        await jobs_done()
        await page.get_by_label("Code reçu (6 chiffres)").fill(last_code(caplog, phone))
        await page.get_by_role("button", name="Se connecter").click()
        await page.wait_for_url(f"{origin}/me")
        await meter.take()
        await page.reload()
        weight = await meter.take()

        assert await page.get_by_role("heading", level=1).inner_text() == "Ma couverture santé"
        assert await page.locator(".card dd.number").inner_text() == member.number
        household = [" ".join(row.split()) for row in await page.locator("tbody tr").all_inner_texts()]
        assert household == [
            "Ndiaye Aïssatou Conjoint vers 1985 Couvert",
            "Diop Binta Enfant 02/02/2015 Couvert jusqu'au 02/02/2036",
        ]
        await shot(page, "my-coverage")

        other = await (await browser.new_context(locale="fr-FR")).new_page()
        await other.context.route("**/*", only_from(origin, elsewhere))
        await other.goto(f"{origin}/sign-in")
        await sign_in_on(other, stranger.email or "", PASSWORD)
        await other.wait_for_url(f"{origin}/members")
        answer = await other.goto(f"{origin}/members/{member_id}")
        assert answer is not None
        assert answer.status == 404

    assert elsewhere == []
    assert errors == []
    assert weight <= LATER_BUDGET
