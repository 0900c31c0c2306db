"""The counter over HTTP: the cashier reads a member's account, takes a
payment in cash and prints its receipt with the amount in words; a button
pressed twice, or five times at once, records one payment; bad input is
refused next to its field with nothing written; a reversal gets its own
notice; another tenant's cashier gets 404; each role sees what it may."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from schemes.members import lifecycle
from schemes.members.tables import MemberStatus
from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant, make_user
from tests.pages import HTML, field_error, post_form, sign_in, texts_of
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year, check_ledger, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

RECEIPT_PATH = re.compile(r"^/payments/([A-Za-z0-9=]+)\?notice=(recorded|reversed)$")


@pytest.fixture
async def counter() -> dict[str, Any]:
    """A CMU mutual whose artisan, admitted on 1 January 2026, is called for
    the year: 2 000 F of registration fee and 3 500 F of share."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme), today=YEAR_2026.start)
    async with tenant_tx(ctx) as tx:
        await lifecycle.change_status(
            tx, ctx, lifecycle.StatusChange(member.id, MemberStatus.ACTIVE, YEAR_2026.start), YEAR_2026.start
        )
    await call_year(ctx, scheme.id)
    member_id = gid("Member", member.id)
    return {"tenant": tenant, "member": member, "path": f"/members/{member_id}/contributions"}


async def _signed_in(browser: httpx.AsyncClient, tenant: Any, role: Role = Role.MANAGER) -> None:
    response = await sign_in(browser, await make_user(tenant, role))
    assert response.status_code == 303, response.text


def _key(html: str) -> str:
    found = re.search(r'name="idempotencyKey" value="([0-9a-f]{32})"', html)
    assert found
    return found.group(1)


def _receipt_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = RECEIPT_PATH.match(response.headers["location"])
    assert found, response.headers["location"]
    return f"/payments/{found.group(1)}"


async def _take_cash(browser: httpx.AsyncClient, path: str, amount: str) -> str:
    """Take ``amount`` in cash from the account at ``path``; the receipt's path."""
    key = _key((await browser.get(path, headers=HTML)).text)
    return _receipt_of(await post_form(browser, path, {"amount": amount, "channel": "CASH", "idempotencyKey": key}))


async def _payments(owner: asyncpg.Connection, tenant: Any) -> list[tuple[str, int, str]]:
    rows = await owner.fetch(
        "SELECT receipt_number, amount, channel FROM payments WHERE tenant_id = $1 ORDER BY receipt_sequence",
        tenant.id,
    )
    return [(row["receipt_number"], row["amount"], row["channel"]) for row in rows]


def _receipt_number(sequence: int) -> str:
    return f"{datetime.now(UTC).year}-{sequence:06d}"


async def test_a_cashier_takes_cash_and_prints_the_receipt_in_words(
    browser: httpx.AsyncClient, counter: dict[str, Any], owner: asyncpg.Connection
) -> None:
    await _signed_in(browser, counter["tenant"])
    account = await browser.get(counter["path"], headers=HTML)
    assert account.status_code == 200
    assert texts_of(account.text, "dd") == ["Suspendus", "5 500 F CFA", "0 F CFA", "5 500 F CFA", "0 F CFA"]
    assert "Aucun paiement enregistré." in account.text

    key = _key(account.text)
    taken = await post_form(browser, counter["path"], {"amount": "5 500", "channel": "CASH", "idempotencyKey": key})
    receipt_path = _receipt_of(taken)
    receipt = await browser.get(f"{receipt_path}?notice=recorded", headers=HTML)
    assert receipt.status_code == 200
    member = counter["member"]
    number = _receipt_number(1)
    assert texts_of(receipt.text, "h1") == [f"Reçu {number}"]
    assert texts_of(receipt.text, "dd")[:2] == [f"Diop Moussa · {member.number}", "Couverture maladie universelle"]
    assert texts_of(receipt.text, "dd")[3:] == ["5 500 F CFA", "Espèces"]
    assert "Arrêté le présent reçu à la somme de cinq mille cinq cents francs CFA." in receipt.text
    assert texts_of(receipt.text, "td") == ["2026 · Droit d'adhésion", "2 000 F CFA", "2026", "3 500 F CFA"]
    assert 'role="status">Paiement enregistré.' in receipt.text

    # The same form sent again (the button pressed twice): the same receipt, nothing more recorded.
    again = await post_form(browser, counter["path"], {"amount": "5500", "channel": "CASH", "idempotencyKey": key})
    assert _receipt_of(again) == receipt_path
    assert await _payments(owner, counter["tenant"]) == [(number, 5_500, "cash")]

    account = await browser.get(counter["path"], headers=HTML)
    assert texts_of(account.text, "dd") == ["À jour", "5 500 F CFA", "5 500 F CFA", "0 F CFA", "0 F CFA"]
    assert f'<a href="{receipt_path}">{number}</a>' in account.text
    await check_ledger(owner, counter["tenant"].id)


