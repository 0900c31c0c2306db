"""The sign-in pages over HTTP: CSRF on every form, errors next to their
field in the page's language, the session kept in cookies, signing out."""

from __future__ import annotations

import httpx
import pytest

from tenants.identity.http import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from tenants.identity.tables import User
from tenants.roles import Role
from tests.factories import PASSWORD, make_tenant, make_user
from tests.pages import HTML, csrf_of, field_error, post_form, sign_in

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def manager() -> User:
    return await make_user(await make_tenant(), Role.MANAGER)


async def test_signing_in_keeps_the_session_in_cookies_and_goes_on(browser: httpx.AsyncClient, manager: User) -> None:
    response = await sign_in(browser, manager, next_path="/password/change")
    assert (response.status_code, response.headers["location"]) == (303, "/password/change")
    assert browser.cookies.get(ACCESS_COOKIE)
    page = await browser.get("/password/change", headers=HTML)
    assert page.status_code == 200
    assert "<h1>Mon mot de passe</h1>" in page.text
    again = await browser.get("/sign-in", headers=HTML)
    assert (again.status_code, again.headers["location"]) == (303, "/")


async def test_a_wrong_password_is_shown_next_to_its_field(browser: httpx.AsyncClient, manager: User) -> None:
    response = await sign_in(browser, manager, password="pas-le-bon-mot-de-passe")
    assert response.status_code == 400
    assert field_error(response.text, "password") == "Identifiant ou mot de passe incorrect."
    assert 'aria-invalid="true"' in response.text
    assert f'value="{manager.email}"' in response.text
    assert ACCESS_COOKIE not in browser.cookies


async def test_the_page_speaks_the_language_chosen(browser: httpx.AsyncClient, manager: User) -> None:
    switched = await browser.get("/language/en?next=/sign-in", headers=HTML)
    assert (switched.status_code, switched.headers["location"]) == (303, "/sign-in")
    response = await sign_in(browser, manager, password="not-the-right-password")
    assert field_error(response.text, "password") == "Wrong identifier or password."
    assert '<html lang="en">' in response.text


async def test_a_form_without_its_csrf_token_is_refused(browser: httpx.AsyncClient, manager: User) -> None:
    await csrf_of(browser)
    form = {"identifier": manager.email or "", "password": PASSWORD}
    response = await browser.post("/sign-in", data=form, headers=HTML)
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in response.text
    forged = await browser.post("/sign-in", data={**form, "_csrf": "forged"}, headers=HTML)
    assert forged.status_code == 403
    assert ACCESS_COOKIE not in browser.cookies


async def test_signing_out_ends_the_session(browser: httpx.AsyncClient, manager: User) -> None:
    await sign_in(browser, manager)
    response = await post_form(browser, "/sign-out", {})
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?notice=signed_out")
    assert ACCESS_COOKIE not in browser.cookies
    page = await browser.get("/password/change", headers=HTML)
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in?next=/password/change")


async def test_next_never_leads_to_another_site(browser: httpx.AsyncClient, manager: User) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        browser.cookies.clear()
        form = {
            "_csrf": await csrf_of(browser),
            "identifier": manager.email or "",
            "password": PASSWORD,
            "next": target,
        }
        response = await browser.post("/sign-in", data=form, headers=HTML)
        assert (response.status_code, response.headers["location"]) == (303, "/")


async def test_unknown_pages_answer_an_error_page_to_browsers_and_json_to_clients(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/nowhere", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Page introuvable.</h1>" in page.text
    api = await browser.get("/nowhere")
    assert api.status_code == 404
    assert api.json()["error"] == "Ressource introuvable."


async def test_a_page_refreshes_a_session_whose_access_token_expired(browser: httpx.AsyncClient, manager: User) -> None:
    await sign_in(browser, manager)
    csrf = browser.cookies[CSRF_COOKIE]
    first = browser.cookies[ACCESS_COOKIE]
    browser.cookies.delete(ACCESS_COOKIE)
    page = await browser.get("/password/change", headers=HTML)
    assert page.status_code == 200
    assert browser.cookies[ACCESS_COOKIE] not in ("", first)
    # The forms already open keep working: the CSRF token stays the same.
    assert browser.cookies[CSRF_COOKIE] == csrf
    browser.cookies.set(ACCESS_COOKIE, "forged.token.value", domain="socle.test")
    again = await browser.get("/password/change", headers=HTML)
    assert again.status_code == 200


async def test_a_session_that_ended_leads_back_to_the_sign_in_page(browser: httpx.AsyncClient, manager: User) -> None:
    await sign_in(browser, manager)
    browser.cookies.delete(ACCESS_COOKIE)
    browser.cookies.set(REFRESH_COOKIE, "not-a-refresh-token", domain="socle.test")
    page = await browser.get("/password/change", headers=HTML)
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in?next=/password/change")
