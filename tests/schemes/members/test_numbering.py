"""Membership numbers: the tenant's format, check digits from python-stdnum,
no gap and no repeat under concurrent enrolment."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from stdnum import luhn
from stdnum.iso7064 import mod_97_10
from strawberry.relay import to_base64

from schemes.members import enrolment
from schemes.members.numbering import NumberFormat
from schemes.members.tables import CheckDigit
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import ENROL, artisan, artisan_input, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

NUMBERING = "{ membershipNumbering { prefix width checkDigit issued example } }"
SET = """
mutation ($input: MembershipNumberingInput!) {
  membershipNumberingSet(input: $input) {
    __typename
    ... on MembershipNumbering { prefix width checkDigit issued example }
    ... on MembershipNumberingSetError { code path message }
  }
}
"""


@pytest.mark.parametrize(
    ("number_format", "numbers"),
    [
        (NumberFormat(prefix="", width=6, check_digit=CheckDigit.LUHN), ["0000018", "0000026", "0012344"]),
        (NumberFormat(prefix="MSA-", width=5, check_digit=CheckDigit.NONE), ["MSA-00001", "MSA-00002", "MSA-01234"]),
        (
            NumberFormat(prefix="IPM", width=4, check_digit=CheckDigit.ISO7064_MOD_97_10),
            ["IPM000195", "IPM000292", "IPM123482"],
        ),
    ],
)
def test_formats_and_check_digits(number_format: NumberFormat, numbers: list[str]) -> None:
    assert [number_format.number(sequence) for sequence in (1, 2, 1234)] == numbers
    assert all(number_format.is_valid(number) for number in numbers)
    altered = numbers[0][:-1] + str((int(numbers[0][-1]) + 1) % 10)
    assert number_format.is_valid(altered) is (number_format.check_digit is CheckDigit.NONE)


async def test_an_administrator_sets_the_format_before_the_first_number(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    admin = await token_for(client, tenant, Role.TENANT_ADMIN)
    body = await graphql(client, NUMBERING, token=admin)
    assert body["data"]["membershipNumbering"] == {
        "prefix": "",
        "width": 6,
        "checkDigit": "LUHN",
        "issued": 0,
        "example": "0000018",
    }
    wanted = {"prefix": "msa-", "width": 5, "checkDigit": "ISO7064_MOD_97_10"}
    body = await graphql(client, SET, token=admin, input=wanted)
    assert body["data"]["membershipNumberingSet"] == {
        "__typename": "MembershipNumbering",
        "prefix": "MSA-",
        "width": 5,
        "checkDigit": "ISO7064_MOD_97_10",
        "issued": 0,
        "example": "MSA-0000195",
    }
    member = await enrol(ctx, artisan(scheme))
    assert member.number == "MSA-0000195"
    body = await graphql(client, SET, token=admin, input={"prefix": "", "width": 6, "checkDigit": "LUHN"})
    assert body["data"]["membershipNumberingSet"] == {
        "__typename": "MembershipNumberingSetError",
        "code": "NUMBERING_IN_USE",
        "path": ["input"],
        "message": "1 numéros d'adhérent sont déjà attribués : leur format ne change plus.",
    }
    refused = await graphql(client, SET, token=admin, input={"prefix": "A B", "width": 6, "checkDigit": "LUHN"})
    assert refused["data"]["membershipNumberingSet"]["path"] == ["input", "prefix"]
    manager = await token_for(client, tenant, Role.MANAGER)
    forbidden = await graphql(client, NUMBERING, token=manager)
    assert forbidden["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


async def test_50_concurrent_enrolments_take_numbers_1_to_50(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = to_base64("Scheme", (await make_scheme(ctx)).id)
    token = await token_for(client, tenant, Role.AGENT)

    async def one() -> str:
        body = await graphql(client, ENROL, token=token, input=artisan_input(scheme))
        number: str = body["data"]["memberEnrol"]["member"]["number"]
        return number

    numbers = await asyncio.gather(*(one() for _ in range(50)))
    assert sorted(numbers) == [f"{n:06d}{luhn.calc_check_digit(f'{n:06d}')}" for n in range(1, 51)]
    assert all(luhn.is_valid(number) for number in numbers)


async def test_a_failed_enrolment_leaves_no_gap(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    token = await token_for(client, tenant, Role.AGENT)
    refused = await graphql(
        client, ENROL, token=token, input=artisan_input(to_base64("Scheme", scheme.id), phone="123")
    )
    assert refused["data"]["memberEnrol"]["code"] == "INVALID_PHONE"
    with pytest.raises(RuntimeError):
        async with tenant_tx(ctx) as tx:
            (outcome,) = await enrolment.enrol_many(tx, ctx, [artisan(scheme)], date.today())
            assert outcome.member is not None and outcome.member.number == "0000018"
            raise RuntimeError("the enrolment's transaction rolls back")
    member = await enrol(ctx, artisan(scheme))
    assert (member.sequence, member.number) == (1, "0000018")
    assert mod_97_10.is_valid("000001" + mod_97_10.calc_check_digits("000001"))
