"""The State's subsidy in headless Chromium: a mutual's manager draws up the
year's statement from the menu, then the ministry's administrator finds it
among its tenants', records the Treasury's first transfer (a typing error
refused at its field first), and the mutual's manager sees what is left."""

from __future__ import annotations

from datetime import date

import pytest

from tenants.roles import Role, TenantKind
from tests.browser import LATER_BUDGET, Weights, chromium, shot, signed_in_desk
from tests.factories import PASSWORD, fresh_country, make_tenant, make_user
from tests.jobs import jobs_done
from tests.schemes.contributions.mutuals import YEAR, cmu_mutual

pytestmark = pytest.mark.usefixtures("migrated")


def _texts(cells: list[str]) -> list[str]:
    """The cells' texts with their spaces plain (amounts are grouped by narrow no-break spaces)."""
    return [" ".join(cell.split()) for cell in cells]


async def test_a_statement_drawn_up_then_paid_by_the_ministry(origin: str) -> None:
    country = fresh_country()
    mutual = await cmu_mutual(country, "Mutuelle de santé de Podor")
    manager = await make_user(mutual.tenant, Role.MANAGER)
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country, name="Direction de la Protection Sociale")
    admin = await make_user(ministry, Role.MINISTRY_ADMIN)
    elsewhere: list[str] = []
    errors: list[str] = []
    weights: dict[str, int] = {}
    meter = Weights()

    async with chromium() as browser:
        desk, page = await signed_in_desk(
            browser, origin, "/subsidies", manager.email or "", PASSWORD, elsewhere, errors
        )
        assert await page.get_by_role("link", name="Subventions de l'État").count() == 1
        meter.watch(desk)
        await page.reload()
        weights["statements"] = await meter.take()
        assert await page.get_by_label("Période").input_value() == YEAR.label
        await page.get_by_role("button", name="Établir le relevé").click()
        await page.wait_for_url(f"{origin}/subsidies/*?notice=drawn")
        weights["drawn"] = await meter.take()
        assert await page.get_by_role("status").inner_text() == "Relevé établi."
        assert await page.get_by_role("heading", level=1).inner_text() == f"Relevé {YEAR.label} n° 1"
        assert await page.get_by_role("button", name="Enregistrer le paiement").count() == 0

        _, desk_of_ministry = await signed_in_desk(
            browser, origin, "/subsidies", admin.email or "", PASSWORD, elsewhere, errors
        )
        row = desk_of_ministry.locator("tbody tr").first
        assert _texts(await row.locator("td").all_inner_texts()) == [
            "Mutuelle de santé de Podor",
            f"Relevé {YEAR.label} n° 1",
            "Couverture maladie universelle",
            "3",
            "6",
            "28 000 F CFA",
            "0 F CFA",
            "28 000 F CFA",
            "À payer",
        ]
        await row.get_by_role("link", name=f"Relevé {YEAR.label} n° 1").click()
        await desk_of_ministry.wait_for_url(f"{origin}/subsidies/*")
        assert await desk_of_ministry.get_by_label("Date du virement").input_value() == date.today().isoformat()
        await desk_of_ministry.get_by_label("Montant viré (F CFA)").fill("20 000")
        await desk_of_ministry.get_by_label("Référence du virement").fill("OV 0412")
        await desk_of_ministry.get_by_role("button", name="Enregistrer le paiement").click()
        await desk_of_ministry.wait_for_load_state()
        assert await desk_of_ministry.locator("#f-reference-error").inner_text() == (
            "La référence doit compter de 3 à 100 lettres, chiffres, points, tirets ou barres obliques."
        )
        await desk_of_ministry.get_by_label("Référence du virement").fill("TRESOR-OV-2026-0412")
        await desk_of_ministry.get_by_role("button", name="Enregistrer le paiement").click()
        await desk_of_ministry.wait_for_url(f"{origin}/subsidies/*?notice=paid")
        assert await desk_of_ministry.get_by_role("status").inner_text() == "Paiement de l'État enregistré."
        assert await desk_of_ministry.get_by_label("Montant viré (F CFA)").input_value() == "8000"
        await shot(desk_of_ministry, "ministry-subsidy")
        await jobs_done()

        await page.reload()
        facts = _texts(await page.locator("dl.facts dd").all_inner_texts())
        assert facts[3:6] == ["28 000 F CFA", "20 000 F CFA", "8 000 F CFA"]
        payment = _texts(await page.locator("tbody tr").first.locator("td").all_inner_texts())
        assert payment[1:3] == ["20 000 F CFA", "TRESOR-OV-2026-0412"]
        assert payment[4] == f"{date.today().year}-000001"
        weights["statement"] = await meter.take()

    assert elsewhere == []
    assert errors == []
    assert max(weights.values()) <= LATER_BUDGET, weights
