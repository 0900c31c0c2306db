"""An import in headless Chromium: a manager sends a small file with a bad
row from the imports' page, watches the rows done and refused move on the
import's page without reloading it, then downloads the error report."""

from __future__ import annotations

import pytest

from schemes.imports.files import csv_bytes
from tenants.roles import Role
from tests.browser import LATER_BUDGET, PHONE, Weights, chromium, only_from, report_errors, shot, sign_in_on
from tests.factories import PASSWORD, make_user
from tests.schemes.imports.example import HEADER, artisan_row, importing_tenant, row

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_manager_imports_a_file_and_downloads_its_error_report(origin: str) -> None:
    tenant, _, scheme = await importing_tenant()
    manager = await make_user(tenant, Role.MANAGER)
    content = csv_bytes(
        HEADER,
        [
            artisan_row("K1", "Cissé", "Bineta", "F", "08/03/1983", scheme.code, phone="77 530 18 44"),
            row(household="K1", relationship="enfant", last="Cissé", first="Aliou", sex="M", birth="2016"),
            artisan_row("K2", "Thiam", "Modou", "M", "1975", scheme.code, phone="77 530"),
        ],
    )
    elsewhere: list[str] = []
    errors: list[str] = []
    meter = Weights()

    async with chromium() as browser:
        desk = await browser.new_context(viewport=PHONE, locale="fr-FR", accept_downloads=True)
        await desk.route("**/*", only_from(origin, elsewhere))
        meter.watch(desk)
        page = await desk.new_page()
        report_errors(page, errors)
        await page.goto(f"{origin}/imports")
        await sign_in_on(page, manager.email or "", PASSWORD)
        await page.wait_for_url(f"{origin}/imports")
        await meter.take()

        await page.get_by_label("Fichier des adhérents").set_input_files(
            files=[{"name": "cisse-thiam.csv", "mimeType": "text/csv", "buffer": content}]
        )
        await page.get_by_role("button", name="Envoyer et importer").click()
        await page.wait_for_url(f"{origin}/imports/*")
        job_url = page.url
        sent_weight = await meter.take()
        loads: list[str] = []
        parts: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        page.on("request", lambda request: parts.append(request.url) if request.url.endswith("/progress") else None)
        # The counts move in place: the script fetches the progress part, the page is never loaded again.
        await page.locator('#progress dd[data-count="failed"]', has_text="1").wait_for(timeout=20_000)
        assert parts[0] == f"{job_url}/progress"
        assert loads == []
        counts = await page.locator("#progress dl.facts").inner_text()
        assert " ".join(counts.split()) == ("Lignes lues 3 Lignes importées 2 Déjà inscrits 0 Lignes refusées 1")
        assert [" ".join(text.split()) for text in await page.locator("#progress tbody tr").all_inner_texts()] == [
            "4 Téléphone « 77 530 » n'est pas un numéro de téléphone valide."
        ]
        await shot(page, "import")

        async with page.expect_download() as waiting:
            await page.get_by_role("link", name="Télécharger le rapport des erreurs (CSV)").click()
        download = await waiting.value
        path = await download.path()
        assert download.suggested_filename == "problems-cisse-thiam.csv"
        assert path.read_bytes().decode("utf-8-sig").splitlines() == [
            "Ligne;Colonne;Erreur",
            "4;Téléphone;« 77 530 » n'est pas un numéro de téléphone valide.",
        ]

    assert elsewhere == []
    assert errors == []
    assert sent_weight <= LATER_BUDGET
