"""The subsidy pages over HTTP: a manager draws up a statement (five presses
draw one), the ministry's administrator records the State's transfer from
the statement's page (four presses record one), errors next to their
field, another country's ministry gets 404, and each role sees what it may."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import asyncpg
import httpx
import pytest

from schemes.contributions import subsidies
from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role, TenantKind
from tenants.tx import tenant_tx
from tests.factories import context, fresh_country, make_tenant, make_user
from tests.jobs import jobs_done
from tests.pages import HTML, Browser, field_error, field_value, post_form, sign_in, texts_of
from tests.schemes.contributions.ledger_check import gid
from tests.schemes.contributions.mutuals import YEAR, cmu_mutual, drawn_statement
from tests.schemes.members.factories import artisan, enrol, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def _flat(text: str) -> str:
    return " ".join(text.split())


async def test_a_manager_draws_a_statement_once(browser: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    mutual = await cmu_mutual("SN", "Mutuelle de santé de Yeumbeul")
    assert (await sign_in(browser, await make_user(mutual.tenant, Role.MANAGER))).status_code == 303
    page = await browser.get("/subsidies", headers=HTML)
    assert page.status_code == 200
    assert "Aucun relevé pour le moment." in page.text
    assert field_value(page.text, "period") == str(YEAR.start.year)
    form = {"scheme": gid("Scheme", mutual.scheme.id), "period": YEAR.label}
    form["idempotencyKey"] = _hidden(page.text, "idempotencyKey")

    answers = await asyncio.gather(*(post_form(browser, "/subsidies", form) for _ in range(5)))
    (location,) = {answer.headers["location"] for answer in answers}
    assert {answer.status_code for answer in answers} == {303}
    assert await owner.fetchval("SELECT count(*) FROM subsidy_statements WHERE tenant_id = $1", mutual.tenant.id) == 1
    shown = await browser.get(location, headers=HTML)
    assert "Relevé établi." in shown.text
    facts = [_flat(text) for text in texts_of(shown.text, "dd")]
    assert facts[1:6] == ["3", "6", "28 000 F CFA", "0 F CFA", "28 000 F CFA"]
    listed = [_flat(row) for row in texts_of(shown.text, "tr") if "Diop Moussa" in row]
    assert sorted(row.split(" Diop Moussa ")[1] for row in listed) == [
        "Artisan 1 3 500 F CFA",
        "Artisan 3 10 500 F CFA",
        "Artisan · Bénéficiaires des bourses de sécurité familiale 2 14 000 F CFA",
    ]
    # A manager reads the statement; recording the State's payment is the ministry's.
    assert 'action="/subsidies/' not in shown.text

    again = await post_form(browser, "/subsidies", {**form, "idempotencyKey": "another-press"})
    assert again.status_code == 400
    assert field_error(again.text, "period") == (
        f"Aucun appel de l'État à relever pour la période {YEAR.label} : ses appels sont déjà sur un relevé, "
        "ou le régime n'en a pas."
    )
    keyless = await post_form(browser, "/subsidies", {"scheme": form["scheme"], "period": YEAR.label})
    assert (keyless.status_code, field_error(keyless.text, "")) == (400, None)
    assert len(_hidden(keyless.text, "idempotencyKey")) == 32
    wrong = await post_form(browser, "/subsidies", {**form, "period": "2026-13", "idempotencyKey": "third"})
    assert field_error(wrong.text, "period") == (
        "« 2026-13 » ne désigne pas une période du régime : 2026-12 (mois), 2026-T4 (trimestre) ou 2026 (année)."
    )


async def test_the_ministry_records_the_states_transfer(browser: Browser, owner: asyncpg.Connection) -> None:
    country = fresh_country()
    mutual = await cmu_mutual(country, "Mutuelle de santé de Diourbel")
    statement = await drawn_statement(mutual)
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    assert (await sign_in(browser, await make_user(ministry, Role.MINISTRY_ADMIN))).status_code == 303

    listed = await browser.get("/subsidies", headers=HTML)
    rows = [_flat(text) for text in texts_of(listed.text, "tr")]
    assert rows[1] == (
        f"Mutuelle de santé de Diourbel Relevé {YEAR.label} n° 1 Couverture maladie universelle 3 6 28 000 F CFA "
        "0 F CFA 28 000 F CFA À payer"
    )
    path = f"/subsidies/{gid('SubsidyStatement', statement.id)}"
    page = await browser.get(path, headers=HTML)
    assert (field_value(page.text, "amount"), field_value(page.text, "paidOn")) == ("28000", date.today().isoformat())
    form = {
        "amount": "20 000",
        "currency": "XOF",
        "reference": "TRESOR-OV-2026-0412",
        "paidOn": date.today().isoformat(),
        "idempotencyKey": _hidden(page.text, "idempotencyKey"),
    }
    answers = await asyncio.gather(*(post_form(browser, f"{path}/payments", form) for _ in range(4)))
    assert {(answer.status_code, answer.headers["location"]) for answer in answers} == {(303, f"{path}?notice=paid")}
    await jobs_done()
    shown = await browser.get(f"{path}?notice=paid", headers=HTML)
    assert "Paiement de l'État enregistré." in unescape(shown.text)
    assert [_flat(text) for text in texts_of(shown.text, "td")][:5] == [
        f"{date.today():%d/%m/%Y}",
        "20 000 F CFA",
        "TRESOR-OV-2026-0412",
        f"ministry_admin {ministry.slug}",
        f"{date.today().year}-000001",
    ]
    assert field_value(shown.text, "amount") == "8000"
    assert await owner.fetchval("SELECT count(*) FROM subsidy_payments WHERE statement_id = $1", statement.id) == 1

    bad = {**form, "amount": "9 000", "reference": "x", "idempotencyKey": "second-transfer"}
    refused = await post_form(browser, f"{path}/payments", bad)
    assert refused.status_code == 400
    assert field_error(refused.text, "reference") == (
        "La référence doit compter de 3 à 100 lettres, chiffres, points, tirets ou barres obliques."
    )
    too_much = await post_form(browser, f"{path}/payments", {**bad, "reference": "TRESOR-OV-2026-0977"})
    assert field_error(too_much.text, "amount") == "Il ne reste que 8000 XOF à payer sur ce relevé."
    for amount in ("huit mille", "²", "9" * 5000):
        letters = await post_form(browser, f"{path}/payments", {**bad, "amount": amount})
        assert field_error(letters.text, "amount") == "Indiquez le montant reçu en chiffres, par exemple 3 500."
    late = (date.today() + timedelta(days=3)).isoformat()
    future = await post_form(browser, f"{path}/payments", {**form, "paidOn": late, "idempotencyKey": "third"})
    assert field_error(future.text, "paidOn") == "La date du virement ne peut être ni dans le futur ni à plus d'un an."

    rest = {**form, "amount": "8000", "reference": "TRESOR-OV-2026-0977", "idempotencyKey": "the-rest"}
    assert (await post_form(browser, f"{path}/payments", rest)).status_code == 303
    # A second officer sending the same transfer once the statement is paid is told why, with no form left.
    late_press = await post_form(browser, f"{path}/payments", {**rest, "idempotencyKey": "a-second-officer"})
    assert late_press.status_code == 400
    assert texts_of(late_press.text, "div")[-1] == "Il ne reste que 0 XOF à payer sur ce relevé."
    assert field_value(late_press.text, "amount") is None
    foreign = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
    async with browser.another() as other:
        assert (await sign_in(other, await make_user(foreign, Role.MINISTRY_ADMIN))).status_code == 303
        assert (await other.get(path, headers=HTML)).status_code == 404
        refused = await post_form(other, f"{path}/payments", {**form, "idempotencyKey": "foreign"})
        assert refused.status_code == 404


@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix(browser: httpx.AsyncClient, role: Role) -> None:
    country = fresh_country()
    mutual = await cmu_mutual(country, "Mutuelle de santé de Matam")
    await enrol(mutual.ctx, artisan(mutual.scheme, phone=unique_phone()), today=YEAR.start)
    statement = await drawn_statement(mutual)
    tenant = await make_tenant(kind=TenantKind.MINISTRY, country=country) if role in MINISTRY_ROLES else mutual.tenant
    granted = permissions_of(role)
    assert (await sign_in(browser, await make_user(tenant, role))).status_code == 303
    listed = await browser.get("/subsidies", headers=HTML)
    assert listed.status_code == (200 if Permission.SUBSIDIES_READ in granted else 403)
    if listed.status_code == 200:
        assert ('name="period"' in listed.text) is (Permission.CONTRIBUTIONS_WRITE in granted)
        shown = await browser.get(f"/subsidies/{gid('SubsidyStatement', statement.id)}", headers=HTML)
        assert shown.status_code == 200
        assert ("/payments" in shown.text) is (Permission.SUBSIDIES_SETTLE in granted)


async def test_the_mutual_prints_the_receipt_of_the_states_transfer(
    browser: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    country = fresh_country()
    mutual = await cmu_mutual(country, "Mutuelle de santé de Kaffrine")
    statement = await drawn_statement(mutual)
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    minister = await context(ministry, Role.MINISTRY_ADMIN)
    paid = subsidies.NewSubsidyPayment(statement.id, 28_000, "XOF", "TRESOR-OV-2026-1201", date.today(), "kaffrine")
    async with tenant_tx(minister) as tx:
        await subsidies.record_subsidy_payment(tx, minister, paid, datetime.now(UTC))
    await jobs_done()
    payment_id = await owner.fetchval("SELECT id FROM payments WHERE tenant_id = $1", mutual.tenant.id)
    assert (await sign_in(browser, await make_user(mutual.tenant, Role.MANAGER))).status_code == 303
    receipt = await browser.get(f"/payments/{gid('Payment', payment_id)}", headers=HTML)
    facts = [_flat(text) for text in texts_of(receipt.text, "dd")]
    assert facts[:3] == [
        "État",
        f"{date.today():%d/%m/%Y} 00:00 UTC",
        "28 000 F CFA",
    ]
    assert "Virement bancaire · TRESOR-OV-2026-1201" in facts
