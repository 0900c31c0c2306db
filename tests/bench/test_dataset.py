"""The benchmark's data set: exact counts, the same rows for the same seed,
and data the public API works with (sign-in, list, find, search, enrol)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from infra.bench.dataset import BenchTenant, Dataset, copy_import_rows, generate, write_import_csv
from infra.bench.rows import COLUMNS
from schemes.imports.members import COLUMNS as IMPORT_COLUMNS
from schemes.members.numbering import NumberFormat

# Aliased so that pytest does not take it for a test class.
from tests.conftest import TestDatabase as Database

MEMBERS, SEED = 400, 7


def _on(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _environment(target: Database, **settings: str) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("SOCLE_")}
    return {
        **inherited,
        "SOCLE_DATABASE_URL": target.app_url,
        "SOCLE_DATABASE_OWNER_URL": target.owner_url,
        **settings,
    }


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the data set wrote, but the password's salted hash."""
    connection = await asyncpg.connect(url)
    try:
        found = {}
        for table, columns in COLUMNS.items():
            kept = ", ".join(column for column in columns if column != "password_hash")
            found[table] = [tuple(row) for row in await connection.fetch(f"SELECT {kept} FROM {table} ORDER BY id")]
        return found
    finally:
        await connection.close()


@dataclass(frozen=True)
class Generated:
    dataset: Dataset
    again: Dataset
    target: Database
    rows: dict[str, list[tuple[Any, ...]]]
    rows_again: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
