"""The benchmark's scenarios: what each one asks Socle, the SQL the raw
baseline sends for the same answer, and the rows both answers must share.

A scenario's ``answer`` is the baseline's whole work after the caller is
known: it runs the statements Socle's resolvers and DataLoaders send (the
same text where Socle builds it in a function of its own, as the register's
search) through a :class:`Queries` and returns the ``data`` Socle returns.
The EXPLAIN comparison (:mod:`infra.bench.explain`) runs the same function
through a :class:`Queries` that explains each statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from infra.bench import postgraphile_queries as graphile
from infra.bench.dataset import Dataset
from schemes.employers.tables import Employer
from schemes.members.search import MemberFilter, list_statement
from schemes.members.tables import Beneficiary, Employment, Member, MemberStatus
from schemes.rules.eligibility import DependentFacts, dependent_eligibility
from schemes.rules.model import Relationship, Sex
from schemes.rules.service import VERSION_COLUMNS, rule_version
from schemes.rules.tables import Scheme as SchemeRow
from tenants.bulk import among_statement

JSON = dict[str, Any]
Row = dict[str, Any]


class Queries(Protocol):
    """Where a scenario's statements go: the baseline's connection, or the explainer."""

    async def fetch(self, statement: str, *args: Any) -> Sequence[Any]:
        """The rows of one statement."""
        ...


@dataclass(frozen=True)
class Caller:
    """Who a request comes from, once the session is checked."""

    tenant_id: UUID
    user_id: UUID
    country: str
    supervised: tuple[UUID, ...]


@dataclass(frozen=True)
class Scenario:
    """One measured read."""

    name: str
    description: str
    query: str
    """The GraphQL document, with one named operation."""
    variables: Callable[[Dataset, int], JSON]
    """The variables of the ``i``-th request: they vary where a cache would flatter."""
    answer: Callable[[Queries, Caller, JSON], Awaitable[JSON]]
    """The baseline: the same statements as Socle, and the ``data`` Socle returns."""
    rows: Callable[[JSON], list[Row]]
    """The rows of an answer's ``data``, compared across targets."""
    graphile: Callable[[Dataset, int], tuple[str, JSON]] | None = None
    """PostGraphile's query (of :mod:`infra.bench.postgraphile_queries`) and
    variables for the ``i``-th request, asking what Socle is asked; None where
    it has none."""
    graphile_leaves_out: tuple[str, ...] = ()
    """Fields of the rows PostGraphile cannot compute, left out of every
    target's rows when they are compared with its own."""
    note: str = ""
    """Where the targets do not do quite the same work, as the report says."""
    signs_in_as: Callable[[Dataset], tuple[str, str | None]] = lambda data: (data.largest.manager_email, None)
    """The account (and tenant slug) the scenario signs in with: by default the
    manager of the largest tenant, which the samples come from."""
    available: bool = True
    """False while Socle has no field for it: defined, reported, not measured."""

    @property
    def operation(self) -> str:
        """The operation's name, which the baseline dispatches on."""
        return self.query.split("(", 1)[0].split("{", 1)[0].split()[1]


# --- statements Socle sends: its loaders' reads by keys ($1 the tenants, $2 the keys) --

_SCHEMES_BY_ID = among_statement(SchemeRow, SchemeRow.id)
_BENEFICIARIES_OF = among_statement(
    Beneficiary, Beneficiary.member_id, (Beneficiary.added_on, Beneficiary.created_at, Beneficiary.id)
)
_EMPLOYMENTS_OF = among_statement(Employment, Employment.member_id, (Employment.created_at, Employment.id))
_EMPLOYERS_BY_ID = among_statement(Employer, Employer.id)
_MEMBER_BY_NUMBER = among_statement(Member, Member.number)
_VERSIONS_IN_FORCE = (
    f"SELECT DISTINCT ON (v.scheme) {VERSION_COLUMNS} FROM scheme_rule_versions v"
    " WHERE v.tenant_id = ANY ($1::uuid[]) AND v.scheme = ANY ($2::uuid[]) AND v.effective_from <= $3"
    " ORDER BY v.scheme, v.effective_from DESC"
)
_MEMBER_COUNTS = (
    "SELECT t.slug, coalesce(sum(y.member_count), 0)::int AS members FROM tenants t"
    " LEFT JOIN member_tallies y ON y.tenant_id = t.id AND y.tenant_id = ANY ($1::uuid[])"
    " WHERE t.id = ANY ($1::uuid[]) GROUP BY t.id, t.slug, t.name ORDER BY t.name, t.id"
)


