"""The benchmark's data set: a ministry and 20 tenants of Senegal with their
schemes, employers, accounts and members (:mod:`infra.bench.population`),
written with COPY as the schema owner, the same rows for the same seed.

The tables refuse, at commit, changes without an audit event in their
transaction. As the application does, every change here has its event
(``member.enrol`` per member, ``member.status_change`` per change...),
chained per tenant, and the load transaction says it is audited, as the
migrations' own bulk changes do.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from uuid import UUID

import asyncpg

from infra.bench.country import COUNTRY, DAY, LOADED_AT, MINISTRY_SLUG, email_of
from infra.bench.import_file import copy_import_rows, write_import_csv
from infra.bench.population import Generator
from infra.bench.rows import COLUMNS, Chain, Rows
from tenants.identity.passwords import hash_password
from tenants.roles import TenantKind

__all__ = ["BenchTenant", "Dataset", "copy_import_rows", "generate", "write_import_csv"]

PASSWORD = "Bench-Socle-2026"  # noqa: S105 (benchmark accounts on a throwaway database)
SAMPLES = 300
"""Membership numbers and member ids sampled from the largest tenant."""


@dataclass(frozen=True)
class BenchTenant:
    """A tenant of the data set, as the harness addresses it."""

    id: UUID
    slug: str
    name: str
    kind: TenantKind
    manager_email: str
    members: int
    scheme_code: str


@dataclass(frozen=True)
class Dataset:
    """What the harness needs to know of a generated data set to write its requests."""

    seed: int
    members: int
    ministry_id: UUID
    ministry_officer_email: str
    tenants: tuple[BenchTenant, ...]
    password: str
    sample_numbers: tuple[str, ...]
    """Membership numbers of the largest tenant."""
    sample_name_fragments: tuple[str, ...]
    """Fragments (3 letters or more) of names of the largest tenant's members, common and rare."""
    sample_member_ids: tuple[UUID, ...]
    """Members of the largest tenant."""
    sample_household_numbers: tuple[str, ...]
    """Membership numbers of the largest tenant's members with dependants on :attr:`day`."""
    sample_household_ids: tuple[UUID, ...]
    """The ids of the members of :attr:`sample_household_numbers`, in the same order."""
    day: date
    """The reference day, for eligibility."""

    @property
    def largest(self) -> BenchTenant:
        """The tenant with the most members, which the samples come from."""
        return max(self.tenants, key=lambda tenant: (tenant.members, tenant.slug))

    def to_json(self) -> str:
        """The data set's description as JSON (see :meth:`from_json`)."""
        return json.dumps(asdict(self), default=str, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Dataset:
        """A description written by :meth:`to_json`."""
        raw = json.loads(text)
        tenants = tuple(
            BenchTenant(**{**tenant, "id": UUID(tenant["id"]), "kind": TenantKind(tenant["kind"])})
            for tenant in raw["tenants"]
        )
        return cls(
            seed=raw["seed"],
            members=raw["members"],
            ministry_id=UUID(raw["ministry_id"]),
            ministry_officer_email=raw["ministry_officer_email"],
            tenants=tenants,
            password=raw["password"],
            sample_numbers=tuple(raw["sample_numbers"]),
            sample_name_fragments=tuple(raw["sample_name_fragments"]),
            sample_member_ids=tuple(UUID(value) for value in raw["sample_member_ids"]),
            sample_household_numbers=tuple(raw["sample_household_numbers"]),
            sample_household_ids=tuple(UUID(value) for value in raw["sample_household_ids"]),
            day=date.fromisoformat(raw["day"]),
        )


class _Samples:
    """What the harness asks the largest tenant for: numbers, ids, households
    with dependants and name fragments."""

    def __init__(self, members: int) -> None:
        self.every = max(1, members // SAMPLES)
        self.numbers: list[str] = []
        self.member_ids: list[UUID] = []
        self.household_numbers: list[str] = []
        self.household_ids: list[UUID] = []
        self.words: Counter[str] = Counter()

    def take(self, rows: Rows) -> None:
        # A member's dependants are in the same chunk; added on or before the
        # day, they are in the household then (none is removed).
        with_dependants = {row[2] for row in rows["beneficiaries"] if row[12] <= DAY}
        for row in rows["members"]:
            self.words.update(row[12].split())
            if row[5] % self.every == 0 and len(self.numbers) < SAMPLES:
                self.numbers.append(row[4])
                self.member_ids.append(row[0])
                if row[0] in with_dependants:
                    self.household_numbers.append(row[4])
                    self.household_ids.append(row[0])

    def fragments(self) -> tuple[str, ...]:
        """Parts of the most common and of the rarest words of the names, 3 letters or more."""
        ranked = [
            word for word, _ in sorted(self.words.items(), key=lambda item: (-item[1], item[0])) if len(word) >= 3
        ]
        chosen = ranked[:10] + ranked[-10:]
        picked = dict.fromkeys(word[:4] if len(word) > 4 and index % 2 else word for index, word in enumerate(chosen))
        return tuple(picked)


async def _copy(connection: asyncpg.Connection, rows: Rows) -> None:
    for table, records in rows.tables.items():
        if records:
            await connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])


