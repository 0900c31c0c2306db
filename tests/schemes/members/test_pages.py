"""The manager's desk over HTTP: search, a member's file, enrolment with
errors next to their field, status changes; another tenant's member is a
404 and each role sees what its permissions open."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from html import unescape
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from tenants.identity.http import CSRF_COOKIE
from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, csrf_of, field_error, field_value, post_form, sign_in
from tests.schemes.documents.conftest import png
from tests.schemes.members.factories import artisan, child, enrol, make_scheme, spouse

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def desk() -> dict[str, Any]:
    """A mutual with a scheme and a member's household (a wife, a child of
    2015, a son of 1995 past the children's age limit)."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(
        ctx,
        artisan(
            scheme,
            beneficiaries=(spouse("Aïssatou"), child("Binta", date(2015, 2, 2)), child("Ousmane", date(1995, 7, 1))),
        ),
        today=date(2024, 3, 1),
    )
    return {
        "tenant": tenant,
        "scheme": to_base64("Scheme", scheme.id),
        "member": member,
        "path": f"/members/{to_base64('Member', member.id)}",
    }


async def _signed_in(browser: httpx.AsyncClient, tenant: Any, role: Role) -> None:
    response = await sign_in(browser, await make_user(tenant, role))
    assert response.status_code == 303, response.text