def _today() -> date:
    # The day Socle's resolvers take as today.
    return datetime.now(UTC).date()


def _readable(caller: Caller) -> list[UUID]:
    return [caller.tenant_id, *sorted(caller.supervised)]


def _enum_name(enum: Any, value: str | None) -> str | None:
    return None if value is None else str(enum(value).name)


def _grouped(rows: Sequence[Any], key: str) -> dict[UUID, list[Any]]:
    found: dict[UUID, list[Any]] = {}
    for row in rows:
        found.setdefault(row[key], []).append(row)
    return found


def _nodes(data: JSON, field: str) -> list[Row]:
    connection = data[field]
    return [edge["node"] for edge in connection["edges"]]


def _one(data: JSON, field: str) -> list[Row]:
    node = data[field]
    return [] if node is None else [node]


# --- a member, as the page, the lookup and the search select it ---------------

_MEMBER_NODE = " ".join(graphile.SOCLE_MEMBER_SELECTION.split())


async def _member_nodes(db: Queries, caller: Caller, members: Sequence[Any]) -> list[JSON]:
    """The nodes of ``members`` with their scheme, employers and beneficiaries,
    loaded as Socle's DataLoaders load them: one statement per relation."""
    if not members:
        return []
    readable = _readable(caller)
    ids = [m["id"] for m in members]
    schemes = {s["id"]: s for s in await db.fetch(_SCHEMES_BY_ID, readable, list({m["scheme_id"] for m in members}))}
    beneficiaries = _grouped(await db.fetch(_BENEFICIARIES_OF, readable, ids), "member_id")
    employments = _grouped(await db.fetch(_EMPLOYMENTS_OF, readable, ids), "member_id")
    employer_ids = list({e["employer_id"] for rows in employments.values() for e in rows})
    employers = {e["id"]: e for e in await db.fetch(_EMPLOYERS_BY_ID, readable, employer_ids)} if employer_ids else {}
    nodes = []
    for member in members:
        scheme = schemes.get(member["scheme_id"])
        nodes.append(
            {
                "number": member["number"],
                "lastName": member["last_name"],
                "firstNames": member["first_names"],
                "status": _enum_name(MemberStatus, member["status"]),
                "scheme": {"code": scheme["code"]} if scheme else None,
                "employments": [
                    {
                        "employer": {"name": employers[e["employer_id"]]["name"]}
                        if e["employer_id"] in employers
                        else None
                    }
                    for e in employments.get(member["id"], [])
                ],
                "beneficiaries": [_beneficiary(b) for b in beneficiaries.get(member["id"], [])],
            }
        )
    return nodes


def _beneficiary(row: Any) -> JSON:
    return {
        "firstNames": row["first_names"],
        "lastName": row["last_name"],
        "relationship": _enum_name(Relationship, row["relationship"]),
        "birthDate": row["birth_date"].isoformat(),
    }


def _sample(values: Sequence[Any], i: int) -> Any:
    return values[i % len(values)]


# --- a page of 100 members ----------------------------------------------------

_PAGE_SIZE = 100

MEMBERS_PAGE_QUERY = f"""query MembersPage($first: Int!) {{
  members(first: $first) {{
    edges {{ node {{ {_MEMBER_NODE} }} }}
    pageInfo {{ hasNextPage }}
  }}
}}"""


async def _members_page(db: Queries, caller: Caller, variables: JSON) -> JSON:
    first = int(variables["first"])
    statement, args = list_statement(
        caller.tenant_id, MemberFilter(), _today(), caller.country, after=None, limit=first + 1
    )
    members = list(await db.fetch(statement, *args))
    nodes = await _member_nodes(db, caller, members[:first])
    return {"members": {"edges": [{"node": node} for node in nodes], "pageInfo": {"hasNextPage": len(members) > first}}}


