"""PostGraphile's query of each benchmark scenario, and its answer as Socle's rows.

A row is a plain dict with Socle's field names and values, as Socle's own
query of the scenario returns it (enums by their GraphQL names, dates as
ISO text). A member, in the page, the lookup and the search alike, is the
node of Socle's selection :data:`SOCLE_MEMBER_SELECTION`; a household is
the list of Socle's ``household(on:)`` with :data:`SOCLE_BENEFICIARY_SELECTION`;
a tenant's count is ``{"slug", "totalCount"}``, in the order of the slugs.

PostGraphile's side runs on the schema ``server.mjs`` builds: the tables as
they are, named by the amber preset (``allMembers``, ``rowId``, relations by
their foreign key's columns), and ``searchMembers`` from ``search.sql``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

Row = dict[str, Any]

SOCLE_MEMBER_SELECTION = """
number lastName firstNames status
scheme { code }
employments { employer { name } }
beneficiaries { firstNames lastName relationship birthDate }
"""
"""What Socle's queries of the page, the lookup and the search select of a
member; the rows below have exactly these fields."""

SOCLE_BENEFICIARY_SELECTION = "firstNames lastName relationship birthDate"
"""What a household's row holds (Socle's query also asks each one's
``eligibility(on:)``, which PostGraphile cannot compute: it is left out of the
rows compared)."""

_MEMBER = """
number lastName firstNames status
schemeByTenantIdAndSchemeId { code }
memberEmploymentsByTenantIdAndMemberId(orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
  nodes { employerByTenantIdAndEmployerId { name } }
}
beneficiariesByTenantIdAndMemberId(orderBy: [ADDED_ON_ASC, CREATED_AT_ASC, ROW_ID_ASC]) {
  nodes { firstNames lastName relationship birthDate }
}
"""

MEMBERS_PAGE = f"""
query MembersPage($tenantId: UUID!, $first: Int!) {{
  allMembers(condition: {{tenantId: $tenantId}}, orderBy: [NORMALIZED_NAME_ASC, ROW_ID_ASC], first: $first) {{
    nodes {{ {_MEMBER} }}
  }}
}}
"""
"""A page of members with their beneficiaries, scheme and employers, in
Socle's order of its ``members`` connection (normalized name, then id).
Variables: ``tenantId`` (the caller's tenant, as Socle's statement names it
too; row-level security alone would also keep the rows to it) and ``first``."""

MEMBER_BY_NUMBER = f"""
query MemberByNumber($tenantId: UUID!, $number: String!) {{
  memberByTenantIdAndNumber(tenantId: $tenantId, number: $number) {{ {_MEMBER} }}
}}
"""
"""One member by membership number, through the unique (tenant, number)
constraint Socle's ``memberByNumber`` reads too. Socle also trims and
capitalises the number it is given; send it as stored. Variables:
``tenantId``, ``number``."""

MEMBER_SEARCH = f"""
query MemberSearch($fragment: String!, $first: Int!) {{
  searchMembers(fragment: $fragment, first: $first) {{
    nodes {{ {_MEMBER} }}
  }}
}}
"""
"""Members a name fragment finds, as Socle's ``members(filter: {search:})``,
through ``socle_bench.search_members`` (``search.sql`` says where it differs
from Socle's search). Variables: ``fragment``, ``first``."""

HOUSEHOLD = """
query Household($memberId: UUID!) {
  memberByRowId(rowId: $memberId) {
    beneficiariesByTenantIdAndMemberId(orderBy: [ADDED_ON_ASC, CREATED_AT_ASC, ROW_ID_ASC]) {
      nodes { firstNames lastName relationship birthDate addedOn removedOn }
    }
  }
}
"""
"""The household of one member: every beneficiary it has had, with the days
they joined and left, from which :func:`rows` keeps those in it on the day
asked (PostGraphile's conditions are equalities, and it cannot compute
Socle's eligibility rules: the same rows, without eligibility). Variables:
``memberId`` (the member's uuid, where Socle takes its global id)."""

MEMBER_COUNTS = """
query MemberCounts {
  allTenants(orderBy: SLUG_ASC) {
    nodes { slug kind membersByTenantId { totalCount } }
  }
}
"""
"""Each readable tenant's member count: a ministry's token reads its
supervised tenants (its own tenant, which has no members, is left out of the
rows, as Socle lists supervised tenants only); a manager's, its own tenant.
No variables."""


def _enum(value: str) -> str:
    """Socle's GraphQL name of a stored enum value (``active`` -> ``ACTIVE``)."""
    return value.upper()


def _beneficiary(node: Mapping[str, Any]) -> Row:
    return {
        "firstNames": node["firstNames"],
        "lastName": node["lastName"],
        "relationship": _enum(node["relationship"]),
        "birthDate": node["birthDate"],
    }


def _member(node: Mapping[str, Any]) -> Row:
    scheme = node["schemeByTenantIdAndSchemeId"]
    return {
        "number": node["number"],
        "lastName": node["lastName"],
        "firstNames": node["firstNames"],
        "status": _enum(node["status"]),
        "scheme": {"code": scheme["code"]} if scheme else None,
        "employments": [
            {"employer": {"name": employer["name"]} if employer else None}
            for employer in (
                employment["employerByTenantIdAndEmployerId"]
                for employment in node["memberEmploymentsByTenantIdAndMemberId"]["nodes"]
            )
        ],
        "beneficiaries": [_beneficiary(b) for b in node["beneficiariesByTenantIdAndMemberId"]["nodes"]],
    }


def _in_household(node: Mapping[str, Any], on: date) -> bool:
    """As ``schemes.members.service.in_household``: joined by ``on``, not yet left."""
    added = date.fromisoformat(node["addedOn"])
    removed = date.fromisoformat(node["removedOn"]) if node["removedOn"] else None
    return added <= on and (removed is None or on < removed)


def _members_page(data: Mapping[str, Any], on: date | None) -> list[Row]:
    return [_member(node) for node in data["allMembers"]["nodes"]]


def _member_by_number(data: Mapping[str, Any], on: date | None) -> list[Row]:
    node = data["memberByTenantIdAndNumber"]
    return [_member(node)] if node else []


def _member_search(data: Mapping[str, Any], on: date | None) -> list[Row]:
    return [_member(node) for node in data["searchMembers"]["nodes"]]


def _household(data: Mapping[str, Any], on: date | None) -> list[Row]:
    if on is None:
        raise ValueError("the household is read on a day: pass on=")
    member = data["memberByRowId"]
    if member is None:
        return []
    nodes = member["beneficiariesByTenantIdAndMemberId"]["nodes"]
    return [_beneficiary(node) for node in nodes if _in_household(node, on)]


def _member_counts(data: Mapping[str, Any], on: date | None) -> list[Row]:
    return [
        {"slug": node["slug"], "totalCount": node["membersByTenantId"]["totalCount"]}
        for node in data["allTenants"]["nodes"]
        if node["kind"] != "ministry"
    ]


_ROWS: dict[str, Callable[[Mapping[str, Any], date | None], list[Row]]] = {
    MEMBERS_PAGE: _members_page,
    MEMBER_BY_NUMBER: _member_by_number,
    MEMBER_SEARCH: _member_search,
    HOUSEHOLD: _household,
    MEMBER_COUNTS: _member_counts,
}

QUERIES = tuple(_ROWS)
"""Every query of this module."""


class NoData(Exception):
    """PostGraphile answered without data, or with errors."""


def rows(query: str, body: Mapping[str, Any], *, on: date | None = None) -> list[Row]:
    """Socle's rows from PostGraphile's JSON ``body`` answering ``query`` (one
    of this module's constants); ``on`` is the household's day. Raises
    :class:`NoData` when the answer has errors or no data."""
    data = body.get("data")
    if body.get("errors") or not data:
        raise NoData(body.get("errors") or "no data")
    return _ROWS[query](data, on)