async def test_the_receipt_speaks_english_on_request(browser: httpx.AsyncClient, counter: dict[str, Any]) -> None:
    await _signed_in(browser, counter["tenant"])
    key = _key((await browser.get(counter["path"], headers=HTML)).text)
    form = {
        "amount": "2000",
        "channel": "MOBILE_MONEY",
        "provider": "WAVE",
        "reference": "T-7Q2K9",
        "idempotencyKey": key,
    }
    receipt_path = _receipt_of(await post_form(browser, counter["path"], form))
    await browser.get("/language/en", params={"next": receipt_path}, headers=HTML)
    receipt = await browser.get(receipt_path, headers=HTML)
    assert "This receipt is made out for the sum of two thousand CFA francs." in receipt.text
    assert texts_of(receipt.text, "dd")[3:] == ["2,000 F CFA", "Mobile money · Wave · T-7Q2K9"]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"amount": "cinq mille"}, "amount", "Indiquez le montant reçu en chiffres, par exemple 3 500."),
        ({"amount": "0"}, "amount", "Le montant doit être un nombre entier positif de l'unité de la devise, et non 0."),
        (
            {"amount": "2000", "channel": "MOBILE_MONEY", "provider": "WAVE"},
            "reference",
            "Indiquez la référence de la transaction.",
        ),
        (
            {"amount": "2000", "channel": "MOBILE_MONEY", "reference": "T-7Q2K9"},
            "provider",
            "Indiquez l'opérateur du mobile money (Wave, Orange Money…).",
        ),
        ({"amount": "2000", "note": "x" * 2_001}, "note", None),
    ],
)
async def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(
    browser: httpx.AsyncClient,
    counter: dict[str, Any],
    owner: asyncpg.Connection,
    form: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    await _signed_in(browser, counter["tenant"])
    key = _key((await browser.get(counter["path"], headers=HTML)).text)
    refused = await post_form(browser, counter["path"], {"channel": "CASH", "idempotencyKey": key, **form})
    assert refused.status_code == 400
    shown = field_error(refused.text, field)
    assert shown
    if message is not None:
        assert shown == message
    assert _key(refused.text) == key
    assert await _payments(owner, counter["tenant"]) == []


async def test_five_presses_at_once_record_one_payment(
    browser: httpx.AsyncClient, counter: dict[str, Any], owner: asyncpg.Connection
) -> None:
    await _signed_in(browser, counter["tenant"])
    key = _key((await browser.get(counter["path"], headers=HTML)).text)
    form = {"amount": "3500", "channel": "CASH", "idempotencyKey": key}
    answers = await asyncio.gather(*(post_form(browser, counter["path"], form) for _ in range(5)))
    assert len({_receipt_of(answer) for answer in answers}) == 1
    assert await _payments(owner, counter["tenant"]) == [(_receipt_number(1), 3_500, "cash")]


async def test_a_reversal_needs_its_reason_and_gets_its_own_notice(
    browser: httpx.AsyncClient, counter: dict[str, Any], owner: asyncpg.Connection
) -> None:
    await _signed_in(browser, counter["tenant"])
    receipt_path = await _take_cash(browser, counter["path"], "5500")
    receipt = await browser.get(receipt_path, headers=HTML)
    reverse_key = _key(receipt.text)
    refused = await post_form(browser, f"{receipt_path}/reverse", {"reason": " ", "idempotencyKey": reverse_key})
    assert refused.status_code == 400
    assert field_error(refused.text, "reason") == "Indiquez pourquoi le paiement est annulé."
    assert await _payments(owner, counter["tenant"]) == [(_receipt_number(1), 5_500, "cash")]

    reversed_ = await post_form(
        browser, f"{receipt_path}/reverse", {"reason": "Billet refusé par la banque", "idempotencyKey": reverse_key}
    )
    notice_path = _receipt_of(reversed_)
    notice = await browser.get(notice_path, headers=HTML)
    assert texts_of(notice.text, "h1") == [f"Avis d'annulation {_receipt_number(2)}"]
    assert texts_of(notice.text, "dd")[3] == "-5 500 F CFA"
    assert "Arrêté le présent reçu à la somme de cinq mille cinq cents francs CFA." in notice.text
    original = await browser.get(receipt_path, headers=HTML)
    assert f'Ce paiement a été annulé : <a href="{notice_path}">{_receipt_number(2)}</a>' in original.text
    assert 'action="' + receipt_path + '/reverse"' not in original.text
    # A second cashier's form, opened before the reversal, is refused with the reason why.
    late = await post_form(browser, f"{receipt_path}/reverse", {"reason": "Doublon", "idempotencyKey": "d" * 32})
    assert late.status_code == 400
    assert f'<div class="alert" role="alert">Le paiement {_receipt_number(1)} est déjà annulé.</div>' in late.text
    assert await _payments(owner, counter["tenant"]) == [
        (_receipt_number(1), 5_500, "cash"),
        (_receipt_number(2), -5_500, "cash"),
    ]
    await check_ledger(owner, counter["tenant"].id)


async def test_another_tenants_cashier_finds_nothing(
    browser: httpx.AsyncClient, counter: dict[str, Any], owner: asyncpg.Connection
) -> None:
    await _signed_in(browser, counter["tenant"])
    receipt_path = await _take_cash(browser, counter["path"], "5500")
    stranger = browser.another()  # type: ignore[attr-defined]
    await _signed_in(stranger, await make_tenant())
    assert (await stranger.get(counter["path"], headers=HTML)).status_code == 404
    assert (await stranger.get(receipt_path, headers=HTML)).status_code == 404
    paid = await post_form(stranger, counter["path"], {"amount": "100", "channel": "CASH", "idempotencyKey": "k" * 32})
    assert paid.status_code == 404
    undone = await post_form(stranger, f"{receipt_path}/reverse", {"reason": "Fraude", "idempotencyKey": "r" * 32})
    assert undone.status_code == 404
    assert await _payments(owner, counter["tenant"]) == [(_receipt_number(1), 5_500, "cash")]
    assert (await stranger.get("/payments/not-an-id", headers=HTML)).status_code == 404


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: httpx.AsyncClient, counter: dict[str, Any], role: Role) -> None:
    granted = permissions_of(role)
    await _signed_in(browser, counter["tenant"], role)
    account = await browser.get(counter["path"], headers=HTML)
    assert account.status_code == (200 if Permission.CONTRIBUTIONS_READ in granted else 403)
    writes = Permission.CONTRIBUTIONS_WRITE in granted
    assert ('action="' + counter["path"] + '"' in account.text) is writes
    if not writes:
        paid = await post_form(browser, counter["path"], {"amount": "100", "idempotencyKey": "k" * 32})
        assert paid.status_code == 403