def _rows(html: str) -> list[str]:
    """The text of each row of the page's table body, tags and spacing removed."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>") if "<td>" in row]


async def test_a_manager_finds_a_member_by_a_name_fragment_without_accents(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    response = await browser.get("/members", params={"q": "mous"}, headers=HTML)
    assert response.status_code == 200
    member = desk["member"]
    assert _rows(response.text) == [
        f"Diop Moussa Artisan · Couverture maladie universelle {member.number} En attente 12/05/1980 +221 77 123 45 67"
    ]
    assert f'href="{desk["path"]}"' in response.text
    nothing = await browser.get("/members", params={"q": "zzzz"}, headers=HTML)
    assert "Aucun membre ne correspond." in nothing.text


async def test_a_members_file_shows_the_household_with_its_rights_today(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    response = await browser.get(desk["path"], headers=HTML)
    assert response.status_code == 200
    assert "<h1>Diop Moussa</h1>" in response.text
    assert _rows(response.text) == [
        "Ndiaye Aïssatou Conjoint vers 1985 Couvert",
        "Diop Binta Enfant 02/02/2015 Couvert jusqu'au 02/02/2036",
        "Diop Ousmane Enfant 01/07/1995 Non couvert limite d'âge atteinte",
    ]


async def test_another_tenants_member_is_not_found(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, await make_tenant(), Role.MANAGER)
    response = await browser.get(desk["path"], headers=HTML)
    assert response.status_code == 404
    assert "<h1>Page introuvable.</h1>" in response.text
    searched = await browser.get("/members", params={"q": "diop"}, headers=HTML)
    assert "Aucun membre ne correspond." in searched.text
    changed = await post_form(browser, f"{desk['path']}/status", {"status": "SUSPENDED"})
    assert changed.status_code == 404


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: httpx.AsyncClient, desk: dict[str, Any], role: Role) -> None:
    granted = permissions_of(role)
    await _signed_in(browser, desk["tenant"], role)
    reads = 200 if Permission.MEMBERS_READ in granted else 403
    assert (await browser.get("/members", headers=HTML)).status_code == reads
    enrols = 200 if Permission.ENROLMENT_WRITE in granted else 403
    assert (await browser.get("/members/new", headers=HTML)).status_code == enrols
    member_page = await browser.get(desk["path"], headers=HTML)
    assert member_page.status_code == reads
    assert ('action="' + desk["path"] + '/status#status"' in member_page.text) is (Permission.MEMBERS_WRITE in granted)
    if Permission.MEMBERS_WRITE not in granted:
        changed = await post_form(browser, f"{desk['path']}/status", {"status": "SUSPENDED"})
        assert changed.status_code == 403


async def test_signed_out_the_desk_leads_to_the_sign_in_page(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    response = await browser.get(desk["path"], headers=HTML)
    assert (response.status_code, response.headers["location"]) == (303, f"/sign-in?next={desk['path']}")


def _enrolment(scheme: str, key: str, **overrides: str) -> dict[str, str]:
    form = {
        "idempotencyKey": key,
        "scheme": scheme,
        "category": "ARTISAN",
        "person.lastName": "Faye",
        "person.firstNames": "Mariama",
        "person.sex": "FEMALE",
        "person.birthDate": "1988-09-14",
        "person.nationality": "SN",
        "phone": "+221 77 654 32 10",
        "address.country": "SN",
        "address.region": "SN-TH",
        "documents.0.kind": "NATIONAL_ID_CARD",
        "documents.0.number": "2 988 1987 00417",
        "artisan.trade": "Couturière",
        "artisan.tradesRegisterNumber": "RM-TH-2021-0117",
        "artisan.chamberOfTrades": "Chambre des métiers de Thiès",
        "beneficiaries.0.relationship": "CHILD",
        "beneficiaries.0.person.lastName": "Faye",
        "beneficiaries.0.person.firstNames": "Khady",
        "beneficiaries.0.person.sex": "FEMALE",
        "beneficiaries.0.person.birthDate": "2016-03-02",
        "beneficiaries.1.relationship": "CHILD",
        "beneficiaries.2.relationship": "SPOUSE",
        "beneficiaries.2.person.lastName": "Sarr",
        "beneficiaries.2.person.firstNames": "Modou",
        "beneficiaries.2.person.sex": "MALE",
        "beneficiaries.2.person.birthYear": "1982",
    }
    return {**form, **overrides}


async def test_an_enrolment_refused_then_corrected(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    form_page = await browser.get("/members/new", headers=HTML)
    found = re.search(r'name="idempotencyKey" value="(\w+)"', form_page.text)
    assert found is not None
    key = found.group(1)
    refused = await post_form(
        browser, "/members/new", _enrolment(desk["scheme"], key, **{"beneficiaries.2.person.birthYear": "1800"})
    )
    assert refused.status_code == 400
    # The blank second row is dropped: the spouse is the second row shown, and the error is on its field.
    assert field_error(refused.text, "beneficiaries.1.person.birthYear") is not None
    assert field_value(refused.text, "beneficiaries.1.person.firstNames") == "Modou"
    assert field_value(refused.text, "person.firstNames") == "Mariama"
    corrected = _enrolment(desk["scheme"], key)
    enrolled = await post_form(browser, "/members/new", corrected)
    assert enrolled.status_code == 303
    assert enrolled.headers["location"].endswith("?notice=enrolled")
    file = await browser.get(enrolled.headers["location"], headers=HTML)
    assert "Le membre est inscrit." in file.text
    assert _rows(file.text) == [
        "Faye Khady Enfant 02/03/2016 Couvert jusqu'au 02/03/2037",
        "Sarr Modou Conjoint vers 1982 Non couvert le régime ne couvre pas l'époux",
    ]
    # The same form sent again (a double tap on a slow link) enrols no one twice.
    again = await post_form(browser, "/members/new", corrected)
    assert again.headers["location"] == enrolled.headers["location"]


async def _enrol_with_photo(browser: httpx.AsyncClient, scheme: str, key: str, photo: bytes) -> httpx.Response:
    await csrf_of(browser, "/members/new")
    return await browser.post(
        "/members/new",
        data={"_csrf": browser.cookies[CSRF_COOKIE], **_enrolment(scheme, key)},
        files={"photo": ("IMG_0412.jpg", photo, "image/jpeg")},
        headers=HTML,
    )


async def test_the_photo_taken_at_enrolment_is_filed_with_the_member(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)

    enrolled = await _enrol_with_photo(browser, desk["scheme"], "k-photo", png(3, 4))

    assert enrolled.status_code == 303
    file = await browser.get(enrolled.headers["location"], headers=HTML)
    assert len(re.findall(r'<li>Photo · <a href="[^"]*/files/[^"]+">Télécharger</a></li>', file.text)) == 1


async def test_a_photo_refused_leaves_the_member_enrolled_and_says_why(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)

    shown = await _enrol_with_photo(browser, desk["scheme"], "k-no-photo", b"not an image")

    assert shown.status_code == 200
    assert "L&#39;adhérent est inscrit, mais sa photo n&#39;est pas enregistrée : voir ci-dessous." in shown.text
    assert field_error(shown.text, "file") == (
        "Le type « application/octet-stream » n'est pas accepté : image/jpeg, image/png, application/pdf, image/webp."
    )
    assert "<h1>Faye Mariama</h1>" in shown.text


async def test_every_wrong_field_of_an_enrolment_is_shown_at_once(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, "/members/new")

    refused = await post_form(
        browser,
        "/members/new",
        _enrolment(desk["scheme"], "k-all", phone="77 12", **{"artisan.tradesRegisterNumber": ""}),
    )

    assert refused.status_code == 400
    assert field_error(refused.text, "phone") == "« 77 12 » n'est pas un numéro de téléphone valide."
    assert field_error(refused.text, "artisan.tradesRegisterNumber") == (
        "Le champ « N° au répertoire des métiers » est obligatoire pour la catégorie « artisan »."
    )
    assert refused.text.count('aria-invalid="true"') == 2


async def test_a_value_its_type_refuses_is_shown_next_to_its_field(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, "/members/new")
    refused = await post_form(
        browser, "/members/new", _enrolment(desk["scheme"], "k-1", **{"person.birthDate": "14/09/1988"})
    )
    assert refused.status_code == 400
    assert field_error(refused.text, "person.birthDate") == "Cette valeur n'est pas valide."


async def test_hostile_fields_are_ignored(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, "/members/new")
    form = _enrolment(
        desk["scheme"], "k-2", **{"person.isAdmin": "1", "tenant": "x", "beneficiaries.99999.relationship": "CHILD"}
    )
    enrolled = await post_form(browser, "/members/new", form)
    assert enrolled.status_code == 303


async def test_adding_a_beneficiary_row_keeps_what_was_typed(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, "/members/new")
    shown = await post_form(browser, "/members/new", {**_enrolment(desk["scheme"], "k-3"), "action": "add"})
    assert shown.status_code == 200
    assert field_value(shown.text, "person.firstNames") == "Mariama"
    assert 'id="f-beneficiaries.3.person.firstNames"' in shown.text


async def test_a_manager_activates_then_suspends_a_member(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, desk["path"])
    refused = await post_form(browser, f"{desk['path']}/status", {"status": "TERMINATED"})
    assert refused.status_code == 400
    assert field_error(refused.text, "reason") is not None
    activated = await post_form(browser, f"{desk['path']}/status", {"status": "ACTIVE"})
    assert activated.status_code == 303
    changed = await post_form(
        browser, f"{desk['path']}/status", {"status": "SUSPENDED", "note": "Cotisations impayées"}
    )
    assert (changed.status_code, changed.headers["location"]) == (303, f"{desk['path']}?notice=status")
    file = await browser.get(changed.headers["location"], headers=HTML)
    assert "Le statut a été changé." in file.text
    assert ">Suspendu</span>" in file.text
    assert "Cotisations impayées" in file.text


async def test_the_same_enrolment_sent_many_times_at_once_enrols_one_member(
    browser: httpx.AsyncClient, desk: dict[str, Any]
) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    await csrf_of(browser, "/members/new")
    form = _enrolment(desk["scheme"], "double-tap-1")
    answers = await asyncio.gather(*(post_form(browser, "/members/new", form) for _ in range(12)))
    assert {answer.status_code for answer in answers} == {303}
    assert len({answer.headers["location"] for answer in answers}) == 1
    found = await browser.get("/members", params={"q": "mariama faye"}, headers=HTML)
    assert len(_rows(found.text)) == 1


async def test_an_address_that_is_not_one_is_a_client_error(browser: httpx.AsyncClient, desk: dict[str, Any]) -> None:
    await _signed_in(browser, desk["tenant"], Role.MANAGER)
    bad_cursor = await browser.get("/members", params={"q": "diop", "after": "garbage"}, headers=HTML)
    assert bad_cursor.status_code == 400
    assert "<h1>Curseur de pagination invalide : reprenez depuis la première page.</h1>" in unescape(bad_cursor.text)
    assert (await browser.get("/members/%3Cscript%3E", headers=HTML)).status_code == 404
    hostile = await browser.get("/members", params={"q": "\"'<script>alert(1)</script>"}, headers=HTML)
    assert hostile.status_code == 200
    assert "<script>alert(1)</script>" not in hostile.text
