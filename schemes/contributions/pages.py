"""The counter (guichet): a member's account as the cashier sees it, with
their calls and payments; a payment taken in cash or by a transfer's
reference; the receipt to print; the reversal of a payment wrongly recorded."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.contributions.reads import MAX_YEAR, MIN_YEAR
from tenants.ids import new_id
from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet, keyed, not_found

CALLS_SHOWN = 24
"""Calls the account shows, the latest due first: two years of monthly calls."""
PAYMENTS_SHOWN = 20

PAYMENT_FIELDS = """id receiptNumber amount currency channel provider reference receivedAt recordedByName isReversal
  reversedBy { id receiptNumber }"""
ACCOUNT = f"""
query MemberAccount($member: ID!, $calls: Int!, $payments: Int!) {{
  member(id: $member) {{ id number status firstNames lastName scheme {{ name }} }}
  memberStatement(member: $member) {{ due paid outstanding credit currency rights rightsChangeOn }}
  contributionCalls(first: $calls, filter: {{member: $member, payer: MEMBER}}) {{
    edges {{ node {{ id kind period dueOn amount settled remaining currency }} }}
  }}
  payments(member: $member, first: $payments) {{
    edges {{ node {{ {PAYMENT_FIELDS} }} }}
    pageInfo {{ hasNextPage }}
  }}
  onlinePayments(member: $member, first: $payments) {{
    edges {{ node {{ id provider amount currency status failure createdAt payment {{ id receiptNumber }} }} }}
  }}
}}
"""
RECORD = """
mutation PaymentRecord($input: PaymentRecordInput!) {
  paymentRecord(input: $input) {
    ... on PaymentRecording { payment { id } alreadyRecorded }
    ... on PaymentRecordError { code path message others { path message } }
  }
}
"""
RECEIPT = f"""
query Receipt($id: ID!) {{
  viewer {{ tenant {{ name }} }}
  node(id: $id) {{
    ... on Payment {{
      {PAYMENT_FIELDS} note createdAt receiptUrl
      payer member {{ id number firstNames lastName scheme {{ name }} }} employer {{ name }}
      allocations {{ amount call {{ kind period }} }}
      reverses {{ id receiptNumber }}
    }}
  }}
}}
"""
REVERSE = """
mutation PaymentReverse($input: PaymentReverseInput!) {
  paymentReverse(input: $input) {
    ... on PaymentRecording { payment { id } }
    ... on PaymentReverseError { code path message }
  }
}
"""

COLLECTION = """
query Collection($year: Int!) {
  contributionCollection(year: $year) {
    scheme { name } period payer calls due collected outstanding rateBasisPoints currency
  }
}
"""
REFRESH_ONLINE = """
mutation OnlinePaymentRefresh($id: ID!) {
  onlinePaymentRefresh(input: {onlinePayment: $id}) {
    ... on OnlinePayment { id }
    ... on OnlinePaymentRefreshError { code path message }
  }
}
"""

CHANNELS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD")
"""How money reaches the counter, cash first: what the cashier takes most."""
PROVIDERS = ("WAVE", "ORANGE_MONEY", "FREE_MONEY", "MTN_MOMO", "MOOV_MONEY")
"""The mobile money operators a member may have paid with before coming to the counter."""
RECORD_FIELDS = ("amount", "channel", "provider", "reference", "note")
REVERSE_FIELDS = ("reason",)


AMOUNT_DIGITS = 18
"""More digits than any amount: the API refuses the number at the field rather than the page choking on it."""


def amount_of(text: str) -> int | str:
    """The amount typed in: digits, their thousands apart or not (``3 500``);
    anything else as typed, for the API to refuse next to the field."""
    digits = re.sub(r"[\s\u00a0\u202f.]", "", text)
    # ASCII digits only ("²" is a digit to Python, not to int()), and no more than an amount has.
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= AMOUNT_DIGITS else text


async def _account(page: Page, member_id: str, **context: Any) -> Response[str]:
    outcome = await page.execute(ACCOUNT, {"member": member_id, "calls": CALLS_SHOWN, "payments": PAYMENTS_SHOWN})
    member = outcome.data["member"]
    if member is None:
        raise not_found()
    return page.render(
        "contributions/account.html",
        member=member,
        statement=outcome.data["memberStatement"],
        calls=[edge["node"] for edge in outcome.data["contributionCalls"]["edges"]],
        payments=outcome.data["payments"],
        online=[edge["node"] for edge in outcome.data["onlinePayments"]["edges"]],
        channels=CHANNELS,
        providers=PROVIDERS,
        **context,
    )


@get("/members/{member_id:str}/contributions")
async def account(page: NamedDependency[Page], member_id: FromPath[str]) -> Response[str]:
    """A member's account at the counter: what is called, paid and left, the
    rights it leaves, the calls and the payments; the form to take a payment."""
    page.require(Permission.CONTRIBUTIONS_READ)
    blank = {"channel": "CASH", "idempotencyKey": new_id().hex}
    return await _account(page, member_id, form=blank, errors={})


@post("/members/{member_id:str}/contributions")
async def take_payment(page: NamedDependency[Page], member_id: FromPath[str]) -> Response[str] | Redirect:
    """Record the payment and show its receipt. The form's key makes a second
    press of the button, or a resend after a dropped connection, record nothing twice."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    form = await page.form()
    assert page.viewer.tenant is not None
    channel = form.get("channel") if form.get("channel") in CHANNELS else "CASH"
    provider = form.get("provider") if channel == "MOBILE_MONEY" and form.get("provider") in PROVIDERS else None
    variables = {
        "member": member_id,
        "amount": amount_of(form.get("amount", "")),
        "currency": page.viewer.tenant.currency,
        "channel": channel,
        "provider": provider,
        "reference": form.get("reference") or None,
        "note": form.get("note", ""),
        "idempotencyKey": form.get("idempotencyKey", ""),
    }
    outcome = await page.execute(RECORD, {"input": variables})
    if outcome.refusal is None:
        payment = outcome.data["paymentRecord"]["payment"]
        return page.redirect(f"/payments/{payment['id']}?notice=recorded")
    if outcome.refusal["code"] == "PAYER_NOT_FOUND":
        raise not_found()
    errors = outcome.errors_within(RECORD_FIELDS)
    if outcome.refusal["code"] == "INVALID_VALUE" and "amount" in errors:
        errors["amount"] = page.t("page.PAYMENT_AMOUNT_DIGITS")
    return await _account(page, member_id, status_code=400, form=keyed(form), errors=errors)


