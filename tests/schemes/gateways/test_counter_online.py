"""The counter shows a member's online payments; the cashier asks the
provider about one the member says they paid, and its receipt follows."""

from __future__ import annotations

from datetime import date

import pytest

from tenants.roles import Role
from tests.factories import make_user
from tests.pages import HTML, Browser, post_form, sign_in, texts_of
from tests.schemes.contributions.ledger_check import gid
from tests.schemes.gateways.test_wave import _opened, _session_of
from tests.wave_server import WaveServer

pytestmark = pytest.mark.usefixtures("migrated")


async def test_the_cashier_checks_an_online_payment_with_wave(wave_browser: Browser, wave: WaveServer) -> None:
    async with wave_browser.another() as api:
        tenant, member, _manager, online = await _opened(api)
    assert (await sign_in(wave_browser, await make_user(tenant, Role.MANAGER))).status_code == 303
    member_id = gid("Member", member.id)
    account = f"/members/{member_id}/contributions"
    check = f"/members/{member_id}/online-payments/{online['id']}/refresh"
    page = await wave_browser.get(account, headers=HTML)
    assert page.status_code == 200
    assert texts_of(page.text, "td")[-3:] == ["5 500 F CFA", "Wave", "En attente Vérifier auprès de l'opérateur"]

    # Not paid yet: the provider says so, and the row stays as it was.
    waiting = await post_form(wave_browser, check, {})
    assert (waiting.status_code, waiting.headers["location"]) == (303, f"{account}#online")
    wave.complete(_session_of(wave, online))
    checked = await post_form(wave_browser, check, {})
    assert (checked.status_code, checked.headers["location"]) == (303, f"{account}#online")
    page = await wave_browser.get(account, headers=HTML)
    assert texts_of(page.text, "td")[-1] == f"Reçu · {date.today().year}-000001"

    auditor = wave_browser.another()
    assert (await sign_in(auditor, await make_user(tenant, Role.AUDITOR))).status_code == 303
    assert (await post_form(auditor, check, {})).status_code == 403
    unknown = f"/members/{member_id}/online-payments/{gid('OnlinePayment', member.id)}/refresh"
    assert (await post_form(wave_browser, unknown, {})).status_code == 404
