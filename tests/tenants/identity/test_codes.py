"""Members sign in with a code sent by SMS: short-lived, single use, few attempts."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

from tenants.identity.tables import User
from tenants.roles import Role
from tests.factories import change_out_of_band, make_tenant, make_user
from tests.graphql_client import graphql
from tests.jobs import jobs_done
from tests.messages import last_code, sent

pytestmark = pytest.mark.usefixtures("migrated")

REQUEST = """
mutation ($phone: String!) {
  signInCodeRequest(input: {phone: $phone}) {
    __typename
    ... on SignInCodeRequested { phone expiresInSeconds }
    ... on SignInCodeRequestError { code path message }
  }
}
"""
VERIFY = """
mutation ($phone: String!, $code: String!) {
  sessionCreateWithCode(input: {phone: $phone, code: $code}) {
    __typename
    ... on SessionTokens { accessToken }
    ... on SessionCreateWithCodeError { code path message }
  }
}
"""
INVALID = {
    "__typename": "SessionCreateWithCodeError",
    "code": "INVALID_CODE",
    "path": ["input", "code"],
    "message": "Code incorrect ou expiré : demandez-en un nouveau.",
}


@pytest.fixture
async def member() -> User:
    phone = f"+22177{abs(hash(object())) % 10**7:07d}"
    return await make_user(await make_tenant(), Role.MEMBER, phone=phone)


async def _code(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, phone: str) -> str:
    body = await graphql(client, REQUEST, phone=phone)
    await jobs_done()
    assert body["data"]["signInCodeRequest"] == {
        "__typename": "SignInCodeRequested",
        "phone": phone,
        "expiresInSeconds": 300,
    }
    return last_code(caplog, phone)


async def test_code_signs_the_member_in_once(
    client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert member.phone
    code = await _code(client, caplog, member.phone)
    assert sent(caplog, "sms.sent")[-1]["text"] == (
        f"Socle : votre code de connexion est {code}. Il expire dans 5 minutes. Ne le communiquez à personne."
    )
    body = await graphql(client, VERIFY, phone=member.phone, code=code)
    token = body["data"]["sessionCreateWithCode"]["accessToken"]
    assert (await graphql(client, "{ viewer { role } }", token=token)) == {"data": {"viewer": {"role": "MEMBER"}}}
    again = await graphql(client, VERIFY, phone=member.phone, code=code)
    assert again["data"]["sessionCreateWithCode"] == INVALID


async def test_attempts_are_limited(client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert member.phone
    code = await _code(client, caplog, member.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        body = await graphql(client, VERIFY, phone=member.phone, code=wrong)
        assert body["data"]["sessionCreateWithCode"] == INVALID
    body = await graphql(client, VERIFY, phone=member.phone, code=code)
    assert body["data"]["sessionCreateWithCode"] == INVALID


async def test_codes_asked_and_wrong_codes_are_recorded(
    client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
) -> None:
    caplog.set_level(logging.INFO)
    assert member.phone
    code = await _code(client, caplog, member.phone)
    await graphql(client, VERIFY, phone=member.phone, code="000000" if code != "000000" else "111111")
    rows = await owner.fetch(
        "SELECT action, summary FROM audit_events WHERE tenant_id IS NULL AND summary->>'phone' = $1"
        " ORDER BY occurred_at, seq",
        member.phone,
    )
    assert [(row["action"], json.loads(row["summary"])) for row in rows] == [
        ("user.create", {"phone": member.phone}),
        ("sign_in_code.request", {"phone": member.phone}),
        ("sign_in_code.create", {"phone": member.phone}),
        ("session.create_refused", {"phone": member.phone, "reason": "auth.INVALID_CODE"}),
    ]


async def test_expired_code(
    client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
) -> None:
    caplog.set_level(logging.INFO)
    assert member.phone
    code = await _code(client, caplog, member.phone)
    await change_out_of_band(
        owner, "UPDATE one_time_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1", member.id
    )
    body = await graphql(client, VERIFY, phone=member.phone, code=code)
    assert body["data"]["sessionCreateWithCode"] == INVALID


async def test_unknown_number_looks_the_same_and_no_sms_leaves(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = await graphql(client, REQUEST, phone="+221 70 000 00 01")
    assert body["data"]["signInCodeRequest"] == {
        "__typename": "SignInCodeRequested",
        "phone": "+221700000001",
        "expiresInSeconds": 300,
    }
    await jobs_done()
    assert sent(caplog, "sms.sent") == []


async def test_codes_per_phone_are_limited(
    client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert member.phone
    await asyncio.gather(*(graphql(client, REQUEST, phone=member.phone) for _ in range(6)))
    await jobs_done()
    assert len(sent(caplog, "sms.sent")) == 3


async def test_not_a_phone_number(client: httpx.AsyncClient) -> None:
    body = await graphql(client, REQUEST, phone="personne@test.socle.sn")
    assert body["data"]["signInCodeRequest"] == {
        "__typename": "SignInCodeRequestError",
        "code": "INVALID_IDENTIFIER",
        "path": ["input", "phone"],
        "message": "Saisissez une adresse e-mail ou un numéro de téléphone au format international (+221…).",
    }


def _numbers(count: int) -> list[str]:
    start = secrets.randbelow(10**7 - count)
    return [f"+22178{start + n:07d}" for n in range(count)]


def _codes_of(bodies: list[dict[str, Any]], field: str) -> Counter[str]:
    return Counter(body["data"][field].get("code", body["data"][field]["__typename"]) for body in bodies)


class TestLimits:
    async def test_forty_wrong_codes_at_once_are_ten_checked(
        self, client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
    ) -> None:
        caplog.set_level(logging.INFO)
        assert member.phone
        code = await _code(client, caplog, member.phone)
        wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 41)]
        bodies = await asyncio.gather(*(graphql(client, VERIFY, phone=member.phone, code=guess) for guess in wrong))
        refusals = await owner.fetch(
            "SELECT summary->>'reason' AS reason, count(*) AS n FROM audit_events"
            " WHERE action = 'session.create_refused' AND summary->>'phone' = $1 GROUP BY 1",
            member.phone,
        )
        assert _codes_of(bodies, "sessionCreateWithCode") == {"INVALID_CODE": 10, "TOO_MANY_ATTEMPTS": 30}
        assert {row["reason"]: row["n"] for row in refusals} == {"auth.INVALID_CODE": 10, "auth.TOO_MANY_ATTEMPTS": 30}
        locked = await graphql(client, VERIFY, language="en", phone=member.phone, code=code)
        assert locked["data"]["sessionCreateWithCode"] == {
            "__typename": "SessionCreateWithCodeError",
            "code": "TOO_MANY_ATTEMPTS",
            "path": ["input", "phone"],
            "message": "Too many sign-in attempts. Try again in 60 minute(s).",
        }

    async def test_a_hundred_and_twenty_wrong_codes_at_once_from_one_address_are_fifty_checked(
        self, client: httpx.AsyncClient
    ) -> None:
        bodies = await asyncio.gather(*(graphql(client, VERIFY, phone=phone, code="123456") for phone in _numbers(120)))
        assert _codes_of(bodies, "sessionCreateWithCode") == {"INVALID_CODE": 50, "TOO_MANY_ATTEMPTS": 70}

    async def test_requests_per_number_are_limited_whether_an_account_has_it_or_not(
        self, client: httpx.AsyncClient, member: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        assert member.phone
        for phone in (member.phone, _numbers(1)[0]):
            bodies = await asyncio.gather(*(graphql(client, REQUEST, phone=phone) for _ in range(15)))
            assert _codes_of(bodies, "signInCodeRequest") == {"SignInCodeRequested": 10, "TOO_MANY_REQUESTS": 5}
            refused = await graphql(client, REQUEST, phone=phone)
            assert refused["data"]["signInCodeRequest"] == {
                "__typename": "SignInCodeRequestError",
                "code": "TOO_MANY_REQUESTS",
                "path": ["input", "phone"],
                "message": "Trop de demandes. Réessayez dans 60 minute(s).",
            }
        await jobs_done()
        assert len(sent(caplog, "sms.sent")) == 3

    async def test_requests_per_address_are_limited(self, client: httpx.AsyncClient) -> None:
        bodies = await asyncio.gather(*(graphql(client, REQUEST, phone=phone) for phone in _numbers(60)))
        assert _codes_of(bodies, "signInCodeRequest") == {"SignInCodeRequested": 50, "TOO_MANY_REQUESTS": 10}
