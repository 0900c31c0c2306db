"""The administrator's page of partner applications over HTTP: the secret
shown once and working at /oauth/token, a new secret, revoking; the role
matrix and another tenant's application."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import httpx
import pytest

from app.i18n.catalog import MESSAGES
from tenants.permissions import CLIENT_SCOPES, Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import make_tenant, make_user
from tests.pages import HTML, Browser, post_form, sign_in

pytestmark = pytest.mark.usefixtures("migrated")

SECRET = re.compile(
    r"<dt>client_id</dt><dd><code>([^<]+)</code></dd>\s*<dt>client_secret</dt><dd><code id=\"client-secret\">([^<]+)</code>"
)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])).split())


async def _token(browser: httpx.AsyncClient, client_id: str, secret: str) -> int:
    response = await browser.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    return response.status_code


async def test_an_application_is_registered_its_secret_shown_once(browser: Browser) -> None:
    tenant = await make_tenant()
    await sign_in(browser, await make_user(tenant, Role.TENANT_ADMIN))
    await browser.get("/admin/applications", headers=HTML)
    refused = await post_form(browser, "/admin/applications", {"name": "Enrôlement mobile"})
    assert refused.status_code == 400
    registered = await browser.post(
        "/admin/applications",
        data={
            "_csrf": browser.cookies["__Host-socle_csrf"],
            "name": "Enrôlement mobile",
            "scopes": ["members:read", "enrolment:write"],
        },
        headers=HTML,
    )
    assert registered.status_code == 200
    assert "ne sera plus jamais affiché" in _text(registered.text)
    found = SECRET.search(registered.text)
    assert found is not None
    client_id, secret = found.groups()
    assert await _token(browser, client_id, secret) == 200
    listed = await browser.get("/admin/applications", headers=HTML)
    assert secret not in listed.text
    assert "Enrôlement mobile créée le" in _text(listed.text)
    row = _text(listed.text).split("Enrôlement mobile créée le", 1)[1].split("Nouveau secret", 1)[0]
    assert row == f" {date.today():%d/%m/%Y} {client_id} enrolment:write, members:read "

    action = re.search(r'action="(/admin/applications/[^/"]+)/secret"', listed.text)
    assert action is not None
    rotated = await post_form(browser, f"{action.group(1)}/secret", {})
    new = SECRET.search(rotated.text)
    assert new is not None
    assert await _token(browser, client_id, secret) == 401
    assert await _token(browser, client_id, new.group(2)) == 200
    revoked = await post_form(browser, f"{action.group(1)}/revoke", {})
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/admin/applications?notice=revoked")
    assert await _token(browser, client_id, new.group(2)) == 401


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: Browser, role: Role) -> None:
    await sign_in(browser, await make_user(await make_tenant(), role))
    expected = 200 if Permission.API_CLIENTS_MANAGE in permissions_of(role) else 403
    assert (await browser.get("/admin/applications", headers=HTML)).status_code == expected
    registered = await post_form(browser, "/admin/applications", {"name": "Caisse de Pikine", "scopes": "members:read"})
    assert registered.status_code == expected


async def test_another_tenants_application_is_not_revoked(browser: Browser) -> None:
    owner = await make_tenant()
    async with browser.another() as own:
        await sign_in(own, await make_user(owner, Role.TENANT_ADMIN))
        created = await post_form(own, "/admin/applications", {"name": "Caisse mobile", "scopes": "members:read"})
        found = SECRET.search(created.text)
        assert found is not None
        listed = await own.get("/admin/applications", headers=HTML)
        action = re.search(r'action="(/admin/applications/[^/"]+)/revoke"', listed.text)
        assert action is not None
    await sign_in(browser, await make_user(await make_tenant(), Role.TENANT_ADMIN))
    refused = await post_form(browser, action.group(0).split('"')[1], {})
    assert refused.status_code == 400
    assert await _token(browser, *found.groups()) == 200


def test_every_scope_an_application_may_get_has_its_label() -> None:
    assert [
        scope.value for scope in CLIENT_SCOPES if set(MESSAGES.get(f"scope.{scope.value}", {})) != {"fr", "en"}
    ] == []
