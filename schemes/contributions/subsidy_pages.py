"""The State's subsidy statements as pages: a mutual's own, drawn up from
its desk; a ministry's, those of every tenant it supervises, each with the
form to record the State's payment of it from the Treasury's notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.contributions.pages import amount_of
from tenants.ids import new_id
from tenants.permissions import Permission
from tenants.roles import TenantKind
from tenants.web import MenuItem, Page, PageSet, keyed, not_found

STATEMENTS_SHOWN = 50
LINES_SHOWN = 100
"""Members of a statement's nominative list the page shows; the API pages through the rest."""
STATUSES = ("UNPAID", "PARTLY_PAID", "PAID")

STATEMENT_FIELDS = """
  id schemeName period periodStart periodEnd number members beneficiaries amount paid outstanding status currency
  drawnByName createdAt tenant { name slug }
"""
LIST = f"""
query SubsidyStatements($first: Int!, $status: StatementStatus) {{
  subsidyStatements(first: $first, filter: {{status: $status}}) {{
    totalCount
    edges {{ node {{ {STATEMENT_FIELDS} }} }}
  }}
}}
"""
FLAT_SCHEMES = """
query FlatSchemes { schemes(first: 100) { edges { node { id name currentVersion { contribution { basis } } } } } }
"""
ONE = f"""
query SubsidyStatement($id: ID!, $lines: Int!) {{
  node(id: $id) {{
    ... on SubsidyStatement {{
      {STATEMENT_FIELDS}
      payments {{ amount currency reference paidOn recordedByName createdAt receiptNumber }}
      lines(first: $lines) {{
        totalCount
        edges {{ node {{ memberNumber lastName firstNames category subsidyGroup persons amount }} }}
      }}
    }}
  }}
}}
"""
DRAW = """
mutation SubsidyStatementDraw($input: SubsidyStatementDrawInput!) {
  subsidyStatementDraw(input: $input) {
    ... on SubsidyStatementDrawing { statement { id } }
    ... on SubsidyStatementDrawError { code path message }
  }
}
"""
PAY = """
mutation SubsidyPaymentRecord($input: SubsidyPaymentRecordInput!) {
  subsidyPaymentRecord(input: $input) {
    ... on SubsidyPaymentRecording { statement { id } }
    ... on SubsidyPaymentRecordError { code path message others { path message } }
  }
}
"""
DRAW_FIELDS = ("scheme", "period")
PAY_FIELDS = ("amount", "currency", "reference", "paidOn")


async def _list(page: Page, status: str, **context: Any) -> Response[str]:
    shown = status if status in STATUSES else None
    outcome = await page.execute(LIST, {"first": STATEMENTS_SHOWN, "status": shown})
    statements = outcome.data["subsidyStatements"]
    schemes: list[tuple[str, str]] = []
    if page.allows(Permission.CONTRIBUTIONS_WRITE):
        found = (await page.execute(FLAT_SCHEMES)).data["schemes"]["edges"]
        schemes = [
            (edge["node"]["id"], edge["node"]["name"])
            for edge in found
            if (edge["node"]["currentVersion"] or {}).get("contribution", {}).get("basis") != "SALARY_RATE"
        ]
    context.setdefault("form", {"period": str(datetime.now(UTC).year), "idempotencyKey": new_id().hex})
    context.setdefault("errors", {})
    context.setdefault("notice", None)
    return page.render(
        "subsidies/statements.html",
        statements=[edge["node"] for edge in statements["edges"]],
        total=statements["totalCount"],
        status=shown,
        statuses=STATUSES,
        schemes=schemes,
        across=page.viewer.tenant is not None and page.viewer.tenant.tenant_kind is TenantKind.MINISTRY,
        **context,
    )


@get("/subsidies")
async def statements(
    page: NamedDependency[Page], status: FromQuery[str] = "", notice: FromQuery[str] = ""
) -> Response[str]:
    """The subsidy statements, the latest period first: the tenant's own, or a
    ministry's tenants'; for a manager, the form to draw one up."""
    page.require(Permission.SUBSIDIES_READ)
    return await _list(page, status, notice="page.NOTICE_STATEMENT_DRAWN" if notice == "drawn" else None)


@post("/subsidies")
async def draw(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Draw up the statement of a scheme's period; the form's key makes a second press draw nothing twice."""
    page.require(Permission.CONTRIBUTIONS_WRITE)
    form = await page.form()
    variables = {
        "scheme": form.get("scheme", ""),
        "period": form.get("period", ""),
        "idempotencyKey": form.get("idempotencyKey", ""),
    }
    outcome = await page.execute(DRAW, {"input": variables})
    if outcome.refusal is None:
        statement = outcome.data["subsidyStatementDraw"]["statement"]
        return page.redirect(f"/subsidies/{statement['id']}?notice=drawn")
    return await _list(page, "", form=keyed(form), errors=outcome.errors_within(DRAW_FIELDS), status_code=400)


async def _statement(page: Page, statement_id: str, **context: Any) -> Response[str]:
    statement = (await page.execute(ONE, {"id": statement_id, "lines": LINES_SHOWN})).data["node"]
    if not statement or "period" not in statement:
        raise not_found()
    form = context.pop("form", None) or {
        "amount": str(statement["outstanding"]),
        "paidOn": datetime.now(UTC).date().isoformat(),
        "idempotencyKey": new_id().hex,
    }
    context.setdefault("errors", {})
    context.setdefault("notice", None)
    return page.render("subsidies/statement.html", statement=statement, form=form, **context)


NOTICES = {"drawn": "page.NOTICE_STATEMENT_DRAWN", "paid": "page.NOTICE_SUBSIDY_RECORDED"}


@get("/subsidies/{statement_id:str}")
async def statement(
    page: NamedDependency[Page], statement_id: FromPath[str], notice: FromQuery[str] = ""
) -> Response[str]:
    """A statement: what the State owes, has paid and has left to pay, its
    payments; for a ministry's administrator, the form to record a payment."""
    page.require(Permission.SUBSIDIES_READ)
    return await _statement(page, statement_id, notice=NOTICES.get(notice))


@post("/subsidies/{statement_id:str}/payments")
async def record_payment(page: NamedDependency[Page], statement_id: FromPath[str]) -> Response[str] | Redirect:
    """Record the State's payment of the statement; the form's key makes a second press record nothing twice."""
    page.require(Permission.SUBSIDIES_SETTLE)
    form = await page.form()
    variables = {
        "statement": statement_id,
        "amount": amount_of(form.get("amount", "")),
        "currency": form.get("currency", ""),
        "reference": form.get("reference", ""),
        "paidOn": form.get("paidOn", ""),
        "idempotencyKey": form.get("idempotencyKey", ""),
    }
    outcome = await page.execute(PAY, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/subsidies/{statement_id}?notice=paid")
    if outcome.refusal["code"] == "STATEMENT_NOT_FOUND":
        raise not_found()
    errors = outcome.errors_within(PAY_FIELDS)
    if outcome.refusal["code"] == "INVALID_VALUE":
        errors = {
            key: page.t("page.PAYMENT_AMOUNT_DIGITS" if key == "amount" else "page.DATE_DIGITS") if key else text
            for key, text in errors.items()
        }
    return await _statement(page, statement_id, form=keyed(form), errors=errors, status_code=400)


PAGES = PageSet(
    name="subsidies",
    templates=Path(__file__).with_name("subsidy_templates"),
    handlers=[statements, draw, statement, record_payment],
    menu=[MenuItem("page.MENU_SUBSIDIES", "/subsidies", Permission.SUBSIDIES_READ)],
)
