"""The employers' pages over HTTP: the list and its search, registering an
employer with its refusals next to their field, an employer's employees
today; another tenant's employer a 404, and the pages each role opens."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory, Sex
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, field_error, field_value, post_form, sign_in
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>") if "<td>" in row]


@pytest.fixture
async def ipm() -> dict[str, Any]:
    """An IPM with two member companies; two employees of Sococim."""
    tenant = await make_tenant(kind=TenantKind.IPM)
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        sococim = await employer_service.create_employer(
            tx,
            ctx,
            employer_service.EmployerData(
                name="Sococim Industries", registration_number="3067221", sector="Cimenterie", region="SN-DK"
            ),
        )
        await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sonatel", registration_number="0045874 2V2", sector="Télécoms")
        )
    numbers = []
    for first, last, staff in (("Khadija", "Diallo", "MAT-0192"), ("Ndèye", "Faye", "MAT-0207")):
        person = ids.Person(first_names=first, last_name=last, sex=Sex.FEMALE, birth_date=date(1988, 4, 2))
        job = enrolment.Job(
            employer_id=sococim.id,
            contract_kind=ContractKind.PERMANENT,
            staff_number=staff,
            salary=185_000,
            started_on=date(2019, 9, 1),
        )
        data = artisan(scheme, person=person, phone=None, category=MemberCategory.SALARIED, artisan=None, jobs=(job,))
        numbers.append((await enrol(ctx, data)).number)
    return {"tenant": tenant, "sococim": to_base64("Employer", sococim.id), "numbers": numbers}


async def test_the_list_finds_an_employer_by_name_or_ninea(browser: httpx.AsyncClient, ipm: dict[str, Any]) -> None:
    await sign_in(browser, await make_user(ipm["tenant"], Role.MANAGER))

    listed = await browser.get("/employers", headers=HTML)
    by_name = await browser.get("/employers", params={"q": "soco"}, headers=HTML)
    by_number = await browser.get("/employers", params={"q": "0045874"}, headers=HTML)

    assert _rows(listed.text) == ["Sococim Industries 3067221 Cimenterie Actif", "Sonatel 00458742V2 Télécoms Actif"]
    assert _rows(by_name.text) == ["Sococim Industries 3067221 Cimenterie Actif"]
    assert _rows(by_number.text) == ["Sonatel 00458742V2 Télécoms Actif"]


async def test_an_employers_page_lists_its_employees_today(browser: httpx.AsyncClient, ipm: dict[str, Any]) -> None:
    await sign_in(browser, await make_user(ipm["tenant"], Role.MANAGER))

    response = await browser.get(f"/employers/{ipm['sococim']}", headers=HTML)

    assert response.status_code == 200
    assert "<h2>Employés aujourd&#39;hui : 2</h2>" in response.text
    first, second = ipm["numbers"]
    assert _rows(response.text) == [
        f"Diallo Khadija {first} MAT-0192 CDI depuis le 01/09/2019 En attente",
        f"Faye Ndèye {second} MAT-0207 CDI depuis le 01/09/2019 En attente",
    ]


async def test_registering_an_employer_shows_refusals_at_their_field(
    browser: httpx.AsyncClient, ipm: dict[str, Any]
) -> None:
    await sign_in(browser, await make_user(ipm["tenant"], Role.MANAGER))
    form = {"name": "Grands Moulins de Dakar", "registrationNumber": "1234568", "sector": "Meunerie", "region": "SN-DK"}

    refused = await post_form(browser, "/employers/new", form)
    created = await post_form(browser, "/employers/new", {**form, "registrationNumber": "0051235 2V2"})

    assert refused.status_code == 400
    assert field_error(refused.text, "registrationNumber") == (
        "« 1234568 » n'est pas un NINEA valide : 7 chiffres (clé de contrôle comprise), suivis ou non "
        "des 3 caractères du COFI, par exemple 3067221 2G2."
    )
    assert field_value(refused.text, "name") == "Grands Moulins de Dakar"
    assert created.status_code == 303
    shown = await browser.get(created.headers["location"], headers=HTML)
    assert "L&#39;employeur est enregistré." in shown.text
    assert "<h1>Grands Moulins de Dakar</h1>" in shown.text
    assert "Aucun adhérent ne travaille pour cet employeur aujourd&#39;hui." in shown.text


async def test_another_tenants_employer_is_a_404(browser: httpx.AsyncClient, ipm: dict[str, Any]) -> None:
    other = await make_tenant(kind=TenantKind.IPM)
    await sign_in(browser, await make_user(other, Role.MANAGER))

    response = await browser.get(f"/employers/{ipm['sococim']}", headers=HTML)
    forged = await browser.get("/employers/not-an-id", headers=HTML)

    assert (response.status_code, forged.status_code) == (404, 404)
    assert "Sococim" not in response.text


@pytest.mark.parametrize("role", [role for role in Role if role_fits_tenant(role, TenantKind.IPM)])
async def test_role_matrix(browser: httpx.AsyncClient, ipm: dict[str, Any], role: Role) -> None:
    await sign_in(browser, await make_user(ipm["tenant"], role))
    granted = permissions_of(role)

    listed = await browser.get("/employers", headers=HTML)
    employer = await browser.get(f"/employers/{ipm['sococim']}", headers=HTML)
    new = await browser.get("/employers/new", headers=HTML)

    reads = 200 if Permission.MEMBERS_READ in granted else 403
    assert (listed.status_code, employer.status_code) == (reads, reads)
    assert new.status_code == (200 if Permission.MEMBERS_WRITE in granted else 403)
