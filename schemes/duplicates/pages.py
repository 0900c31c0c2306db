"""The probable duplicates waiting for a manager's decision: the two
members side by side, then "the same person" (keeping one, the other merged
into it) or "two people"."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from tenants.permissions import Permission
from tenants.web import MenuItem, Page, PageSet

PAGE_SIZE = 20
MEMBER = """id number status firstNames lastName sex birthDate birthDateApproximate phone enrolledOn
  documents { kind number } beneficiaries { id }"""
PENDING = f"""
query Duplicates($first: Int!, $after: String) {{
  duplicates(first: $first, after: $after) {{
    edges {{ node {{ id matchedOn similarity flaggedAt first {{ {MEMBER} }} second {{ {MEMBER} }} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
RESOLVE = """
mutation DuplicateResolve($input: DuplicateResolveInput!) {
  duplicateResolve(input: $input) { ... on DuplicateResolveError { code path message } }
}
"""
DECISIONS = ("DUPLICATE", "NOT_DUPLICATE")


async def _pending(
    page: Page,
    after: str | None,
    *,
    notice: str | None = None,
    refused: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response[str]:
    """The page of pending pairs; ``refused`` names the pair whose decision ``errors`` refused."""
    outcome = await page.execute(PENDING, {"first": PAGE_SIZE, "after": after})
    return page.render(
        "duplicates/pending.html",
        status_code=400 if refused else 200,
        pairs=[edge["node"] for edge in outcome.data["duplicates"]["edges"]],
        page_info=outcome.data["duplicates"]["pageInfo"],
        after=after,
        errors=errors or {},
        refused=refused,
        notice=notice,
    )


@get("/duplicates")
async def pending(
    page: NamedDependency[Page], after: FromQuery[str | None] = None, notice: FromQuery[str] = ""
) -> Response[str]:
    """The pairs waiting for a decision, oldest first."""
    page.require(Permission.MEMBERS_READ)
    return await _pending(page, after, notice="page.NOTICE_DECIDED" if notice == "decided" else None)


@post("/duplicates/{pair_id:str}")
async def decide(page: NamedDependency[Page], pair_id: FromPath[str]) -> Response[str] | Redirect:
    """Record the decision on one pair."""
    page.require(Permission.MEMBERS_WRITE)
    form = await page.form()
    decision = form.get("decision", "")
    variables = {
        "id": pair_id,
        "decision": decision if decision in DECISIONS else "",
        "keep": (form.get("keep") or None) if decision == "DUPLICATE" else None,
        "reason": form.get("reason") or None,
    }
    outcome = await page.execute(RESOLVE, {"input": variables})
    if outcome.refusal is None:
        return page.redirect("/duplicates?notice=decided")
    return await _pending(page, None, errors=outcome.errors_within(("keep", "reason")), refused=pair_id)


PAGES = PageSet(
    name="duplicates",
    templates=Path(__file__).with_name("templates"),
    handlers=[pending, decide],
    menu=[MenuItem("page.MENU_DUPLICATES", "/duplicates", Permission.MEMBERS_READ)],
)