async def _load(connection: asyncpg.Connection, rows: Rows) -> None:
    """Copy ``rows`` in one transaction that says its changes are audited (its
    events are among the rows), as the migrations' bulk changes do. Row-level
    security is forced on the owner too, and COPY refuses a table whose
    policies apply to it: like the migrations, the transaction lifts FORCE
    for itself and sets it back before it commits."""
    async with connection.transaction():
        await connection.execute("SELECT set_config('app.audited', 'on', true)")
        for table in COLUMNS:
            await connection.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        await _copy(connection, rows)
        # The audit checks are deferred to the commit, and a table with
        # pending checks cannot be altered: they run now.
        await connection.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in COLUMNS:
            await connection.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


async def _chain_heads(connection: asyncpg.Connection) -> dict[tuple[UUID | None, int], Chain]:
    """The heads of the chains already there (Socle's own events of the migrations)."""
    rows = await connection.fetch(
        "SELECT DISTINCT ON (tenant_id, chain) tenant_id, chain, seq, hash FROM audit_events"
        " ORDER BY tenant_id, chain, seq DESC"
    )
    return {
        (row["tenant_id"], row["chain"]): Chain(row["tenant_id"], row["chain"], row["seq"], row["hash"]) for row in rows
    }


async def _departments(connection: asyncpg.Connection) -> dict[str, list[str]]:
    """The country's departments by region, from the administrative divisions the migrations load."""
    rows = await connection.fetch(
        "SELECT parent_code, code FROM administrative_divisions WHERE country = $1 AND level = 'department'"
        " ORDER BY code",
        COUNTRY,
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["parent_code"], []).append(row["code"])
    return found


async def generate(owner_dsn: str, *, members: int = 100_000, seed: int = 2026) -> Dataset:
    """Fill a freshly migrated database with the benchmark's country: the
    ministry, its 20 tenants, ``members`` members with their households.
    The same seed gives the same rows, ids included (the password's hash
    aside, which is salted)."""
    connection = await asyncpg.connect(owner_dsn)
    try:
        generator = Generator(seed, members, await _departments(connection), await hash_password(PASSWORD))
        rows, ministry_id, tenants = generator.setup(await _chain_heads(connection))
        rows["audit_events"].extend(generator.events.take())
        await _load(connection, rows)
        largest = max(tenants, key=lambda tenant: tenant.members)
        samples = _Samples(largest.members)
        batch = 0
        for tenant in tenants:
            for chunk in generator.chunks(tenant, LOADED_AT + timedelta(seconds=batch)):
                chunk["audit_events"].extend(generator.events.take())
                if tenant is largest:
                    samples.take(chunk)
                await _load(connection, chunk)
                batch += 1
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return Dataset(
        seed=seed,
        members=members,
        ministry_id=ministry_id,
        ministry_officer_email=email_of("controle", MINISTRY_SLUG),
        tenants=tuple(
            BenchTenant(
                id=tenant.id,
                slug=tenant.spec.slug,
                name=tenant.spec.name,
                kind=tenant.spec.kind,
                manager_email=tenant.manager_email,
                members=tenant.members,
                scheme_code=tenant.spec.scheme.code,
            )
            for tenant in tenants
        ),
        password=PASSWORD,
        sample_numbers=tuple(samples.numbers),
        sample_name_fragments=samples.fragments(),
        sample_member_ids=tuple(samples.member_ids),
        sample_household_numbers=tuple(samples.household_numbers),
        sample_household_ids=tuple(samples.household_ids),
        day=DAY,
    )
