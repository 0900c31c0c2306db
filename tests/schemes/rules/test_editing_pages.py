"""Creating schemes and rule versions from the pages: a new scheme with its
refusals at their field, the next version's form filled in with the rules
in force (amounts in francs, shares in per cent), a version saved, numbers
that are not ones and the domain's refusals next to their field (on the
right row once blank rows are dropped); the role matrix and another
tenant's scheme a 404."""

from __future__ import annotations

import re
from html import unescape

import pytest
from strawberry.relay import to_base64

from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, Browser, field_error, field_value, post_form, sign_in
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


async def _admin_with_scheme(browser: Browser) -> str:
    """A tenant administrator signed in, with the CMU scheme; its page's path."""
    tenant = await make_tenant()
    scheme = await make_scheme(await context(tenant))
    await sign_in(browser, await make_user(tenant, Role.TENANT_ADMIN))
    return f"/schemes/{to_base64('Scheme', scheme.id)}"


def _fields(html: str) -> dict[str, str]:
    """Every text field's value and every choice made, by name: the form as a browser sends it."""
    texts = re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="text" value="([^"]*)"', html)
    choices = re.findall(
        r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected>', html, re.S
    )
    return {name: unescape(value) for name, value in [*texts, *choices]}


async def test_a_new_scheme_with_its_refusals_then_created(browser: Browser) -> None:
    tenant = await make_tenant()
    await sign_in(browser, await make_user(tenant, Role.TENANT_ADMIN))
    assert (await browser.get("/schemes/new", headers=HTML)).status_code == 200

    refused = await post_form(
        browser, "/schemes/new", {"name": "Régime des pêcheurs", "code": "peche", "branch": "HEALTH"}
    )
    created = await browser.post(
        "/schemes/new",
        data={
            "_csrf": browser.cookies["__Host-socle_csrf"],
            "name": "Régime des pêcheurs",
            "code": "peche-mbour",
            "branch": "HEALTH",
            "categories": ["SELF_EMPLOYED", "PRECARIOUS_WORKER"],
            "status": "ACTIVE",
        },
        headers=HTML,
    )

    assert refused.status_code == 400
    assert field_error(refused.text, "categories") == "Un régime doit admettre au moins une catégorie de membres."
    assert field_value(refused.text, "name") == "Régime des pêcheurs"
    assert created.status_code == 303
    shown = await browser.get(created.headers["location"], headers=HTML)
    assert "Le régime est créé : ajoutez ses règles." in shown.text
    assert "PECHE-MBOUR · Maladie · Actif" in shown.text
    first = await browser.get(created.headers["location"].split("?")[0] + "/versions/new", headers=HTML)
    assert "Les premières règles du régime." in first.text


async def test_the_next_versions_form_starts_from_the_rules_in_force(browser: Browser) -> None:
    path = await _admin_with_scheme(browser)

    form = await browser.get(f"{path}/versions/new", headers=HTML)

    assert form.status_code == 200
    assert "Le formulaire reprend les règles n° 1 : changez ce qui change." in form.text
    fields = _fields(form.text)
    assert {key: fields[key] for key in ("contribution.amount", "contribution.registrationFee")} == {
        "contribution.amount": "7000",
        "contribution.registrationFee": "2000",
    }
    assert (fields["contribution.shares.0.share"], fields["contribution.shares.1.share"]) == ("50", "50")
    assert (fields["rights.graceDays"], fields["rights.waitingPeriods.0.days"]) == ("30", "90")
    assert (fields["benefits.0.coverageRate"], fields["benefits.1.ceilingPerBeneficiaryYear"]) == ("80", "100000")
    assert fields["benefits.2.coverageRate"] == ""
    assert "benefits.3.coverageRate" not in fields
    assert field_value(form.text, "effectiveFrom") == ""


async def test_a_version_saved_from_the_form(browser: Browser) -> None:
    path = await _admin_with_scheme(browser)
    fields = _fields((await browser.get(f"{path}/versions/new", headers=HTML)).text)
    assert (fields["contribution.basis"], fields["benefits.1.careCategory"]) == ("PER_BENEFICIARY", "DRUGS")
    form = {**fields, "effectiveFrom": "2027-01-01", "contribution.amount": "8 500"}

    saved = await post_form(browser, f"{path}/versions/new", form)

    assert (saved.status_code, saved.headers.get("location")) == (303, f"{path}?notice=version"), saved.text
    shown = await browser.get(saved.headers["location"], headers=HTML)
    assert "La nouvelle version des règles est enregistrée." in shown.text
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", shown.text)).split())
    assert "Règles n° 2 · à partir du 01/01/2027 Cotisation 8 500 F CFA par bénéficiaire · annuelle" in text


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("contribution.amount", "trois mille", "Un nombre est attendu, par exemple 3 500."),
        ("contribution.shares.0.share", "33,333", "Un pourcentage est attendu, au centième près : 6,5."),
        ("rights.graceDays", "30 jours", "Un nombre est attendu, par exemple 3 500."),
    ],
)
async def test_a_number_that_is_not_one_is_refused_at_its_field(
    browser: Browser, field: str, typed: str, error: str
) -> None:
    path = await _admin_with_scheme(browser)
    fields = _fields((await browser.get(f"{path}/versions/new", headers=HTML)).text)

    refused = await post_form(browser, f"{path}/versions/new", {**fields, "effectiveFrom": "2027-01-01", field: typed})

    assert refused.status_code == 400
    assert field_error(refused.text, field) == error
    assert field_value(refused.text, field) == typed