async def generated(database: Database) -> AsyncIterator[Generated]:
    """Two fresh databases, copies of one migrated by ``socle migrate``,
    each given the data set of the same seed."""
    suffix = secrets.token_hex(4)
    template, first, second = (f"bench_{name}_{suffix}" for name in ("template", "first", "second"))
    await _execute(database.owner_url, f'CREATE DATABASE "{template}"')
    try:
        migrated = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "app", "migrate"],
            env=_environment(Database(_on(database.owner_url, template), _on(database.app_url, template))),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrated.returncode == 0, migrated.stderr
        for name in (first, second):
            await _execute(database.owner_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        targets = [Database(_on(database.owner_url, name), _on(database.app_url, name)) for name in (first, second)]
        datasets = [await generate(target.owner_url, members=MEMBERS, seed=SEED) for target in targets]
        yield Generated(
            dataset=datasets[0],
            again=datasets[1],
            target=targets[0],
            rows=await _snapshot(targets[0].owner_url),
            rows_again=await _snapshot(targets[1].owner_url),
        )
    finally:
        for name in (first, second, template):
            await _execute(database.owner_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_counts(generated: Generated) -> None:
    dataset, rows = generated.dataset, generated.rows
    assert {table: len(found) for table, found in rows.items()} == {
        "tenants": 21,
        "users": 21,
        "memberships": 21,
        "schemes": 20,
        "scheme_rule_versions": 34,
        "employers": 85,
        "membership_numberings": 20,
        "members": MEMBERS,
        "beneficiaries": 610,
        "identity_documents": 473,
        "member_employments": 212,
        "member_status_changes": 812,
        "audit_events": 1054,
    }
    assert (len(dataset.tenants), sum(tenant.members for tenant in dataset.tenants)) == (20, MEMBERS)
    largest = dataset.largest
    assert (largest.slug, largest.members, len(dataset.sample_numbers)) == ("artisans-senegal", 81, 81)
    assert all(len(fragment) >= 3 for fragment in dataset.sample_name_fragments)


async def test_the_same_seed_gives_the_same_rows(generated: Generated) -> None:
    assert generated.rows == generated.rows_again
    assert generated.dataset == generated.again
    assert Dataset.from_json(generated.dataset.to_json()) == generated.dataset


async def test_the_audit_chains_verify(generated: Generated) -> None:
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app", "audit", "verify"],
        env=_environment(generated.target),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``socle serve`` over the first database; its origin."""
    folder, port = tmp_path_factory.mktemp("bench-serve"), _free_port()
    environment = _environment(
        generated.target,
        SOCLE_ENV="test",
        SOCLE_HTTP_PORT=str(port),
        SOCLE_DATA_DIR=str(folder),
        SOCLE_STORAGE_URL=f"file://{folder}/storage",
        SOCLE_SECRET_KEY="b" * 40,
        SOCLE_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen([sys.executable, "-m", "app", "serve"], env=environment)
    origin = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert process.poll() is None, "socle serve stopped"
            try:
                if httpx.get(f"{origin}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            subprocess.run(["sleep", "0.1"], check=True)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _graphql(client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


SIGN_IN = """
mutation ($identifier: String!, $password: String!) {
  sessionCreate(input: {identifier: $identifier, password: $password}) {
    __typename ... on SessionTokens { accessToken }
  }
}
"""
MEMBERS_QUERY = """
query ($filter: MemberFilter, $first: Int) {
  members(filter: $filter, first: $first) {
    totalCount edges { node { id number lastName beneficiaries { relationship } scheme { id code } } }
  }
}
"""
ENROL = """
mutation ($input: MemberEnrolInput!) {
  memberEnrol(input: $input) {
    __typename ... on MemberEnrolment { member { number } } ... on MemberEnrolError { code path }
  }
}
"""


async def _token(client: httpx.AsyncClient, email: str, password: str) -> str:
    data = await _graphql(client, SIGN_IN, identifier=email, password=password)
    assert data["sessionCreate"]["__typename"] == "SessionTokens", data
    token: str = data["sessionCreate"]["accessToken"]
    return token


async def _count_named(url: str, tenant: BenchTenant, fragment: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM members WHERE tenant_id = $1 AND normalized_name LIKE $2", tenant.id, f"%{fragment}%"
        )
        return count
    finally:
        await connection.close()


async def test_the_api_works_on_the_data_set(generated: Generated, served: str) -> None:
    dataset = generated.dataset
    largest, other = dataset.largest, next(t for t in dataset.tenants if t.slug == "cmu-dakar")
    async with httpx.AsyncClient(base_url=served, timeout=30) as client:
        token = await _token(client, largest.manager_email, dataset.password)
        page = (await _graphql(client, MEMBERS_QUERY, token, first=100))["members"]
        assert (page["totalCount"], len(page["edges"])) == (largest.members, largest.members)
        number = dataset.sample_numbers[17]
        found = (await _graphql(client, MEMBERS_QUERY, token, filter={"search": number}))["members"]
        assert [edge["node"]["number"] for edge in found["edges"]] == [number]
        fragment = dataset.sample_name_fragments[0]
        named = (await _graphql(client, MEMBERS_QUERY, token, filter={"search": fragment}, first=1))["members"]
        assert named["totalCount"] == await _count_named(generated.target.owner_url, largest, fragment) > 0
        scheme = page["edges"][0]["node"]["scheme"]["id"]
        enrolment = {
            "scheme": scheme,
            "category": "ARTISAN",
            "person": {"firstNames": "Awa", "lastName": "Sène", "sex": "FEMALE", "birthDate": "1990-03-04"},
            "address": {"region": "SN-TH", "department": "Mbour"},
            "documents": [{"kind": "NATIONAL_ID_CARD", "number": "2999999999999", "issuingCountry": "SN"}],
            "artisan": {"trade": "Coiffeuse", "tradesRegisterNumber": "RM-TH-2021-0107", "chamberOfTrades": "Thiès"},
        }
        enrolled = (await _graphql(client, ENROL, token, input=enrolment))["memberEnrol"]
        next_number = NumberFormat(prefix="MSA", width=7).number(largest.members + 1)
        assert enrolled == {"__typename": "MemberEnrolment", "member": {"number": next_number}}
        stranger = await _token(client, other.manager_email, dataset.password)
        seen = (await _graphql(client, MEMBERS_QUERY, stranger, filter={"search": next_number}))["members"]
        assert (seen["totalCount"], seen["edges"]) == (0, [])
        theirs = (await _graphql(client, MEMBERS_QUERY, stranger, first=1))["members"]
        assert theirs["totalCount"] == other.members


async def test_the_import_file(generated: Generated, tmp_path: Path) -> None:
    path = tmp_path / "artisans.csv"
    write_import_csv(path, 250, seed=SEED, tenant=generated.dataset.largest)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert (len(lines), lines[0].split(";")) == (251, [column.header for column in IMPORT_COLUMNS])
    copied = await copy_import_rows(generated.target.owner_url, path)
    assert copied.rows == 250


async def test_the_household_samples_have_dependants_on_the_day(generated: Generated) -> None:
    dataset = generated.dataset
    connection = await asyncpg.connect(generated.target.owner_url)
    try:
        with_dependants = await connection.fetch(
            "SELECT m.number, m.id FROM members m WHERE m.tenant_id = $1 AND m.number = ANY($2::text[])"
            " AND EXISTS (SELECT 1 FROM beneficiaries b WHERE b.member_id = m.id AND b.added_on <= $3"
            " AND (b.removed_on IS NULL OR $3 < b.removed_on)) ORDER BY m.sequence",
            dataset.largest.id,
            list(dataset.sample_numbers),
            dataset.day,
        )
    finally:
        await connection.close()
    assert [(row["number"], row["id"]) for row in with_dependants] == list(
        zip(dataset.sample_household_numbers, dataset.sample_household_ids, strict=True)
    )
    assert 0 < len(dataset.sample_household_numbers) < len(dataset.sample_numbers)
