"""The member's "pay now": the amount and the provider, then the page the
provider sends them back to, which says how the payment stands and gives
the receipt once it is recorded.

The provider's page is opened by a link, not by a form's redirect: the
pages' policy lets forms post only to Socle (``form-action 'self'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from strawberry import relay

from schemes.contributions.pages import amount_of
from tenants.ids import new_id
from tenants.permissions import Permission
from tenants.web import Page, PageSet, keyed, not_found

PAY = "query MyPay { myStatement { outstanding currency } myOnlinePaymentProviders }"
START = """
mutation MyOnlinePaymentStart($input: MyOnlinePaymentStartInput!) {
  myOnlinePaymentStart(input: $input) {
    ... on OnlinePaymentStarted { onlinePayment { id } }
    ... on MyOnlinePaymentStartError { code path message }
  }
}
"""
ONLINE_FIELDS = "id provider amount currency status launchUrl failure payment { id receiptNumber receiptUrl }"
CHECKOUT = f"query MyCheckout($id: ID!) {{ node(id: $id) {{ ... on OnlinePayment {{ {ONLINE_FIELDS} }} }} }}"
REFRESH = f"""
mutation MyOnlinePaymentRefresh($id: ID!) {{
  myOnlinePaymentRefresh(input: {{onlinePayment: $id}}) {{
    ... on OnlinePayment {{ {ONLINE_FIELDS} }}
    ... on MyOnlinePaymentRefreshError {{ code }}
  }}
}}
"""
PAY_FIELDS = ("amount", "provider")
PAGE_PROVIDERS = ("WAVE",)
"""The providers these pages pay with: those whose own page the payer is sent to.
A card form needs Stripe's script on the page; partner applications pay by card
through the API (``clientSecret``)."""


def page_providers(enabled: list[str]) -> list[str]:
    """Of the providers the tenant enabled, those the member's pages can pay with."""
    return [provider for provider in enabled if provider in PAGE_PROVIDERS]


async def _pay_page(page: Page, form: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response[str]:
    outcome = await page.execute(PAY)
    return page.render(
        "gateways/pay.html",
        status_code=status_code,
        statement=outcome.data["myStatement"],
        providers=page_providers(outcome.data["myOnlinePaymentProviders"]),
        form=form,
        errors=errors,
    )


@get("/me/pay")
async def pay_form(page: NamedDependency[Page]) -> Response[str]:
    """What is left to pay, and the providers to pay it with."""
    page.require(Permission.SELF_SERVICE)
    return await _pay_page(page, {"idempotencyKey": new_id().hex}, {})


@post("/me/pay")
async def pay(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Start the payment and go to its page, where the provider's link is.
    The form's key makes a second press start nothing twice."""
    page.require(Permission.SELF_SERVICE)
    form = await page.form()
    assert page.viewer.tenant is not None
    variables = {
        "amount": amount_of(form.get("amount", "")),
        "currency": page.viewer.tenant.currency,
        "provider": form.get("provider", ""),
        "idempotencyKey": form.get("idempotencyKey", ""),
    }
    outcome = await page.execute(START, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/me/checkouts/{outcome.data['myOnlinePaymentStart']['onlinePayment']['id']}")
    errors = outcome.errors_within(PAY_FIELDS)
    if outcome.refusal["code"] == "INVALID_VALUE" and "amount" in errors:
        errors["amount"] = page.t("page.PAYMENT_AMOUNT_DIGITS")
    return await _pay_page(page, keyed(form), errors, status_code=400)


def _global_id(checkout_id: str) -> str:
    """The checkout's global id: providers send the payer back with its plain id (:data:`CHECKOUT_PAGE`)."""
    try:
        return relay.to_base64("OnlinePayment", UUID(checkout_id))
    except ValueError:
        return checkout_id


@get("/me/checkouts/{checkout_id:str}")
async def checkout(page: NamedDependency[Page], checkout_id: FromPath[str]) -> Response[str]:
    """An online payment as it stands: the provider is asked while it is
    open, so a payer back from Wave sees it paid without waiting for the event."""
    page.require(Permission.SELF_SERVICE)
    checkout_id = _global_id(checkout_id)
    found = (await page.execute(CHECKOUT, {"id": checkout_id})).data["node"]
    if not found:
        raise not_found()
    if found["status"] == "OPEN":
        refreshed = (await page.execute(REFRESH, {"id": checkout_id})).data["myOnlinePaymentRefresh"]
        found = refreshed if "status" in refreshed else found
    return page.render("gateways/checkout.html", online=found)


PAGES = PageSet(
    name="gateways",
    templates=Path(__file__).with_name("templates"),
    handlers=[pay_form, pay, checkout],
)