MEMBERS_PAGE = Scenario(
    name="members_page",
    description="A page of 100 members with their beneficiaries, scheme and employer",
    query=MEMBERS_PAGE_QUERY,
    variables=lambda data, i: {"first": _PAGE_SIZE},
    answer=_members_page,
    rows=lambda data: _nodes(data, "members"),
    graphile=lambda data, i: (graphile.MEMBERS_PAGE, {"tenantId": str(data.largest.id), "first": _PAGE_SIZE}),
)


# --- one member by membership number -----------------------------------------

MEMBER_BY_NUMBER_QUERY = f"""query MemberByNumber($number: String!) {{
  memberByNumber(number: $number) {{ {_MEMBER_NODE} }}
}}"""


async def _member_by_number(db: Queries, caller: Caller, variables: JSON) -> JSON:
    found = await db.fetch(_MEMBER_BY_NUMBER, [caller.tenant_id], [str(variables["number"]).strip().upper()])
    nodes = await _member_nodes(db, caller, found)
    return {"memberByNumber": nodes[0] if nodes else None}


MEMBER_BY_NUMBER = Scenario(
    name="member_by_number",
    description="One member by membership number (point lookup)",
    query=MEMBER_BY_NUMBER_QUERY,
    variables=lambda data, i: {"number": _sample(data.sample_numbers, i)},
    answer=_member_by_number,
    rows=lambda data: _one(data, "memberByNumber"),
    graphile=lambda data, i: (
        graphile.MEMBER_BY_NUMBER,
        {"tenantId": str(data.largest.id), "number": _sample(data.sample_numbers, i)},
    ),
)


# --- member search by a name fragment ----------------------------------------

_SEARCH_SIZE = 20

MEMBER_SEARCH_QUERY = f"""query MemberSearch($search: String!, $first: Int!) {{
  members(first: $first, filter: {{search: $search}}) {{
    edges {{ node {{ {_MEMBER_NODE} }} }}
  }}
}}"""


async def _member_search(db: Queries, caller: Caller, variables: JSON) -> JSON:
    first = int(variables["first"])
    member_filter = MemberFilter(search=str(variables["search"]))
    statement, args = list_statement(
        caller.tenant_id, member_filter, _today(), caller.country, after=None, limit=first + 1
    )
    nodes = await _member_nodes(db, caller, (await db.fetch(statement, *args))[:first])
    return {"members": {"edges": [{"node": node} for node in nodes]}}


MEMBER_SEARCH = Scenario(
    name="member_search",
    description="Member search by a name fragment",
    query=MEMBER_SEARCH_QUERY,
    variables=lambda data, i: {"search": _sample(data.sample_name_fragments, i), "first": _SEARCH_SIZE},
    answer=_member_search,
    rows=lambda data: _nodes(data, "members"),
    graphile=lambda data, i: (
        graphile.MEMBER_SEARCH,
        {"fragment": _sample(data.sample_name_fragments, i), "first": _SEARCH_SIZE},
    ),
    note="PostGraphile's search is a SQL function of the bench (search.sql), not Socle's: the same rows here,"
    " its trigram index serving only the longest word",
)


# --- the household's eligibility on a date -----------------------------------

HOUSEHOLD_QUERY = """query HouseholdEligibility($number: String!, $on: Date!) {
  memberByNumber(number: $number) {
    number
    household(on: $on) {
      firstNames lastName relationship birthDate
      eligibility(on: $on) { eligible reason endsOn }
    }
  }
}"""


def _in_household(beneficiary: Any, on: date) -> bool:
    return bool(beneficiary["added_on"] <= on and (beneficiary["removed_on"] is None or on < beneficiary["removed_on"]))


def _eligibility(member: Any, household: list[Any], beneficiary: Any, version: Any, on: date) -> JSON:
    spouses = [b["id"] for b in household if b["relationship"] == Relationship.SPOUSE and _in_household(b, on)]
    found = dependent_eligibility(
        version.document.dependents,
        DependentFacts(
            relationship=Relationship(beneficiary["relationship"]),
            sex=Sex(beneficiary["sex"]),
            member_sex=Sex(member["sex"]),
            birth_date=beneficiary["birth_date"],
            birth_date_approximate=beneficiary["birth_date_approximate"],
            studying=beneficiary["studying"],
            spouse_rank=spouses.index(beneficiary["id"]) + 1 if beneficiary["id"] in spouses else None,
        ),
        on,
    )
    return {
        "eligible": found.eligible,
        "reason": found.reason.name if found.reason else None,
        "endsOn": found.ends_on.isoformat() if found.ends_on else None,
    }


