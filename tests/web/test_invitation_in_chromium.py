"""An invitation in headless Chromium: an administrator invites a manager
from the people's page, the invitee opens the link the message carries, sets
a password and lands on the desk, signed in."""

from __future__ import annotations

import logging
import re

import pytest

from tenants.roles import Role
from tests.browser import chromium, only_from, sign_in_on
from tests.factories import PASSWORD, make_tenant, make_user
from tests.jobs import jobs_done

pytestmark = pytest.mark.usefixtures("migrated")

LINK = re.compile(r"https?://\S+/invitations/accept\?token=[A-Za-z0-9_-]{43}")


async def test_an_invitee_sets_a_password_from_the_link(origin: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tenant = await make_tenant(name="Mutuelle de santé de Ziguinchor")
    admin = await make_user(tenant, Role.TENANT_ADMIN)
    elsewhere: list[str] = []

    async with chromium() as browser:
        office = await browser.new_context(locale="fr-FR")
        await office.route("**/*", only_from(origin, elsewhere))
        page = await office.new_page()
        await page.goto(f"{origin}/admin/people")
        await sign_in_on(page, admin.email or "", PASSWORD)
        await page.wait_for_url(f"{origin}/admin/people")
        await page.get_by_label("Nom complet").fill("Mariama Badji")
        await page.locator("#f-role").select_option("MANAGER")
        await page.get_by_label("Adresse e-mail").fill("mariama.badji@ziguinchor.sn")
        await page.get_by_role("button", name="Envoyer l'invitation").click()
        # The form's #invite stays on the address the browser is sent on to.
        await page.wait_for_url(f"{origin}/admin/people?notice=invited#invite")
        assert await page.get_by_role("status").inner_text() == "L'invitation est envoyée."
        await jobs_done()
        sent = [r.msg["text"] for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "mail.sent"]
        found = LINK.search(sent[-1])
        assert found is not None
        sent_link = found.group(0)
        link = origin + sent_link[sent_link.index("/invitations/") :]

        invitee = await (await browser.new_context(locale="fr-FR")).new_page()
        await invitee.context.route("**/*", only_from(origin, elsewhere))
        await invitee.goto(link)
        assert await invitee.get_by_role("heading", level=1).inner_text() == "Rejoindre votre structure"
        await invitee.get_by_label("Mot de passe").fill("court")
        await invitee.get_by_role("button", name="Accepter l'invitation").click()
        await invitee.wait_for_load_state()
        field = invitee.locator("#f-password")
        assert await field.get_attribute("aria-invalid") == "true"
        await field.fill("Casamance-Ziguinchor-2026")
        await invitee.get_by_role("button", name="Accepter l'invitation").click()
        await invitee.wait_for_url(f"{origin}/members")
        assert await invitee.get_by_role("link", name="Inscrire").count() == 1

    assert elsewhere == []
