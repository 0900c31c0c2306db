"""The review of probable duplicates over GraphQL: the pending pairs with
both members, a pair closed as not duplicate, a merge (the household moves
to the member kept, the other is terminated as a duplicate, its other pairs
move too), typed errors in both languages, one decision per pair even when
sent twice at once, another tenant's pairs not found, the role and scope
matrix, row-level security alone and constant statements per page."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory, Relationship, Sex
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.partner_tokens import partner_token
from tests.schemes.duplicates.factories import person
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

PAIR = """id matchedOn similarity status reason decidedBy
  first { number firstNames lastName } second { number firstNames lastName } kept { number }"""
DUPLICATES = "query ($after: String) { duplicates(after: $after) { totalCount edges { node { " + PAIR + " } } } }"
RESOLVE = (
    "mutation ($input: DuplicateResolveInput!) { duplicateResolve(input: $input) { __typename"
    " ... on DuplicatePair { " + PAIR + " } ... on DuplicateResolveError { code path message } } }"
)
NODE = "query ($id: ID!) { node(id: $id) { ... on DuplicatePair { status } } }"
AFFILIATIONS = "{ doubleAffiliations { totalCount edges { node { lastName } } } }"
MEMBER = """query ($id: ID!) { member(id: $id) {
  number status documents { number } beneficiaries { firstNames } employments { staffNumber }
  statusHistory { toStatus reason mergedInto { number } } } }"""
STATUS = """mutation ($input: MemberStatusChangeInput!) { memberStatusChange(input: $input) {
  __typename ... on MemberStatusChangeError { code path } } }"""


def _child(first_names: str) -> enrolment.NewBeneficiary:
    return enrolment.NewBeneficiary(
        relationship=Relationship.CHILD,
        person=ids.Person(
            first_names=first_names, last_name="Ndiaye", sex=Sex.FEMALE, birth_date=date(2015, 2, 2), nationality="SN"
        ),
    )


@pytest.fixture
async def review(client: httpx.AsyncClient, owner: asyncpg.Connection) -> dict[str, Any]:
    """Mamadou Ndiaye enrolled twice (the same day of birth; the second
    record with a phone, a child, an employment and a file), and a namesake
    born another year with that phone: pairs (kept, merged) and (merged, namesake)."""
    country = fresh_country()
    tenant = await make_tenant(country=country)
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        employer = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Menuiserie Touba", registration_number="BJ-7")
        )
    async with tenant_tx(ctx) as tx:
        (kept,) = await enrolment.enrol_many(tx, ctx, [person(scheme, "Mamadou", "Ndiaye")], date(2025, 1, 6))
    async with tenant_tx(ctx) as tx:
        (merged,) = await enrolment.enrol_many(
            tx,
            ctx,
            [
                person(
                    scheme,
                    "NDIAYE",
                    "Mamadou",
                    phone="+221771112233",
                    beneficiaries=(_child("Awa"),),
                    category=MemberCategory.PRECARIOUS_WORKER,
                    artisan=None,
                    jobs=(enrolment.Job(employer_id=employer.id, contract_kind=ContractKind.DAY, sector="Bois"),),
                )
            ],
            date(2025, 2, 3),
        )
    async with tenant_tx(ctx) as tx:
        (namesake,) = await enrolment.enrol_many(
            tx,
            ctx,
            [person(scheme, "Mamadou", "Ndiaye", birth_date=date(1990, 1, 9), phone="+221771112233")],
            date(2025, 2, 4),
        )
    assert kept.member and merged.member and namesake.member
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.audited', 'on', true)")
        await owner.execute(
            "INSERT INTO documents (id, tenant_id, member_id, kind, content_type, size, status, created_at)"
            " VALUES (gen_random_uuid(), $1, $2, 'photo', 'image/jpeg', 2048, 'pending', now())",
            tenant.id,
            merged.member.id,
        )
    pairs = await owner.fetch(
        "SELECT id, first_member_id, second_member_id FROM duplicate_pairs WHERE tenant_id = $1 ORDER BY created_at",
        tenant.id,
    )
    by_members = {frozenset((row["first_member_id"], row["second_member_id"])): row["id"] for row in pairs}
    return {
        "tenant": tenant,
        "country": country,
        "token": await token_for(client, tenant, Role.MANAGER),
        "kept": kept.member,
        "merged": merged.member,
        "namesake": namesake.member,
        "pair": to_base64("DuplicatePair", by_members[frozenset((kept.member.id, merged.member.id))]),
        "other_pair": to_base64("DuplicatePair", by_members[frozenset((merged.member.id, namesake.member.id))]),
        "count": len(pairs),
    }


def _view(member: Any) -> dict[str, Any]:
    return {"number": member.number, "firstNames": member.first_names, "lastName": member.last_name}


def _pair_view(h: dict[str, Any], a: Any, b: Any, **values: Any) -> dict[str, Any]:
    first, second = sorted((a, b), key=lambda member: member.id)
    return {
        "first": _view(first),
        "second": _view(second),
        "kept": None,
        "reason": None,
        "decidedBy": None,
        "status": "PENDING",
        "similarity": 1.0,
        **values,
    }


async def test_pending_pairs_with_both_members_and_what_matched(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    h = review
    body = await graphql(client, DUPLICATES, token=h["token"])
    listed = body["data"]["duplicates"]
    assert listed["totalCount"] == 2 == h["count"]
    assert nodes(listed) == [
        {"id": h["pair"], "matchedOn": ["NAME_BIRTH_DATE"], **_pair_view(h, h["kept"], h["merged"])},
        {"id": h["other_pair"], "matchedOn": ["NAME_PHONE"], **_pair_view(h, h["merged"], h["namesake"])},
    ]


async def test_not_duplicate_closes_the_pair_with_its_reason_once(
    client: httpx.AsyncClient, review: dict[str, Any], owner: asyncpg.Connection
) -> None:
    h = review
    decision = {"id": h["other_pair"], "decision": "NOT_DUPLICATE", "reason": "  Homonymes : pères différents. "}
    answer = (await graphql(client, RESOLVE, token=h["token"], input=decision))["data"]["duplicateResolve"]
    assert answer == {
        "__typename": "DuplicatePair",
        "id": h["other_pair"],
        "matchedOn": ["NAME_PHONE"],
        **_pair_view(
            h,
            h["merged"],
            h["namesake"],
            status="NOT_DUPLICATE",
            reason="Homonymes : pères différents.",
            decidedBy=answer["decidedBy"],
        ),
    }
    assert answer["decidedBy"] == f"manager {h['tenant'].slug}"
    again = (await graphql(client, RESOLVE, token=h["token"], input=decision))["data"]["duplicateResolve"]
    assert again == {
        "__typename": "DuplicateResolveError",
        "code": "PAIR_ALREADY_DECIDED",
        "path": ["input", "id"],
        "message": "Ce doublon probable a déjà été tranché.",
    }
    listed = (await graphql(client, DUPLICATES, token=h["token"]))["data"]["duplicates"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == [h["pair"]]
    events = await owner.fetch(
        "SELECT action, summary->>'reason' FROM audit_events WHERE tenant_id = $1 AND action LIKE 'duplicate.%'",
        h["tenant"].id,
    )
    assert [tuple(event) for event in events] == [("duplicate.not_duplicate", "Homonymes : pères différents.")]


async def test_a_duplicate_merges_into_the_member_kept(
    client: httpx.AsyncClient, review: dict[str, Any], owner: asyncpg.Connection
) -> None:
    h = review
    kept, merged, namesake = h["kept"], h["merged"], h["namesake"]
    decision = {"id": h["pair"], "decision": "DUPLICATE", "keep": to_base64("Member", kept.id), "reason": "Même CNI"}
    answer = (await graphql(client, RESOLVE, token=h["token"], input=decision))["data"]["duplicateResolve"]
    assert (answer["status"], answer["kept"], answer["reason"]) == ("DUPLICATE", {"number": kept.number}, "Même CNI")
    read = {
        name: (await graphql(client, MEMBER, token=h["token"], id=to_base64("Member", member.id)))["data"]["member"]
        for name, member in (("kept", kept), ("merged", merged))
    }
    documents = await owner.fetch(
        "SELECT member_id FROM identity_documents WHERE tenant_id = $1 AND member_id = ANY($2) ORDER BY created_at",
        h["tenant"].id,
        [kept.id, merged.id],
    )
    assert read == {
        "kept": {
            "number": kept.number,
            "status": "PENDING",
            "documents": read["kept"]["documents"],
            "beneficiaries": [{"firstNames": "Awa"}],
            "employments": [{"staffNumber": None}],
            "statusHistory": [{"toStatus": "PENDING", "reason": None, "mergedInto": None}],
        },
        "merged": {
            "number": merged.number,
            "status": "TERMINATED",
            "documents": [],
            "beneficiaries": [],
            "employments": [],
            "statusHistory": [
                {"toStatus": "PENDING", "reason": None, "mergedInto": None},
                {"toStatus": "TERMINATED", "reason": "DUPLICATE", "mergedInto": {"number": kept.number}},
            ],
        },
    }
    assert len(read["kept"]["documents"]) == 2 == len(documents)
    assert {row["member_id"] for row in documents} == {kept.id}
    files = await owner.fetchval("SELECT count(*) FROM documents WHERE member_id = $1", kept.id)
    assert files == 1
    listed = nodes((await graphql(client, DUPLICATES, token=h["token"]))["data"]["duplicates"])
    assert [(node["matchedOn"], node["first"], node["second"]) for node in listed] == [
        (["NAME_PHONE"], *(_view(m) for m in sorted((kept, namesake), key=lambda m: m.id)))
    ]
    statuses = await owner.fetch(
        "SELECT status, count(*) FROM duplicate_pairs WHERE tenant_id = $1 GROUP BY status ORDER BY status",
        h["tenant"].id,
    )
    assert [tuple(row) for row in statuses] == [("duplicate", 1), ("pending", 1), ("superseded", 1)]
    events = await owner.fetch(
        "SELECT action, summary FROM audit_events WHERE tenant_id = $1 AND action IN"
        " ('duplicate.merge', 'member.status_change') ORDER BY seq",
        h["tenant"].id,
    )
    assert [(event["action"], json.loads(event["summary"])) for event in events] == [
        (
            "duplicate.merge",
            {
                "kept": kept.number,
                "merged": merged.number,
                "reason": "Même CNI",
                "beneficiaries": "1",
                "identity_documents": "1",
                "employments": "1",
                "documents": "1",
                "superseded_pairs": "1",
            },
        ),
        (
            "member.status_change",
            {
                "number": merged.number,
                "from_status": "pending",
                "to_status": "terminated",
                "effective_on": datetime.now(UTC).date().isoformat(),
                "reason": "duplicate",
                "merged_into": kept.number,
            },
        ),
    ]
    reinstated = await graphql(
        client, STATUS, token=h["token"], input={"id": to_base64("Member", merged.id), "status": "ACTIVE"}
    )
    assert reinstated["data"]["memberStatusChange"] == {
        "__typename": "MemberStatusChangeError",
        "code": "ILLEGAL_TRANSITION",
        "path": ["input", "status"],
    }


async def test_refused_decisions_name_the_field_in_either_language(
    client: httpx.AsyncClient, review: dict[str, Any], owner: asyncpg.Connection
) -> None:
    h = review
    namesake = to_base64("Member", h["namesake"].id)
    kept = to_base64("Member", h["kept"].id)
    cases = [
        ({"id": h["pair"], "decision": "DUPLICATE"}, "KEEP_REQUIRED", "keep"),
        ({"id": h["pair"], "decision": "DUPLICATE", "keep": namesake}, "KEEP_NOT_IN_PAIR", "keep"),
        ({"id": h["pair"], "decision": "NOT_DUPLICATE", "keep": kept, "reason": "x"}, "KEEP_NOT_ALLOWED", "keep"),
        ({"id": h["pair"], "decision": "NOT_DUPLICATE", "reason": "   "}, "REASON_REQUIRED", "reason"),
        ({"id": h["pair"], "decision": "NOT_DUPLICATE", "reason": "x" * 501}, "REASON_TOO_LONG", "reason"),
        ({"id": kept, "decision": "NOT_DUPLICATE", "reason": "x"}, "PAIR_NOT_FOUND", "id"),
    ]
    found = [
        (await graphql(client, RESOLVE, token=h["token"], input=given))["data"]["duplicateResolve"]
        for given, _, _ in cases
    ]
    assert [(answer["code"], answer["path"]) for answer in found] == [
        (code, ["input", name]) for _, code, name in cases
    ]
    english = await graphql(client, RESOLVE, token=h["token"], language="en", input=cases[0][0])
    assert english["data"]["duplicateResolve"]["message"] == (
        "Name the member to keep: the other is merged into them, then terminated."
    )
    assert found[0]["message"] == "Indiquez l'adhérent à conserver : l'autre lui est rattaché puis radié."
    by_hand = await graphql(
        client,
        STATUS,
        token=h["token"],
        input={"id": kept, "status": "TERMINATED", "reason": "DUPLICATE"},
    )
    assert by_hand["data"]["memberStatusChange"] == {
        "__typename": "MemberStatusChangeError",
        "code": "DUPLICATE_BY_REVIEW_ONLY",
        "path": ["input", "reason"],
    }
    assert (
        await owner.fetchval(
            "SELECT count(*) FROM duplicate_pairs WHERE tenant_id = $1 AND status = 'pending'", h["tenant"].id
        )
        == 2
    )


async def test_a_pair_decided_twice_at_once_is_decided_once(
    client: httpx.AsyncClient, review: dict[str, Any], owner: asyncpg.Connection
) -> None:
    h = review
    merge = {"id": h["pair"], "decision": "DUPLICATE", "keep": to_base64("Member", h["kept"].id)}
    close = {"id": h["pair"], "decision": "NOT_DUPLICATE", "reason": "Deux personnes"}
    answers = await asyncio.gather(
        *(graphql(client, RESOLVE, token=h["token"], input=decision) for decision in (merge, close, merge, close))
    )
    kinds = sorted(answer["data"]["duplicateResolve"]["__typename"] for answer in answers)
    assert kinds == ["DuplicatePair", *["DuplicateResolveError"] * 3]
    codes = {answer["data"]["duplicateResolve"].get("code") for answer in answers}
    assert codes == {None, "PAIR_ALREADY_DECIDED"}
    events = await owner.fetchval(
        "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('duplicate.merge', 'duplicate.not_duplicate')",
        h["tenant"].id,
    )
    terminated = await owner.fetchval(
        "SELECT count(*) FROM member_status_changes WHERE tenant_id = $1 AND reason = 'duplicate'", h["tenant"].id
    )
    (winner,) = [
        answer["data"]["duplicateResolve"] for answer in answers if "code" not in answer["data"]["duplicateResolve"]
    ]
    assert (events, terminated) == (1, 1 if winner["status"] == "DUPLICATE" else 0)


async def test_another_tenants_pairs_are_not_found_and_not_changed(
    client: httpx.AsyncClient, review: dict[str, Any], owner: asyncpg.Connection
) -> None:
    h = review
    other = await make_tenant(country=h["country"])
    token = await token_for(client, other, Role.MANAGER)
    reads = [
        (await graphql(client, DUPLICATES, token=token))["data"],
        (await graphql(client, NODE, token=token, id=h["pair"]))["data"],
    ]
    assert reads == [{"duplicates": {"totalCount": 0, "edges": []}}, {"node": None}]
    decisions = [
        {"id": h["pair"], "decision": "NOT_DUPLICATE", "reason": "x"},
        {"id": h["pair"], "decision": "DUPLICATE", "keep": to_base64("Member", h["kept"].id)},
    ]
    answers = [
        (await graphql(client, RESOLVE, token=token, input=decision))["data"]["duplicateResolve"]
        for decision in decisions
    ]
    assert [(answer["code"], answer["path"]) for answer in answers] == [("PAIR_NOT_FOUND", ["input", "id"])] * 2
    assert (
        await owner.fetchval(
            "SELECT count(*) FROM duplicate_pairs WHERE tenant_id = $1 AND status = 'pending'", h["tenant"].id
        )
        == 2
    )
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=h["country"])
    officer = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    assert (await graphql(client, NODE, token=officer, id=h["pair"]))["data"] == {"node": None}
    assert (await graphql(client, DUPLICATES, token=officer))["data"]["duplicates"]["totalCount"] == 0


def _operations(h: dict[str, Any]) -> dict[str, tuple[Permission, str, dict[str, Any]]]:
    return {
        "duplicates": (Permission.MEMBERS_READ, DUPLICATES, {}),
        "duplicateResolve": (
            Permission.MEMBERS_WRITE,
            RESOLVE,
            {"input": {"id": h["other_pair"], "decision": "NOT_DUPLICATE", "reason": "Homonymes"}},
        ),
        "doubleAffiliations": (Permission.OVERSIGHT_READ, AFFILIATIONS, {}),
    }


async def _matrix(client: httpx.AsyncClient, token: str, h: dict[str, Any], granted: frozenset[Permission]) -> None:
    answers = {}
    for name, (_, query, variables) in _operations(h).items():
        body = await graphql(client, query, token=token, **variables)
        refusals = [error["extensions"] for error in body.get("errors", [])]
        assert refusals in ([], [{"code": "FORBIDDEN"}]), body
        answers[name] = "FORBIDDEN" if refusals else "allowed"
    expected = {name: "allowed" if p in granted else "FORBIDDEN" for name, (p, _, _) in _operations(h).items()}
    assert answers == expected


@pytest.mark.parametrize("role", [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)])
async def test_role_matrix(client: httpx.AsyncClient, review: dict[str, Any], role: Role) -> None:
    token = await token_for(client, review["tenant"], role)
    await _matrix(client, token, review, permissions_of(role))


@pytest.mark.parametrize("role", [Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER])
async def test_ministry_roles(client: httpx.AsyncClient, review: dict[str, Any], role: Role) -> None:
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=review["country"])
    token = await token_for(client, ministry, role)
    await _matrix(client, token, review, permissions_of(role))


@pytest.mark.parametrize(
    "scopes", [["members:read"], ["members:write"], ["enrolment:write"], ["schemes:read", "claims:read"]], ids=str
)
async def test_partner_scopes(client: httpx.AsyncClient, review: dict[str, Any], scopes: list[str]) -> None:
    token = await partner_token(client, review["tenant"], scopes)
    granted = {Permission(scope) for scope in scopes}
    if Permission.MEMBERS_WRITE in granted:
        granted.add(Permission.MEMBERS_READ)
    await _matrix(client, token, review, frozenset(granted))


async def test_row_level_security_alone(review: dict[str, Any], owner: asyncpg.Connection) -> None:
    """Raw SQL without any tenant filter: another tenant's pairs stay invisible and unwritable."""
    h = review
    other = await context(await make_tenant(country=h["country"]))
    async with tenant_tx(other) as tx:
        seen = await tx.connection.fetchval("SELECT count(*) FROM duplicate_pairs")
        changed = await tx.connection.execute("UPDATE duplicate_pairs SET status = 'not_duplicate', reason = 'x'")
        removed = await tx.connection.execute("DELETE FROM duplicate_pairs")
    assert (seen, changed, removed) == (0, "UPDATE 0", "DELETE 0")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(other) as tx:
            await tx.connection.execute(
                "INSERT INTO duplicate_pairs (id, tenant_id, first_member_id, second_member_id, same_birth_date,"
                " same_phone, similarity, status, decided_by_name, created_at)"
                " VALUES (gen_random_uuid(), $1, $2, $3, true, false, 1, 'pending', '', now())",
                h["tenant"].id,
                min(h["kept"].id, h["namesake"].id),
                max(h["kept"].id, h["namesake"].id),
            )
    assert await owner.fetchval("SELECT count(*) FROM duplicate_pairs WHERE tenant_id = $1", h["tenant"].id) == 2


async def _page_statements(client: httpx.AsyncClient, statements: StatementCounter, pairs: int) -> int:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    batch = [
        person(scheme, name, "Faye", birth_date=date(1960 + i, 3, 3))
        for i in range(pairs)
        for name in (f"Ibrahima{'x' * i}", f"Ibrahima{'x' * i}")
    ]
    async with tenant_tx(ctx) as tx:
        await enrolment.enrol_many(tx, ctx, batch, date(2025, 1, 1))
    token = await token_for(client, tenant, Role.MANAGER)
    statements.statements.clear()
    body = await graphql(client, DUPLICATES, token=token)
    assert body["data"]["duplicates"]["totalCount"] == pairs
    return len(statements.statements)


async def test_a_page_costs_the_same_statements_for_1_and_20_pairs(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    assert await _page_statements(client, statements, 1) == await _page_statements(client, statements, 20)
