"""The administrator's page of people over HTTP: inviting someone, the
invitee's link setting a password, changing a role, ending access; the role
matrix and another tenant's people."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape

import httpx
import pytest

from tenants.identity.http import ACCESS_COOKIE
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import make_tenant, make_user
from tests.jobs import jobs_done
from tests.pages import HTML, Browser, csrf_of, field_error, post_form, sign_in

pytestmark = pytest.mark.usefixtures("migrated")

TOKEN = re.compile(r"/invitations/accept\?token=([A-Za-z0-9_-]{43})")


@asynccontextmanager
async def _administrator_of(browser: Browser, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser, signed in as a new administrator of ``tenant``."""
    async with browser.another() as client:
        await sign_in(client, await make_user(tenant, Role.TENANT_ADMIN))
        yield client


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])).split())


def _sent_link(caplog: pytest.LogCaptureFixture) -> str:
    texts = [r.msg["text"] for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "mail.sent"]
    found = TOKEN.search(texts[-1])
    assert found, texts
    return found.group(1)


async def test_an_invitee_joins_through_the_link_of_the_invitation(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tenant = await make_tenant(name="Mutuelle des artisans de Kaolack")
    await sign_in(browser, await make_user(tenant, Role.TENANT_ADMIN))
    await csrf_of(browser, "/admin/people")
    refused = await post_form(browser, "/admin/people/invite", {"fullName": "Awa Diop", "role": "MANAGER"})
    assert refused.status_code == 400
    invited = await post_form(
        browser, "/admin/people/invite", {"fullName": "Awa Diop", "role": "MANAGER", "email": "awa.diop@kaolack.sn"}
    )
    assert (invited.status_code, invited.headers["location"]) == (303, "/admin/people?notice=invited")
    await jobs_done()
    listed = await browser.get("/admin/people?notice=invited", headers=HTML)
    assert "L'invitation est envoyée." in _text(listed.text)
    assert "Awa Diop · Gestionnaire · awa.diop@kaolack.sn En attente" in _text(listed.text)
    token = _sent_link(caplog)

    async with browser.another() as invitee:
        page = await invitee.get(f"/invitations/accept?token={token}", headers=HTML)
        assert page.status_code == 200
        assert f'name="token" value="{token}"' in page.text
        short = await post_form(invitee, "/invitations/accept", {"token": token, "password": "court"})
        assert short.status_code == 400
        assert field_error(short.text, "password") is not None
        joined = await post_form(invitee, "/invitations/accept", {"token": token, "password": "Thiof-de-Kaolack-2026"})
        assert (joined.status_code, joined.headers["location"]) == (303, "/")
        assert invitee.cookies.get(ACCESS_COOKIE)
        home = await invitee.get("/", headers=HTML)
        assert (home.status_code, home.headers["location"]) == (303, "/members")
        again = await post_form(invitee, "/invitations/accept", {"token": token, "password": "Thiof-de-Kaolack-2026"})
        assert again.status_code == 400


async def test_an_administrator_changes_a_role_then_ends_access(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    await sign_in(browser, await make_user(tenant, Role.TENANT_ADMIN))
    agent = await make_user(tenant, Role.AGENT)
    page = await browser.get("/admin/people", headers=HTML)
    found = re.search(r'action="/admin/people/users/([^/"]+)/role"', page.text.split(agent.full_name, 1)[1])
    assert found is not None
    user_id = found.group(1)
    changed = await post_form(browser, f"/admin/people/users/{user_id}/role", {"role": "MANAGER"})
    assert (changed.status_code, changed.headers["location"]) == (303, "/admin/people?notice=role")
    ended = await post_form(browser, f"/admin/people/users/{user_id}/deactivate", {})
    assert (ended.status_code, ended.headers["location"]) == (303, "/admin/people?notice=deactivated")
    listed = _text((await browser.get("/admin/people", headers=HTML)).text)
    assert f"{agent.full_name} Désactivé {agent.email} Gestionnaire" in listed


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: httpx.AsyncClient, role: Role) -> None:
    tenant = await make_tenant()
    await sign_in(browser, await make_user(tenant, role))
    granted = permissions_of(role)
    page = await browser.get("/admin/people", headers=HTML)
    assert page.status_code == (200 if Permission.USERS_READ in granted else 403)
    invited = await post_form(browser, "/admin/people/invite", {"fullName": "X Y", "role": "AGENT", "email": "x@y.sn"})
    assert invited.status_code == (303 if Permission.USERS_MANAGE in granted else 403)


async def test_another_tenants_user_is_not_changed(browser: Browser) -> None:
    other = await make_tenant()
    stranger = await make_user(other, Role.MANAGER)
    async with _administrator_of(browser, other) as other_admin:
        page = await other_admin.get("/admin/people", headers=HTML)
    found = re.search(r'action="/admin/people/users/([^/"]+)/role"', page.text.split(stranger.full_name, 1)[1])
    assert found is not None
    await sign_in(browser, await make_user(await make_tenant(), Role.TENANT_ADMIN))
    changed = await post_form(browser, f"/admin/people/users/{found.group(1)}/role", {"role": "TENANT_ADMIN"})
    assert changed.status_code == 400
    assert "Utilisateur introuvable" in _text(changed.text)
    async with _administrator_of(browser, other) as other_admin:
        listed = _text((await other_admin.get("/admin/people", headers=HTML)).text)
    assert f"{stranger.full_name} {stranger.email} Gestionnaire" in listed
