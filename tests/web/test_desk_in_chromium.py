"""The manager's desk in headless Chromium, as a manager at a counter uses
it: sign in, enrol a member with two dependants (one field refused first,
then corrected), find them by a fragment of their name typed without
accents; another tenant's manager gets 404; each page's weight measured in
the same run and held under the budget."""

from __future__ import annotations

from datetime import date

import pytest

from tenants.roles import Role
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
from tests.factories import PASSWORD, context, make_tenant, make_user
from tests.schemes.documents.conftest import png
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_manager_enrols_a_household_then_finds_it(origin: str) -> None:
    tenant = await make_tenant()
    await make_scheme(await context(tenant))
    manager = await make_user(tenant, Role.MANAGER)
    stranger = await make_user(await make_tenant(), Role.MANAGER)
    elsewhere: list[str] = []
    errors: list[str] = []
    weights: dict[str, int] = {}
    meter = Weights()

    async with chromium() as browser:
        desk = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await desk.route("**/*", only_from(origin, elsewhere))
        meter.watch(desk)
        page = await desk.new_page()
        report_errors(page, errors)

        await page.goto(f"{origin}/members")
        assert page.url == f"{origin}/sign-in?next=/members"
        weights["sign-in (first load)"] = await meter.take()
        await shot(page, "sign-in")
        await sign_in_on(page, manager.email or "", PASSWORD)
        await page.wait_for_url(f"{origin}/members")
        weights["search"] = await meter.take()

        await page.get_by_role("link", name="Inscrire").click()
        await page.wait_for_url(f"{origin}/members/new")
        weights["enrolment form"] = await meter.take()
        await page.get_by_label("Régime").select_option(label="Couverture maladie universelle")
        await page.get_by_label("Catégorie").select_option("ARTISAN")
        await page.locator("#f-person\\.lastName").fill("Sène")
        await page.locator("#f-person\\.firstNames").fill("Adama")
        await page.locator("#f-person\\.sex").select_option("MALE")
        await page.locator("#f-person\\.birthDate").fill("1979-11-03")
        await page.get_by_label("Numéro de téléphone").fill("+221 76 221 09 87")
        await page.get_by_label("Région").select_option("SN-KL")
        await page.get_by_label("Numéro de la pièce").fill("1 179 1979 01234")
        await page.get_by_label("Métier", exact=True).fill("Cordonnier")
        await page.get_by_label("N° au répertoire des métiers").fill("RM-KL-2015-0311")
        await page.get_by_label("Chambre de métiers").fill("Chambre des métiers de Kaolack")
        await page.locator("#f-beneficiaries\\.0\\.relationship").select_option("SPOUSE")
        await page.locator("#f-beneficiaries\\.0\\.person\\.lastName").fill("Ndour")
        await page.locator("#f-beneficiaries\\.0\\.person\\.firstNames").fill("Fatou")
        await page.locator("#f-beneficiaries\\.0\\.person\\.sex").select_option("FEMALE")
        await page.locator("#f-beneficiaries\\.0\\.person\\.birthYear").fill("1890")
        await page.locator("#f-beneficiaries\\.1\\.person\\.lastName").fill("Sène")
        await page.locator("#f-beneficiaries\\.1\\.person\\.firstNames").fill("Ibrahima")
        await page.locator("#f-beneficiaries\\.1\\.person\\.sex").select_option("MALE")
        await page.locator("#f-beneficiaries\\.1\\.person\\.birthDate").fill("2012-06-21")
        await page.get_by_role("button", name="Inscrire", exact=True).click()
        await page.wait_for_load_state()
        refused = page.locator("#f-beneficiaries\\.0\\.person\\.birthYear")
        assert await refused.get_attribute("aria-invalid") == "true"
        # The script moves the focus to the refused field, whose error is read with it.
        assert await page.evaluate("document.activeElement.id") == "f-beneficiaries.0.person.birthYear"
        assert (await page.locator("#f-beneficiaries\\.0\\.person\\.birthYear-error").inner_text()).startswith(
            "Indiquez la date de naissance"
        )
        assert await page.locator("#f-person\\.firstNames").input_value() == "Adama"
        weights["enrolment refused"] = await meter.take()
        await shot(page, "enrolment-refused")
        await refused.fill("1984")
        # The photo is taken with the camera on a phone; here, a file of its bytes.
        await page.get_by_label("Photo de l'adhérent").set_input_files(
            files=[{"name": "IMG_0412.png", "mimeType": "image/png", "buffer": png(8, 10)}]
        )
        await page.get_by_role("button", name="Inscrire", exact=True).click()
        await page.wait_for_url(f"{origin}/members/*?notice=enrolled")
        weights["member's file"] = await meter.take()
        assert await page.get_by_role("heading", level=1).inner_text() == "Sène Adama"
        facts = " ".join((await page.locator("dl.facts").inner_text()).split())
        assert "Téléphone +221 76 221 09 87 Adresse Kaolack" in facts
        household = await page.locator("tbody tr").all_inner_texts()
        assert [" ".join(row.split()) for row in household] == [
            "Ndour Fatou Conjoint vers 1984 Couvert",
            f"Sène Ibrahima Enfant 21/06/2012 Couvert jusqu'au {date(2033, 6, 21):%d/%m/%Y}",
        ]
        # The file lists the identity card, then the photo taken at the counter.
        assert await page.get_by_role("link", name="Télécharger").count() == 1
        await shot(page, "member")
        member_url = page.url.split("?")[0]

        await page.get_by_role("link", name="Membres").click()
        await page.get_by_label("Nom, numéro d'adhérent, téléphone ou pièce d'identité").fill("adama sene")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{origin}/members?q=*")
        weights["search results"] = await meter.take()
        found = await page.locator("tbody tr").all_inner_texts()
        assert len(found) == 1
        assert found[0].startswith("Sène Adama")
        await shot(page, "search")

        other = await browser.new_context(viewport=PHONE, locale="fr-FR")
        await other.route("**/*", only_from(origin, elsewhere))
        intruder = await other.new_page()
        await intruder.goto(f"{origin}/sign-in")
        await sign_in_on(intruder, stranger.email or "", PASSWORD)
        await intruder.wait_for_url(f"{origin}/members")
        answer = await intruder.goto(member_url)
        assert answer is not None
        assert answer.status == 404
        assert await intruder.get_by_role("heading", level=1).inner_text() == "Page introuvable."

    assert elsewhere == []
    assert errors == []
    assert weights["sign-in (first load)"] <= FIRST_LOAD_BUDGET, weights
    later = {name: weight for name, weight in weights.items() if name != "sign-in (first load)"}
    assert max(later.values()) <= LATER_BUDGET, weights
