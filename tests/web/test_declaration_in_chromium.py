"""An employer's declaration in headless Chromium, as an IPM's manager files
it: from the employer's page to its declarations, the form filled in with the
employees' recorded salaries, then from the month's payroll file (one employee
not on it), a salary typed wrong refused on its row, then the correction of
the declaration in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from schemes.contributions.periods import period_of
from schemes.rules.model import Period
from tenants.roles import Role
from tests.browser import LATER_BUDGET, Weights, chromium, shot, signed_in_desk
from tests.factories import PASSWORD, make_user
from tests.schemes.contributions.companies import make_company

pytestmark = pytest.mark.usefixtures("migrated")

MONTH = period_of(Period.MONTHLY, period_of(Period.MONTHLY, date.today()).start - timedelta(days=1))


def _texts(cells: list[str]) -> list[str]:
    """The cells' texts with their spaces plain (amounts are grouped by narrow no-break spaces)."""
    return [" ".join(cell.split()) for cell in cells]


async def test_a_manager_files_then_corrects_a_declaration(origin: str) -> None:
    company = await make_company()
    manager = await make_user(company.tenant, Role.MANAGER)
    elsewhere: list[str] = []
    errors: list[str] = []
    weights: dict[str, int] = {}
    meter = Weights()

    async with chromium() as browser:
        path = f"/employers/{company.employer_id}"
        desk, page = await signed_in_desk(browser, origin, path, manager.email or "", PASSWORD, elsewhere, errors)
        meter.watch(desk)
        await page.get_by_role("link", name="Déclarations et compte cotisations").click()
        await page.wait_for_url(f"{origin}/employers/*/declarations")
        weights["declarations"] = await meter.take()
        assert await page.get_by_role("status").inner_text() == "Aucune déclaration pour le moment."

        await page.get_by_role("link", name="Déclarer les salaires d'une période").click()
        await page.wait_for_url(f"{origin}/employers/*/declarations/new")
        weights["form"] = await meter.take()
        assert await page.get_by_label("Période déclarée").input_value() == MONTH.label
        salaries = [
            await page.get_by_label(f"Salaire brut de {name}").input_value()
            for name in ("Fall Ibrahima", "Ndiaye Awa", "Sarr Khady")
        ]
        assert salaries == ["250000", "180006", "600000"]
        # The month's payroll, exported from the company's software: Khady Sarr is not on it.
        payroll = "Matricule;Nom;Salaire brut\r\nSDBTP-0001;Ndiaye;180 006 F\r\nSDBTP-0002;Fall;250 000\r\n"
        await page.get_by_label("Fichier de paie (CSV ou Excel)").set_input_files(
            {"name": "paie.csv", "mimeType": "text/csv", "buffer": payroll.encode("cp1252")}
        )
        await page.get_by_role("button", name="Remplir depuis le fichier").click()
        await page.wait_for_load_state()
        assert await page.get_by_role("status").inner_text() == (
            "2 lignes lues du fichier : vérifiez-les, puis déposez la déclaration."
        )
        weights["form from the payroll"] = await meter.take()
        assert await page.get_by_label("Salaire brut de Ndiaye Awa").input_value() == "180 006 F"
        assert await page.get_by_label("Salaire brut de Sarr Khady").count() == 0
        await page.get_by_role("button", name="Déposer la déclaration").click()
        await page.wait_for_load_state()
        refused = page.locator("tr.invalid")
        assert _texts(await refused.locator("td").all_inner_texts()) == [
            "Ndiaye Awa",
            "SDBTP-0001",
            "Indiquez le salaire en chiffres, par exemple 250 000.",
        ]
        weights["form refused"] = await meter.take()

        await page.get_by_label("Salaire brut de Ndiaye Awa").fill("180 006")
        await page.get_by_role("button", name="Déposer la déclaration").click()
        await page.wait_for_url(f"{origin}/employers/*/declarations?notice=filed")
        weights["filed"] = await meter.take()
        assert await page.get_by_role("status").inner_text() == (
            "Déclaration enregistrée : l'employeur est appelé pour la période."
        )
        row = page.locator("tbody tr").first
        cells = _texts(await row.locator("td").all_inner_texts())
        assert cells[1:5] == ["1 · Rectifier", "2", "430 006 F CFA", "64 501 F CFA"]
        await shot(page, "declarations")

        await row.get_by_role("link", name="Rectifier").click()
        await page.wait_for_url(f"{origin}/employers/*/declarations/new?replaces=*")
        assert await page.get_by_role("heading", level=1).inner_text() == f"Déclaration rectificative de {MONTH.label}"
        await page.get_by_label("Salaire brut de Fall Ibrahima").fill("200 000")
        await page.get_by_label("Motif (pour une rectification)").fill("Erreur sur le salaire de M. Fall")
        await page.get_by_role("button", name="Déposer la déclaration").click()
        await page.wait_for_url(f"{origin}/employers/*/declarations?notice=filed")
        rows = [
            _texts(await line.locator("td").all_inner_texts())[1:5] for line in await page.locator("tbody tr").all()
        ]
        assert rows == [
            ["2 · Rectifier", "2", "380 006 F CFA", "57 001 F CFA"],
            ["1 · remplacée", "2", "430 006 F CFA", "64 501 F CFA"],
        ]

    assert elsewhere == []
    assert errors == []
    assert max(weights.values()) <= LATER_BUDGET, weights
