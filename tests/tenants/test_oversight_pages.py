"""The audit log's pages and the ministry's page of its tenants, over HTTP:
a tenant reads its own log, a ministry its country's tenants and their logs,
nobody another's."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from strawberry.relay import to_base64

from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role, TenantKind
from tests.factories import context, fresh_country, make_tenant, make_user
from tests.pages import HTML, sign_in
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


def _cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [row for row in body.split("</tr>") if "<td>" in row]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in row.split("</td>")[:-1]] for row in rows
    ]


async def test_a_tenant_administrator_reads_the_tenants_log(browser: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    admin = await make_user(tenant, Role.TENANT_ADMIN)
    await sign_in(browser, admin)
    response = await browser.get("/audit", headers=HTML)
    assert response.status_code == 200
    assert "Chaîne intacte" in response.text
    assert [row[3] for row in _cells(response.text)] == ["session.create", "membership.create"]


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_the_log_follows_the_role_matrix(browser: httpx.AsyncClient, role: Role) -> None:
    tenant = await make_tenant()
    await sign_in(browser, await make_user(tenant, role))
    expected = 200 if Permission.AUDIT_READ in permissions_of(role) else 403
    assert (await browser.get("/audit", headers=HTML)).status_code == expected
    assert (await browser.get("/ministry/tenants", headers=HTML)).status_code == 403


async def test_a_ministry_sees_its_tenants_and_their_logs_only(browser: httpx.AsyncClient) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    mutual = await make_tenant(country=country, name="Mutuelle de santé de Kolda")
    ctx = await context(mutual)
    await enrol(ctx, artisan(await make_scheme(ctx)))
    abroad = await make_tenant(country=fresh_country())
    await sign_in(browser, await make_user(ministry, Role.OVERSIGHT_OFFICER))

    listed = await browser.get("/ministry/tenants", headers=HTML)
    assert listed.status_code == 200
    assert _cells(listed.text) == [
        ["Mutuelle de santé de Kolda Mutuelle · " + mutual.slug, "Agréée", "1", "0", "0", "Ouvrir"]
    ]
    log = await browser.get(f"/ministry/tenants/{to_base64('Tenant', mutual.id)}/audit", headers=HTML)
    assert log.status_code == 200
    assert "Mutuelle de santé de Kolda" in log.text
    assert "member.enrol" in [row[3] for row in _cells(log.text)]
    refused = await browser.get(f"/ministry/tenants/{to_base64('Tenant', abroad.id)}/audit", headers=HTML)
    assert refused.status_code == 404
    garbage = await browser.get("/ministry/tenants/not-an-id/audit", headers=HTML)
    assert garbage.status_code == 404
