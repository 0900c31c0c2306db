"""A member's own page over HTTP: the manager opens their access online from
their file, the member signs in with the code sent to their phone and lands
on their coverage; the refusals shown on the file; the pages of each role;
another tenant's member a 404; closing the access signs the member out."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from tenants.roles import Role
from tests.factories import make_user
from tests.pages import HTML, Browser, post_form, sign_in, sign_in_with_code, texts_of
from tests.schemes.members.factories import household_with_phone, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_member_whose_access_is_open_signs_in_by_code_and_sees_their_coverage(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    closed = await browser.get(f"/members/{member_id}", headers=HTML)
    assert "Fermé : l&#39;adhérent ne peut pas consulter sa couverture en ligne." in closed.text

    opened = await post_form(browser, f"/members/{member_id}/access", {"action": "open"})
    file = await browser.get(f"/members/{member_id}?notice=access", headers=HTML)

    assert (opened.status_code, opened.headers["location"]) == (303, f"/members/{member_id}?notice=access#access")
    assert "L&#39;accès en ligne est modifié." in file.text
    assert "Ouvert : l&#39;adhérent se connecte avec un code envoyé par SMS au +221 77" in file.text
    assert "Fermer l&#39;accès en ligne" in file.text

    own = browser.another()
    signed_in = await sign_in_with_code(own, caplog, phone)
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/")
    home = await own.get("/", headers=HTML)
    assert (home.status_code, home.headers["location"]) == (303, "/me")
    mine = await own.get("/me", headers=HTML)
    assert mine.status_code == 200
    assert texts_of(mine.text, "h1") == ["Ma couverture santé"]
    assert re.search(r'<dd class="number">([^<]+)</dd>', mine.text).group(1) == member.number  # type: ignore[union-attr]
    assert texts_of(mine.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0], "tr") == [
        "Ndiaye Aïssatou Conjoint vers 1985 Couvert",
        "Diop Binta Enfant 02/02/2015 Couvert jusqu'au 02/02/2036",
    ]
    # The menu offers the member their page only, and no password to change.
    assert re.findall(r'<li><a href="([^"]+)"', mine.text) == ["/me"]
    assert 'href="/password/change"' not in mine.text
    assert (await own.get("/members", headers=HTML)).status_code == 403
    assert (await own.get(f"/members/{member_id}", headers=HTML)).status_code == 403


async def test_a_refusal_to_open_is_shown_on_the_members_file(browser: httpx.AsyncClient) -> None:
    tenant, _, member_id = await household_with_phone(None)
    await sign_in(browser, await make_user(tenant, Role.MANAGER))

    refused = await post_form(browser, f"/members/{member_id}/access", {"action": "open"})

    assert refused.status_code == 400
    assert [
        unescape(alert) for alert in re.findall(r'<div class="alert" role="alert">([^<]*)</div>', refused.text)
    ] == ["L'accès en ligne se fait par un code envoyé par SMS : indiquez d'abord le téléphone de l'adhérent."]


async def test_closing_the_access_signs_the_member_out(browser: Browser, caplog: pytest.LogCaptureFixture) -> None:
    phone = unique_phone()
    tenant, _, member_id = await household_with_phone(phone)
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    await post_form(browser, f"/members/{member_id}/access", {"action": "open"})
    own = browser.another()
    await sign_in_with_code(own, caplog, phone)
    assert (await own.get("/me", headers=HTML)).status_code == 200

    closed = await post_form(browser, f"/members/{member_id}/access", {"action": "close"})
    after = await own.get("/me", headers=HTML)

    assert closed.status_code == 303
    assert (after.status_code, after.headers["location"]) == (303, "/sign-in?next=/me")


async def test_another_tenants_manager_gets_a_404(browser: httpx.AsyncClient) -> None:
    _, _, member_id = await household_with_phone(unique_phone())
    other, _, _ = await household_with_phone(unique_phone())
    await sign_in(browser, await make_user(other, Role.MANAGER))

    opened = await post_form(browser, f"/members/{member_id}/access", {"action": "open"})

    assert opened.status_code == 404


@pytest.mark.parametrize(
    ("role", "me", "access"),
    [
        (Role.MANAGER, 403, 303),
        (Role.TENANT_ADMIN, 403, 403),
        (Role.AGENT, 403, 403),
        (Role.AUDITOR, 403, 403),
        (Role.MEMBER, 200, 403),
    ],
)
async def test_role_matrix(browser: httpx.AsyncClient, role: Role, me: int, access: int) -> None:
    tenant, _, member_id = await household_with_phone(unique_phone())
    await sign_in(browser, await make_user(tenant, role))

    mine = await browser.get("/me", headers=HTML)
    opened = await post_form(browser, f"/members/{member_id}/access", {"action": "open"})

    assert (mine.status_code, opened.status_code) == (me, access)
    if role is Role.MEMBER:
        # An account of the role without a member linked to it has no coverage to show.
        assert "Aucune adhésion n&#39;est liée à votre compte" in mine.text