async def test_a_refusal_of_a_line_lands_on_its_row_once_blank_rows_are_dropped(browser: Browser) -> None:
    path = await _admin_with_scheme(browser)
    form = {
        "effectiveFrom": "2027-01-01",
        "contribution.basis": "PER_MEMBER",
        "contribution.period": "MONTHLY",
        "contribution.amount": "1000",
        "contribution.shares.0.payer": "MEMBER",
        "contribution.shares.0.share": "100",
        "dependents.childAgeLimit": "21",
        "benefits.0.careCategory": "CONSULTATION",
        "benefits.0.facilityLevel": "PUBLIC",
        "benefits.0.coverageRate": "80",
        "benefits.1.facilityLevel": "PUBLIC",
        "benefits.2.careCategory": "DRUGS",
        "benefits.2.facilityLevel": "PUBLIC",
        "benefits.2.coverageRate": "150",
    }

    refused = await post_form(browser, f"{path}/versions/new", form)

    assert refused.status_code == 400
    # The blank second line is dropped: the drugs' line is the second one shown, with its error.
    assert field_value(refused.text, "benefits.1.coverageRate") == "150"
    assert field_error(refused.text, "benefits.1.coverageRate") is not None
    assert field_error(refused.text, "benefits.0.coverageRate") is None


async def test_shares_that_do_not_make_a_whole_are_refused(browser: Browser) -> None:
    path = await _admin_with_scheme(browser)
    fields = _fields((await browser.get(f"{path}/versions/new", headers=HTML)).text)

    refused = await post_form(
        browser,
        f"{path}/versions/new",
        {**fields, "effectiveFrom": "2027-01-01", "contribution.shares.1.share": "40"},
    )

    assert refused.status_code == 400
    alerts = [unescape(text) for text in re.findall(r'<div class="alert" role="alert">([^<]*)</div>', refused.text)]
    errors = [field_error(refused.text, f"contribution.shares.{index}.share") for index in range(3)]
    assert alerts + [error for error in errors if error] == [
        "Les parts des payeurs font 9000 points de base au lieu de 10 000 (100 %)."
    ]


async def test_adding_a_line_keeps_what_was_typed(browser: Browser) -> None:
    path = await _admin_with_scheme(browser)
    fields = _fields((await browser.get(f"{path}/versions/new", headers=HTML)).text)

    shown = await post_form(
        browser, f"{path}/versions/new", {**fields, "contribution.amount": "9000", "action": "add:benefits"}
    )

    assert shown.status_code == 200
    assert field_value(shown.text, "contribution.amount") == "9000"
    assert 'name="benefits.3.coverageRate"' in shown.text


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: Browser, role: Role) -> None:
    tenant = await make_tenant()
    scheme = await make_scheme(await context(tenant))
    await sign_in(browser, await make_user(tenant, role))
    path = f"/schemes/{to_base64('Scheme', scheme.id)}"
    expected = 200 if Permission.SCHEMES_WRITE in permissions_of(role) else 403

    assert (await browser.get("/schemes/new", headers=HTML)).status_code == expected
    assert (await browser.get(f"{path}/versions/new", headers=HTML)).status_code == expected
    posted = await post_form(browser, f"{path}/versions/new", {"effectiveFrom": "2027-01-01"})
    assert posted.status_code == (400 if expected == 200 else 403)


async def test_another_tenants_scheme_is_a_404(browser: Browser) -> None:
    scheme = await make_scheme(await context(await make_tenant()))
    await sign_in(browser, await make_user(await make_tenant(), Role.TENANT_ADMIN))
    path = f"/schemes/{to_base64('Scheme', scheme.id)}/versions/new"

    shown = await browser.get(path, headers=HTML)
    posted = await post_form(browser, path, {"effectiveFrom": "2027-01-01", "contribution.basis": "PER_MEMBER"})

    assert (shown.status_code, posted.status_code) == (404, 404)
