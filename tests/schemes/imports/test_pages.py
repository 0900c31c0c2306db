"""The imports' pages over HTTP: a file sent with the page's form is imported
by the job, its page shows the rows done and refused and links the report;
a wrong or missing file is refused at its field; another tenant's import is
a 404 and only the roles that import open the pages."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from schemes.imports.files import csv_bytes
from tenants.identity.http import CSRF_COOKIE
from tenants.roles import Role
from tests.factories import make_user
from tests.jobs import jobs_done
from tests.pages import HTML, Browser, field_error, sign_in
from tests.schemes.imports.example import HEADER, example_rows, importing_tenant

pytestmark = pytest.mark.usefixtures("migrated")


async def _send(
    browser: httpx.AsyncClient, content: bytes, name: str = "adherents.csv", kind: str = "text/csv"
) -> httpx.Response:
    return await browser.post(
        "/imports",
        data={"_csrf": browser.cookies[CSRF_COOKIE]},
        files={"file": (name, content, kind)},
        headers=HTML,
    )


def _counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'<dd data-count="(\w+)">([^<]*)</dd>', html))


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>") if "<td>" in row]


async def test_a_file_sent_with_the_form_is_imported_and_its_refused_rows_shown(browser: httpx.AsyncClient) -> None:
    tenant, _, scheme = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    form = await browser.get("/imports", headers=HTML)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert 'href="/imports/members/template.csv"' in form.text
    assert "Aucun import pour l&#39;instant." in form.text

    # Windows browsers declare a CSV file as a spreadsheet: the extension decides.
    sent = await _send(browser, csv_bytes(HEADER, example_rows(scheme.code)), kind="application/vnd.ms-excel")
    assert sent.status_code == 303, sent.text
    job_path = sent.headers["location"]
    assert re.fullmatch(r"/imports/[A-Za-z0-9=]+", job_path)
    queued = await browser.get(job_path, headers=HTML)
    assert f'data-refresh="{job_path}/progress" data-every="2"' in queued.text
    assert '<noscript><meta http-equiv="refresh" content="4"></noscript>' in queued.text

    await jobs_done()
    done = await browser.get(job_path, headers=HTML)
    part = await browser.get(f"{job_path}/progress", headers=HTML)

    assert done.status_code == 200
    assert "data-refresh" not in done.text
    assert "http-equiv" not in done.text
    assert _counts(done.text) == {"read": "9", "imported": "4", "existing": "0", "failed": "5"}
    assert _rows(done.text) == [
        "6 Date de naissance Date illisible : « 31/02/1980 » (attendu JJ/MM/AAAA).",
        "7 — Ligne non importée : une autre ligne du foyer « F3 » a une erreur.",
        "8 Foyer Le foyer « F4 » n'a pas d'adhérent sur la ligne qui précède ses ayants droit.",
        "9 Métier Le champ « Métier » est obligatoire pour la catégorie « artisan ».",
        "10 Téléphone « 12 » n'est pas un numéro de téléphone valide.",
    ]
    assert part.text.startswith('<section id="progress" aria-live="polite">')
    assert "<html" not in part.text
    report_path = re.search(r'<a href="(/imports/[^"]+/problems\.csv)" download>', done.text)
    assert report_path is not None
    report = await browser.get(report_path.group(1))
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines()[1] == (
        "6;Date de naissance;Date illisible : « 31/02/1980 » (attendu JJ/MM/AAAA)."
    )
    listed = await browser.get("/imports", headers=HTML)
    assert _rows(listed.text)[0].startswith("adherents.csv Terminé 4 5 ")


async def test_the_report_follows_the_language_chosen_on_the_pages(browser: httpx.AsyncClient) -> None:
    tenant, _, scheme = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    sent = await _send(browser, csv_bytes(HEADER, example_rows(scheme.code)))
    await jobs_done()
    await browser.get("/language/en", headers=HTML)

    done = await browser.get(sent.headers["location"], headers=HTML)
    report = await browser.get(sent.headers["location"] + "/problems.csv")

    assert _rows(done.text)[0] == "6 Date de naissance Unreadable date: “31/02/1980” (expected DD/MM/YYYY)."
    assert report.content.decode("utf-8-sig").splitlines()[:2] == [
        "Line;Column;Error",
        "6;Date de naissance;Unreadable date: “31/02/1980” (expected DD/MM/YYYY).",
    ]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "adherents.pdf",
            b"%PDF-1.7",
            "Seuls les fichiers CSV (.csv) et Excel (.xlsx) sont acceptés (application/vnd.openxmlformats-"
            "officedocument.spreadsheetml.sheet, text/csv).",
        ),
        (
            "adherents.xlsx",
            b"Nom;Prenoms\nDiop;Awa\n",
            "Seuls les fichiers CSV (.csv) et Excel (.xlsx) sont acceptés (application/vnd.openxmlformats-"
            "officedocument.spreadsheetml.sheet, text/csv).",
        ),
        ("vide.csv", b"", "La taille du fichier doit être comprise entre 1 et 52428800 octets."),
    ],
)
async def test_a_file_that_cannot_be_imported_is_refused_at_its_field(
    browser: httpx.AsyncClient, name: str, content: bytes, error: str
) -> None:
    tenant, _, _ = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))

    refused = await _send(browser, content, name=name)

    assert refused.status_code == 400
    assert field_error(refused.text, "file") == error
    assert 'aria-invalid="true"' in refused.text


async def test_a_form_without_a_file_or_without_its_token_is_refused(browser: httpx.AsyncClient) -> None:
    tenant, _, _ = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))

    missing = await browser.post("/imports", data={"_csrf": browser.cookies[CSRF_COOKIE]}, headers=HTML)
    forged = await browser.post(
        "/imports", data={"_csrf": "x"}, files={"file": ("a.csv", b"Nom\n", "text/csv")}, headers=HTML
    )

    assert missing.status_code == 400
    assert field_error(missing.text, "file") == "Choisissez un fichier."
    assert forged.status_code == 403
    assert "Ce formulaire a expiré." in forged.text


async def test_a_file_larger_than_the_operator_allows_is_refused_before_it_is_read(
    browser: httpx.AsyncClient,
) -> None:
    tenant, _, _ = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))

    # 60 MiB: over the 50 MiB of imports and the form's own fields.
    refused = await _send(browser, b"a" * 62_914_560)

    assert refused.status_code == 413
    assert "Le fichier envoyé est trop volumineux." in refused.text


async def test_another_tenants_import_is_a_404(browser: Browser) -> None:
    tenant, _, scheme = await importing_tenant()
    other, _, _ = await importing_tenant()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    job_path = (await _send(browser, csv_bytes(HEADER, example_rows(scheme.code)))).headers["location"]
    await jobs_done()
    intruder = browser.another()
    await sign_in(intruder, await make_user(other, Role.MANAGER))

    for path in (job_path, f"{job_path}/progress", "/imports/not-an-id"):
        response = await intruder.get(path, headers=HTML)
        assert (response.status_code, "Page introuvable." in response.text) == (404, True), path
    listed = await intruder.get("/imports", headers=HTML)
    assert "Aucun import pour l&#39;instant." in listed.text


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.MANAGER, True),
        (Role.TENANT_ADMIN, False),
        (Role.AGENT, False),
        (Role.CLAIMS_OFFICER, False),
        (Role.AUDITOR, False),
        (Role.MEMBER, False),
    ],
)
async def test_role_matrix(browser: httpx.AsyncClient, role: Role, allowed: bool) -> None:
    tenant, _, scheme = await importing_tenant()
    await sign_in(browser, await make_user(tenant, role))

    listed = await browser.get("/imports", headers=HTML)
    sent = await _send(browser, csv_bytes(HEADER, example_rows(scheme.code)))
    home = await browser.get("/members", headers=HTML)

    assert listed.status_code == (200 if allowed else 403)
    assert sent.status_code == (303 if allowed else 403)
    assert ('href="/imports"' in home.text) is allowed


async def test_signed_out_the_pages_lead_to_the_sign_in(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/imports", headers=HTML)

    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?next=/imports")
