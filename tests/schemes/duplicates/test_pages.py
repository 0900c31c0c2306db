"""The page of probable duplicates over HTTP: a manager decides on a pair;
the role matrix; another tenant's pair is neither shown nor decided."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest

from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, Browser, post_form, sign_in
from tests.schemes.duplicates.factories import person
from tests.schemes.members.factories import enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


@pytest.fixture
async def pair() -> dict[str, Any]:
    """A mutual where Cheikh Tidiane Ba was enrolled twice, with two ID cards."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    first = await enrol(ctx, person(scheme, "Cheikh Tidiane", "Ba"))
    second = await enrol(ctx, person(scheme, "Cheikh Tidiane", "Bâ"))
    return {"tenant": tenant, "first": first, "second": second}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])).split())


def _form_action(html: str) -> str:
    found = re.search(r'<form method="post" action="(/duplicates/[^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_a_manager_merges_a_duplicate(browser: httpx.AsyncClient, pair: dict[str, Any]) -> None:
    await sign_in(browser, await make_user(pair["tenant"], Role.MANAGER))
    page = await browser.get("/duplicates", headers=HTML)
    text = _text(page.text)
    assert "même nom et même date de naissance" in text
    assert f"Ba Cheikh Tidiane N° d'adhérent {pair['first'].number}" in text
    action = _form_action(page.text)
    keep = re.search(r'<option value="([^"]+)">' + re.escape(pair["first"].number), page.text)
    assert keep is not None
    undecided = await post_form(browser, action, {"keep": keep.group(1)})
    assert undecided.status_code == 400
    assert "Cette valeur n'est pas valide." in _text(undecided.text)
    decided = await post_form(browser, action, {"decision": "DUPLICATE", "keep": keep.group(1), "reason": "Même CNI"})
    assert (decided.status_code, decided.headers["location"]) == (303, "/duplicates?notice=decided")
    after = await browser.get(decided.headers["location"], headers=HTML)
    assert _text(after.text).endswith(
        "Doublons probables La décision est enregistrée. Aucun doublon probable en attente."
    )


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: httpx.AsyncClient, pair: dict[str, Any], role: Role) -> None:
    granted = permissions_of(role)
    await sign_in(browser, await make_user(pair["tenant"], role))
    page = await browser.get("/duplicates", headers=HTML)
    assert page.status_code == (200 if Permission.MEMBERS_READ in granted else 403)
    assert ('<form method="post" action="/duplicates/' in page.text) is (Permission.MEMBERS_WRITE in granted)


async def test_another_tenants_pair_is_not_decided(browser: Browser, pair: dict[str, Any]) -> None:
    async with browser.another() as own:
        await sign_in(own, await make_user(pair["tenant"], Role.MANAGER))
        action = _form_action((await own.get("/duplicates", headers=HTML)).text)
    await sign_in(browser, await make_user(await make_tenant(), Role.MANAGER))
    listed = await browser.get("/duplicates", headers=HTML)
    assert "Aucun doublon probable en attente." in _text(listed.text)
    refused = await post_form(browser, action, {"decision": "NOT_DUPLICATE"})
    assert refused.status_code == 400
    assert "introuvable" in _text(refused.text)


async def test_two_people_need_a_reason(browser: Browser, pair: dict[str, Any]) -> None:
    await sign_in(browser, await make_user(pair["tenant"], Role.MANAGER))
    action = _form_action((await browser.get("/duplicates", headers=HTML)).text)
    refused = await post_form(browser, action, {"decision": "NOT_DUPLICATE"})
    assert refused.status_code == 400
    assert 'aria-invalid="true" aria-describedby="reason-1-error"' in refused.text
    decided = await post_form(browser, action, {"decision": "NOT_DUPLICATE", "reason": "Homonymes : pères différents"})
    assert (decided.status_code, decided.headers["location"]) == (303, "/duplicates?notice=decided")