async def _household(db: Queries, caller: Caller, variables: JSON) -> JSON:
    on = date.fromisoformat(str(variables["on"]))
    found = await db.fetch(_MEMBER_BY_NUMBER, [caller.tenant_id], [str(variables["number"]).strip().upper()])
    if not found:
        return {"memberByNumber": None}
    member = found[0]
    readable = _readable(caller)
    everyone = list(await db.fetch(_BENEFICIARIES_OF, readable, [member["id"]]))
    versions = [rule_version(row) for row in await db.fetch(_VERSIONS_IN_FORCE, readable, [member["scheme_id"]], on)]
    version = versions[0] if versions else None
    household = [
        {**_beneficiary(b), "eligibility": _eligibility(member, everyone, b, version, on) if version else None}
        for b in everyone
        if _in_household(b, on)
    ]
    return {"memberByNumber": {"number": member["number"], "household": household}}


def _household_rows(data: JSON) -> list[Row]:
    return [beneficiary for member in _one(data, "memberByNumber") for beneficiary in member["household"]]


HOUSEHOLD_ELIGIBILITY = Scenario(
    name="household_eligibility",
    description="The household of one member and each dependant's eligibility on a date",
    query=HOUSEHOLD_QUERY,
    variables=lambda data, i: {"number": _sample(data.sample_household_numbers, i), "on": data.day.isoformat()},
    answer=_household,
    rows=_household_rows,
    graphile=lambda data, i: (graphile.HOUSEHOLD, {"memberId": str(_sample(data.sample_household_ids, i))}),
    graphile_leaves_out=("eligibility",),
    note="PostGraphile reads the household only: the dependants' eligibility is computed by Socle and the"
    " baseline, not by it",
)


# --- member counts: a ministry across its tenants, and one tenant ------------

MEMBER_COUNTS_QUERY = """query MemberCounts {
  memberCounts { tenant { slug } members }
}"""

_COUNTS_NOTE = (
    "the baseline reads the same tallies with the tenants' slugs in one statement, Socle reads the"
    " tenants through its loader; PostGraphile counts the members' rows (totalCount)"
)


async def _member_counts(db: Queries, caller: Caller, variables: JSON) -> JSON:
    tenant_ids = sorted(caller.supervised) if caller.supervised else [caller.tenant_id]
    rows = await db.fetch(_MEMBER_COUNTS, tenant_ids)
    return {"memberCounts": [{"tenant": {"slug": r["slug"]}, "members": r["members"]} for r in rows]}


def _count_rows(data: JSON) -> list[Row]:
    # PostGraphile's shape (``graphile.MEMBER_COUNTS``), in its order.
    counts = [{"slug": entry["tenant"]["slug"], "totalCount": entry["members"]} for entry in data["memberCounts"]]
    return sorted(counts, key=lambda row: row["slug"])


MINISTRY_MEMBER_COUNTS = Scenario(
    name="ministry_member_counts",
    description="A ministry's member counts per supervised tenant",
    query=MEMBER_COUNTS_QUERY,
    variables=lambda data, i: {},
    answer=_member_counts,
    rows=_count_rows,
    graphile=lambda data, i: (graphile.MEMBER_COUNTS, {}),
    note=_COUNTS_NOTE + "; Socle also writes the ministry's read to its audit log, the baseline does not",
    signs_in_as=lambda data: (data.ministry_officer_email, None),
)

TENANT_MEMBER_COUNTS = Scenario(
    name="tenant_member_counts",
    description="The same member count read by one tenant",
    query=MEMBER_COUNTS_QUERY,
    variables=lambda data, i: {},
    answer=_member_counts,
    rows=_count_rows,
    graphile=lambda data, i: (graphile.MEMBER_COUNTS, {}),
    note=_COUNTS_NOTE,
)

SCENARIOS: tuple[Scenario, ...] = (
    MEMBERS_PAGE,
    MEMBER_BY_NUMBER,
    MEMBER_SEARCH,
    HOUSEHOLD_ELIGIBILITY,
    MINISTRY_MEMBER_COUNTS,
    TENANT_MEMBER_COUNTS,
)
"""Every scenario, in the report's order."""
