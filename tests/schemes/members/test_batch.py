"""The offline batch: each enrolment answered in order (created, already
there, or all its errors under its index), a batch replayed or sent five
times at once over real sockets creating each member once, keys kept apart
between tenants, malformed batches refused whole, who may send one, and the
same statements for 1 enrolment as for 100."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from app.main import create_app
from app.settings import Settings
from schemes.members.numbering import DEFAULT_FORMAT
from tenants.permissions import permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, role_fits_tenant
from tests.conftest import StatementCounter
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, serve_over_tcp, token_for
from tests.partner_tokens import partner_token
from tests.schemes.members.factories import artisan_input, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

N = {n: DEFAULT_FORMAT.number(n) for n in range(1, 11)}
"""The first membership numbers of a tenant."""

BATCH = """
mutation ($input: MemberEnrolBatchInput!) {
  memberEnrolBatch(input: $input) {
    __typename
    ... on MemberEnrolBatch {
      items { index idempotencyKey status member { id number lastName } errors { code path message } }
    }
    ... on MemberEnrolBatchError { code path message }
  }
}
"""


async def _scheme(tenant: Tenant) -> str:
    return to_base64("Scheme", (await make_scheme(await context(tenant))).id)


def _enrolment(scheme: str, key: str, last_name: str = "Sène", **overrides: Any) -> dict[str, Any]:
    person = {"firstNames": "Awa", "lastName": last_name, "sex": "FEMALE", "birthDate": "1990-03-04"}
    return artisan_input(scheme, idempotencyKey=key, person=person, **overrides)


async def _send(client: httpx.AsyncClient, token: str, enrolments: list[dict[str, Any]], **options: Any) -> Any:
    body = await graphql(client, BATCH, token=token, input={"enrolments": enrolments}, **options)
    assert "errors" not in body, body
    return body["data"]["memberEnrolBatch"]


def _statuses(answer: dict[str, Any]) -> list[tuple[int, str, str, str | None]]:
    return [
        (item["index"], item["idempotencyKey"], item["status"], item["member"] and item["member"]["number"])
        for item in answer["items"]
    ]


async def _count(owner: asyncpg.Connection, tenant: Tenant) -> tuple[int, int, int]:
    row = await owner.fetchrow(
        "SELECT (SELECT count(*) FROM members WHERE tenant_id = $1),"
        " (SELECT count(*) FROM beneficiaries WHERE tenant_id = $1),"
        " (SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'member.enrol')",
        tenant.id,
    )
    return (row[0], row[1], row[2])


async def test_each_enrolment_is_answered_in_order_and_errors_stop_only_their_own(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    token = await token_for(client, tenant, Role.AGENT)
    wife = {
        "relationship": "SPOUSE",
        "person": {"firstNames": "Fatou", "lastName": "Ndiaye", "sex": "FEMALE", "birthYear": 1986},
    }
    enrolments = [
        _enrolment(scheme, "tab-07:0001", "Diop"),
        _enrolment(scheme, "tab-07:0002", "Faye", phone="12", artisan={"trade": "Potière"}),
        _enrolment(scheme, "tab-07:0003", "Ndiaye", beneficiaries=[wife]),
        _enrolment(to_base64("Scheme", "00000000-0000-0000-0000-000000000000"), "tab-07:0004", "Sarr"),
    ]
    answer = await _send(client, token, enrolments)
    assert _statuses(answer) == [
        (0, "tab-07:0001", "CREATED", N[1]),
        (1, "tab-07:0002", "REFUSED", None),
        (2, "tab-07:0003", "CREATED", N[2]),
        (3, "tab-07:0004", "REFUSED", None),
    ]
    assert [item["errors"] for item in answer["items"]] == [
        [],
        [
            {
                "code": "INVALID_PHONE",
                "path": ["input", "enrolments", "1", "phone"],
                "message": "« 12 » n'est pas un numéro de téléphone valide.",
            },
            {
                "code": "FIELD_REQUIRED",
                "path": ["input", "enrolments", "1", "artisan", "tradesRegisterNumber"],
                "message": "Le champ « N° au répertoire des métiers » est obligatoire pour la catégorie « artisan ».",
            },
            {
                "code": "FIELD_REQUIRED",
                "path": ["input", "enrolments", "1", "artisan", "chamberOfTrades"],
                "message": "Le champ « Chambre de métiers » est obligatoire pour la catégorie « artisan ».",
            },
        ],
        [],
        [
            {
                "code": "SCHEME_NOT_FOUND",
                "path": ["input", "enrolments", "3", "scheme"],
                "message": "Régime introuvable.",
            }
        ],
    ]
    english = await _send(client, token, [enrolments[3]], language="en")
    assert english["items"][0]["errors"] == [
        {"code": "SCHEME_NOT_FOUND", "path": ["input", "enrolments", "0", "scheme"], "message": "Scheme not found."}
    ]
    assert await _count(owner, tenant) == (2, 1, 2)


async def test_a_batch_sent_again_creates_nothing_twice(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    token = await token_for(client, tenant, Role.AGENT)
    enrolments = [_enrolment(scheme, f"tab-08:{n}", f"Diop{'x' * n}") for n in range(3)]
    enrolments.insert(1, _enrolment(scheme, "tab-08:bad", phone="12"))
    first = await _send(client, token, enrolments)
    # The link dropped before the answer: the phone sends the batch again, with one enrolment more.
    again = await _send(client, token, [*enrolments, _enrolment(scheme, "tab-08:new", "Gueye")])
    assert _statuses(first) == [
        (0, "tab-08:0", "CREATED", N[1]),
        (1, "tab-08:bad", "REFUSED", None),
        (2, "tab-08:1", "CREATED", N[2]),
        (3, "tab-08:2", "CREATED", N[3]),
    ]
    assert _statuses(again) == [
        (0, "tab-08:0", "ALREADY_THERE", N[1]),
        (1, "tab-08:bad", "REFUSED", None),
        (2, "tab-08:1", "ALREADY_THERE", N[2]),
        (3, "tab-08:2", "ALREADY_THERE", N[3]),
        (4, "tab-08:new", "CREATED", N[4]),
    ]
    assert [item["member"] for item in again["items"][:4]] == [item["member"] for item in first["items"]]
    assert await _count(owner, tenant) == (4, 0, 4)


async def test_a_batch_sent_five_times_at_once_creates_each_member_once(
    settings: Settings, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    enrolments = [_enrolment(scheme, f"tab-09:{n}", f"Fall{'e' * n}") for n in range(10)]
    async with serve_over_tcp(create_app(settings)) as origin, httpx.AsyncClient(base_url=origin) as client:
        token = await token_for(client, tenant, Role.AGENT)
        answers = await asyncio.gather(*(_send(client, token, enrolments) for _ in range(5)))
    statuses = [[item["status"] for item in answer["items"]] for answer in answers]
    # The batches wait for each other on the tenant's counter: one enrols, the others find its keys.
    assert sorted(statuses) == [["ALREADY_THERE"] * 10] * 4 + [["CREATED"] * 10]
    members = {tuple((item["member"]["id"], item["member"]["number"]) for item in a["items"]) for a in answers}
    assert len(members) == 1
    assert [number for _, number in next(iter(members))] == [N[n] for n in range(1, 11)]
    assert await _count(owner, tenant) == (10, 0, 10)


async def test_another_tenants_keys_do_not_collide(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenants = [await make_tenant(), await make_tenant()]
    answers = []
    for tenant in tenants:
        token = await token_for(client, tenant, Role.AGENT)
        answers.append(await _send(client, token, [_enrolment(await _scheme(tenant), "tab-10:0001")]))
    assert [_statuses(answer) for answer in answers] == [[(0, "tab-10:0001", "CREATED", N[1])]] * 2
    assert answers[0]["items"][0]["member"]["id"] != answers[1]["items"][0]["member"]["id"]
    assert [await _count(owner, tenant) for tenant in tenants] == [(1, 0, 1)] * 2


async def test_another_tenants_scheme_is_not_found(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    owner_tenant, other = await make_tenant(), await make_tenant()
    token = await token_for(client, other, Role.AGENT)
    answer = await _send(client, token, [_enrolment(await _scheme(owner_tenant), "tab-11:0001")])
    assert answer["items"][0]["errors"] == [
        {"code": "SCHEME_NOT_FOUND", "path": ["input", "enrolments", "0", "scheme"], "message": "Régime introuvable."}
    ]
    assert [await _count(owner, tenant) for tenant in (owner_tenant, other)] == [(0, 0, 0)] * 2


async def test_a_malformed_batch_is_refused_whole(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    token = await token_for(client, tenant, Role.AGENT)
    good = _enrolment(scheme, "tab-12:0001")
    cases = [
        (
            [_enrolment(scheme, f"tab-12:{n}") for n in range(101)],
            ("TOO_MANY", ["input", "enrolments"], "Trop d'éléments : 100 au plus."),
        ),
        (
            [good, _enrolment(scheme, "tab-12:0002"), {**good, "idempotencyKey": None}],
            (
                "IDEMPOTENCY_KEY_REQUIRED",
                ["input", "enrolments", "2", "idempotencyKey"],
                "Chaque enrôlement d'un lot porte sa clé d'idempotence.",
            ),
        ),
        (
            [good, _enrolment(scheme, "tab-12:0001", "Diallo")],
            (
                "IDEMPOTENCY_KEY_REUSED",
                ["input", "enrolments", "1", "idempotencyKey"],
                "Cette clé d'idempotence est déjà celle de l'enrôlement n° 0 du lot, dont le contenu diffère.",
            ),
        ),
    ]
    refusals = []
    for enrolments, _ in cases:
        answer = await _send(client, token, enrolments)
        refusals.append((answer["code"], answer["path"], answer["message"]))
    assert refusals == [expected for _, expected in cases]
    english = await _send(client, token, [{**good, "idempotencyKey": ""}], language="en")
    assert english["message"] == "Each enrolment of a batch carries its idempotency key."
    assert await _count(owner, tenant) == (0, 0, 0)
    # The same enrolment twice under its key is one enrolment, answered twice.
    twice = await _send(client, token, [good, good])
    assert _statuses(twice) == [
        (0, "tab-12:0001", "CREATED", N[1]),
        (1, "tab-12:0001", "ALREADY_THERE", N[1]),
    ]
    assert await _count(owner, tenant) == (1, 0, 1)


async def test_a_tenant_not_approved_cannot_send_a_batch(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    token = await token_for(client, tenant, Role.AGENT)
    await change_out_of_band(owner, "UPDATE tenants SET status = 'pending' WHERE id = $1", tenant.id)
    answer = await _send(client, token, [_enrolment(scheme, "tab-13:0001")])
    assert answer == {
        "__typename": "MemberEnrolBatchError",
        "code": "TENANT_NOT_APPROVED",
        "path": ["input"],
        "message": "Cette structure n'est pas agréée (statut : pending) : elle ne peut pas encore enrôler.",
    }
    assert await _count(owner, tenant) == (0, 0, 0)


async def _allowed(client: httpx.AsyncClient, token: str, scheme: str, key: str) -> bool:
    body = await graphql(client, BATCH, token=token, input={"enrolments": [_enrolment(scheme, key)]})
    if body.get("errors"):
        assert [error["extensions"] for error in body["errors"]] == [{"code": "FORBIDDEN"}], body
        return False
    assert body["data"]["memberEnrolBatch"]["items"][0]["status"] == "CREATED", body
    return True


async def test_role_and_scope_matrix(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    roles = [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)]
    by_role = {
        role.value: await _allowed(client, await token_for(client, tenant, role), scheme, f"role:{role.value}")
        for role in roles
    }
    assert by_role == {role.value: "enrolment:write" in permissions_of(role) for role in roles}
    scopes = [["members:read"], ["members:write"], ["enrolment:write"], ["schemes:read", "claims:read"]]
    by_scope = [
        await _allowed(client, await partner_token(client, tenant, given), scheme, f"scopes:{given}")
        for given in scopes
    ]
    assert by_scope == [False, False, True, False]


async def _statements(client: httpx.AsyncClient, statements: StatementCounter, size: int) -> int:
    tenant = await make_tenant()
    scheme = await _scheme(tenant)
    token = await token_for(client, tenant, Role.AGENT)
    wife = {
        "relationship": "SPOUSE",
        "person": {"firstNames": "Fatou", "lastName": "Ndiaye", "sex": "FEMALE", "birthYear": 1986},
    }
    enrolments = [_enrolment(scheme, f"tab-14:{n}", beneficiaries=[wife]) for n in range(size)]
    statements.statements.clear()
    answer = await _send(client, token, enrolments)
    assert [item["status"] for item in answer["items"]] == ["CREATED"] * size
    return len(statements.of_application())


async def test_same_statements_for_1_and_100_enrolments(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _statements(quiet_client, statements, 1)
    hundred = await _statements(quiet_client, statements, 100)
    assert (one, hundred) == (one, one)
    # The token's check (BEGIN with its settings, the check, COMMIT before the
    # mutation runs), then the batch's one transaction: its keys, schemes
    # documents and departments read once, one insert per table, three for the
    # audit events, one for the probable duplicates.
    assert one == 28