NOTICES = {"recorded": "page.NOTICE_PAYMENT_RECORDED", "reversed": "page.NOTICE_PAYMENT_REVERSED"}


async def _receipt(
    page: Page,
    payment_id: str,
    *,
    status_code: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response[str]:
    outcome = await page.execute(RECEIPT, {"id": payment_id})
    payment = outcome.data["node"]
    if not payment or "receiptNumber" not in payment:
        raise not_found()
    return page.render(
        "contributions/receipt.html",
        status_code=status_code,
        tenant=outcome.data["viewer"]["tenant"],
        payment=payment,
        notice=notice,
        errors=errors or {},
        form=form or {"idempotencyKey": new_id().hex},
    )


@post("/members/{member_id:str}/online-payments/{online_id:str}/refresh")
async def check_online(page: NamedDependency[Page], member_id: FromPath[str], online_id: FromPath[str]) -> Redirect:
    """Ask the provider how a member's online payment stands (the member says they paid)."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    outcome = await page.execute(REFRESH_ONLINE, {"id": online_id})
    if outcome.refusal is not None:
        raise not_found()
    return page.redirect(f"/members/{member_id}/contributions#online")


@get("/contributions/collection")
async def collection(page: NamedDependency[Page], year: FromQuery[str] = "") -> Response[str]:
    """What each scheme called and collected in a year, per period and kind of payer."""
    page.require(Permission.CONTRIBUTIONS_READ)
    shown = int(year) if year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR else datetime.now(UTC).year
    outcome = await page.execute(COLLECTION, {"year": shown})
    return page.render("contributions/collection.html", year=shown, rows=outcome.data["contributionCollection"])


@get("/payments/{payment_id:str}")
async def receipt(page: NamedDependency[Page], payment_id: FromPath[str], notice: FromQuery[str] = "") -> Response[str]:
    """A payment's receipt, to print for the member: the amount in figures
    and in words, what it settled, who took it."""
    page.require(Permission.CONTRIBUTIONS_READ)
    return await _receipt(page, payment_id, notice=NOTICES.get(notice))


@post("/payments/{payment_id:str}/reverse")
async def reverse(page: NamedDependency[Page], payment_id: FromPath[str]) -> Response[str] | Redirect:
    """Reverse a payment wrongly recorded, with the reason; the reversal's own receipt follows."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    form = await page.form()
    variables = {"payment": payment_id, "reason": form.get("reason", ""), "idempotencyKey": form.get("idempotencyKey")}
    outcome = await page.execute(REVERSE, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/payments/{outcome.data['paymentReverse']['payment']['id']}?notice=reversed")
    if outcome.refusal["code"] == "PAYMENT_NOT_FOUND":
        raise not_found()
    errors = outcome.errors_within(REVERSE_FIELDS)
    return await _receipt(page, payment_id, status_code=400, errors=errors, form=keyed(form))


PAGES = PageSet(
    name="contributions",
    templates=Path(__file__).with_name("templates"),
    handlers=[account, take_payment, check_online, collection, receipt, reverse],
    menu=[MenuItem("page.MENU_COLLECTION", "/contributions/collection", Permission.CONTRIBUTIONS_READ)],
)
