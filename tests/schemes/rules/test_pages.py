"""The schemes' pages over HTTP: a scheme's rules as people read them, in
the tenant's currency; the role matrix; another tenant's scheme is a 404."""

from __future__ import annotations

import re
from html import unescape

import pytest
from strawberry.relay import to_base64

from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, Browser, sign_in
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])).split())


async def test_a_schemes_rules_read_as_people_write_them(browser: Browser) -> None:
    tenant = await make_tenant()
    scheme = await make_scheme(await context(tenant))
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    html = (await browser.get("/schemes", headers=HTML)).text
    # Thousands and units are kept together on a narrow screen.
    assert "7\u202f000\u00a0F CFA" in html
    listed = _text(html)
    assert (
        f"Couverture maladie universelle {scheme.code} · Maladie Actif "
        "7 000 F CFA par bénéficiaire · annuelle règles n° 1 depuis le 01/01/2020"
    ) in listed
    page = await browser.get(f"/schemes/{to_base64('Scheme', scheme.id)}", headers=HTML)
    assert page.status_code == 200
    assert (
        "Règles n° 1 · à partir du 01/01/2020 Cotisation 7 000 F CFA par bénéficiaire · annuelle "
        "Droit d'adhésion 2 000 F CFA Qui paie adhérent 50 %, État 50 % "
        "Délai de grâce 30 jours · suspension après 1 période(s) impayée(s) Stages Consultations 90 jours "
        "Ayants droit enfants jusqu'à 21 ans, élèves et étudiants jusqu'à 25 ans, 4 conjoint(s) au plus"
    ) in _text(page.text)
    assert ("Consultations publique 80 % — Médicaments privée 50 % 100 000 F CFA par bénéficiaire et par an") in _text(
        page.text
    )


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: Browser, role: Role) -> None:
    tenant = await make_tenant()
    scheme = await make_scheme(await context(tenant))
    await sign_in(browser, await make_user(tenant, role))
    expected = 200 if Permission.SCHEMES_READ in permissions_of(role) else 403
    assert (await browser.get("/schemes", headers=HTML)).status_code == expected
    assert (await browser.get(f"/schemes/{to_base64('Scheme', scheme.id)}", headers=HTML)).status_code == expected


async def test_another_tenants_scheme_is_not_found(browser: Browser) -> None:
    scheme = await make_scheme(await context(await make_tenant()))
    await sign_in(browser, await make_user(await make_tenant(), Role.MANAGER))
    assert (await browser.get(f"/schemes/{to_base64('Scheme', scheme.id)}", headers=HTML)).status_code == 404
    assert "Couverture maladie universelle" not in _text((await browser.get("/schemes", headers=HTML)).text)
