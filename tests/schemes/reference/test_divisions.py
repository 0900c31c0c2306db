"""Administrative divisions: Senegal's regions (ISO 3166-2) and 46 departments,
the address check the members' rules use, the public query and the
operator's idempotent load."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.settings import Settings
from schemes.reference import service
from schemes.reference.errors import UnknownDepartment, UnknownRegion
from tenants.roles import Role, TenantKind
from tenants.tx import platform_tx, tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.partner_tokens import partner_token

pytestmark = pytest.mark.usefixtures("migrated")

QUERY = """
query ($country: String!, $parent: String) {
  administrativeDivisions(country: $country, parent: $parent) { code name level parentCode }
}
"""

SENEGAL = {
    "SN-DK": ["Dakar", "Guédiawaye", "Keur Massar", "Pikine", "Rufisque"],
    "SN-DB": ["Bambey", "Diourbel", "Mbacké"],
    "SN-FK": ["Fatick", "Foundiougne", "Gossas"],
    "SN-KA": ["Birkelane", "Kaffrine", "Koungheul", "Malem-Hodar"],
    "SN-KL": ["Guinguinéo", "Kaolack", "Nioro du Rip"],
    "SN-KE": ["Kédougou", "Salémata", "Saraya"],
    "SN-KD": ["Kolda", "Médina Yoro Foulah", "Vélingara"],
    "SN-LG": ["Kébémer", "Linguère", "Louga"],
    "SN-MT": ["Kanel", "Matam", "Ranérou-Ferlo"],
    "SN-SL": ["Dagana", "Podor", "Saint-Louis"],
    "SN-SE": ["Bounkiling", "Goudomp", "Sédhiou"],
    "SN-TC": ["Bakel", "Goudiry", "Koumpentoum", "Tambacounda"],
    "SN-TH": ["Mbour", "Thiès", "Tivaouane"],
    "SN-ZG": ["Bignona", "Oussouye", "Ziguinchor"],
}


async def test_senegal_has_14_regions_and_46_departments(client: httpx.AsyncClient) -> None:
    regions = (await graphql(client, QUERY, country="SN"))["data"]["administrativeDivisions"]
    assert [(r["code"], r["name"]) for r in regions] == [
        ("SN-DK", "Dakar"),
        ("SN-DB", "Diourbel"),
        ("SN-FK", "Fatick"),
        ("SN-KA", "Kaffrine"),
        ("SN-KL", "Kaolack"),
        ("SN-KD", "Kolda"),
        ("SN-KE", "Kédougou"),
        ("SN-LG", "Louga"),
        ("SN-MT", "Matam"),
        ("SN-SL", "Saint-Louis"),
        ("SN-SE", "Sédhiou"),
        ("SN-TC", "Tambacounda"),
        ("SN-TH", "Thiès"),
        ("SN-ZG", "Ziguinchor"),
    ]
    assert {(r["level"], r["parentCode"]) for r in regions} == {("region", None)}
    departments = {}
    for region in SENEGAL:
        found = (await graphql(client, QUERY, country="SN", parent=region))["data"]["administrativeDivisions"]
        assert {(d["level"], d["parentCode"]) for d in found} == {("department", region)}
        departments[region] = [d["name"] for d in found]
    assert departments == SENEGAL
    assert sum(len(names) for names in departments.values()) == 46


async def test_dakar_departments_with_their_codes(client: httpx.AsyncClient) -> None:
    found = (await graphql(client, QUERY, country="sn", parent="sn-dk"))["data"]["administrativeDivisions"]
    assert [(d["code"], d["name"]) for d in found] == [
        ("SN-DK-01", "Dakar"),
        ("SN-DK-02", "Guédiawaye"),
        ("SN-DK-05", "Keur Massar"),
        ("SN-DK-03", "Pikine"),
        ("SN-DK-04", "Rufisque"),
    ]


async def test_every_caller_reads_them(client: httpx.AsyncClient) -> None:
    """Public reference data: an agent, a partner application with any scope, a member, anyone."""
    mutual = await make_tenant()
    callers = [
        await token_for(client, mutual, Role.AGENT),
        await token_for(client, mutual, Role.MEMBER),
        await partner_token(client, mutual, ["eligibility:read"]),
        None,
    ]
    for token in callers:
        body = await graphql(client, QUERY, token=token, country="SN", parent="SN-ZG")
        assert [d["name"] for d in body["data"]["administrativeDivisions"]] == ["Bignona", "Oussouye", "Ziguinchor"]


async def test_unknown_country_or_parent_lists_nothing(client: httpx.AsyncClient) -> None:
    assert (await graphql(client, QUERY, country="XX"))["data"] == {"administrativeDivisions": []}
    assert (await graphql(client, QUERY, country="SN", parent="SN-XX"))["data"] == {"administrativeDivisions": []}


class TestAddressCheck:
    async def test_a_department_of_its_region(self) -> None:
        async with platform_tx() as tx:
            assert await service.check_address(tx, "SN", " sn-dk ", "sn-dk-05") == ("SN-DK", "SN-DK-05")
            assert await service.check_address(tx, "SN", "SN-TH", None) == ("SN-TH", None)
            assert await service.check_address(tx, "SN", None, "") == (None, None)
            named = [
                await service.check_address(tx, "SN", r, d) for r, d in (("SN-TH", " THIES "), ("SN-SL", "saint louis"))
            ]
            assert named == [("SN-TH", "SN-TH-02"), ("SN-SL", "SN-SL-03")]

    @pytest.mark.parametrize(
        ("region", "department", "error", "path", "params"),
        [
            ("SN-XX", None, UnknownRegion, ("input", "address", "region"), {"region": "SN-XX", "country": "SN"}),
            ("CI-AB", None, UnknownRegion, ("input", "address", "region"), {"region": "CI-AB", "country": "SN"}),
            (
                "SN-TH",
                "SN-DK-01",
                UnknownDepartment,
                ("input", "address", "department"),
                {"department": "SN-DK-01", "region": "SN-TH"},
            ),
            (
                None,
                "SN-DK-01",
                UnknownDepartment,
                ("input", "address", "department"),
                {"department": "SN-DK-01", "region": "-"},
            ),
        ],
    )
    async def test_wrong_fields_are_named(
        self, region: str | None, department: str | None, error: type[Exception], path: tuple[str, ...], params: object
    ) -> None:
        ctx = await context(await make_tenant(kind=TenantKind.MUTUAL), Role.AGENT)
        async with tenant_tx(ctx) as tx:
            with pytest.raises(error) as raised:
                await service.check_address(tx, "SN", region, department)
        assert (raised.value.path, raised.value.params) == (path, params)  # type: ignore[attr-defined]


async def test_tenants_cannot_write_divisions() -> None:
    ctx = await context(await make_tenant(), Role.TENANT_ADMIN)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(ctx) as tx:
            await tx.connection.execute(
                "INSERT INTO administrative_divisions VALUES ('SN-DK-99', 'SN', 'SN-DK', 'department', 'Intrus')"
            )
    async with tenant_tx(ctx) as tx:
        renamed = await tx.connection.execute("UPDATE administrative_divisions SET name = 'Pris'")
    assert renamed == "UPDATE 0"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(ctx) as tx:
            await tx.connection.execute("DELETE FROM administrative_divisions")


def _socle(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    assert settings.database_url
    env = {
        **os.environ,
        "SOCLE_ENV": "test",
        "SOCLE_DATABASE_URL": settings.database_url,
        "SOCLE_SECRET_KEY": "t" * 40,
        "SOCLE_DATA_DIR": str(settings.data_dir),
        "SOCLE_LOG_LEVEL": "ERROR",
    }
    command = [sys.executable, "-c", "from app.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


async def test_operators_load_divisions_again_and_again(
    settings: Settings, tmp_path: Path, owner: asyncpg.Connection
) -> None:
    communes = tmp_path / "communes.csv"
    communes.write_text(
        "code,country,parent_code,level,name\n"
        "SN-ZG-03-01,SN,SN-ZG-03,commune,Ziguinchor\n"
        "SN-ZG-03-02,SN,SN-ZG-03,commune,Niaguis\n"
        "SN-ZG-02,SN,SN-ZG,department,Oussouye\n",
        encoding="utf-8",
    )
    try:
        first = await asyncio.to_thread(_socle, settings, "reference", "load", str(communes))
        assert (first.returncode, first.stdout, first.stderr) == (
            0,
            "socle: 2 divisions added, 0 changed, 1 unchanged\n",
            "",
        )
        again = await asyncio.to_thread(_socle, settings, "reference", "load", str(communes))
        assert (again.returncode, again.stdout) == (0, "socle: 0 divisions added, 0 changed, 3 unchanged\n")
        communes.write_text(
            "code,country,parent_code,level,name\nSN-ZG-03-02,SN,SN-ZG-03,commune,Niaguiss\n", encoding="utf-8"
        )
        renamed = await asyncio.to_thread(_socle, settings, "reference", "load", str(communes))
        assert (renamed.returncode, renamed.stdout) == (0, "socle: 0 divisions added, 1 changed, 0 unchanged\n")
        rows = await owner.fetch(
            "SELECT code, name FROM administrative_divisions WHERE parent_code = 'SN-ZG-03' ORDER BY code"
        )
        assert [tuple(row) for row in rows] == [("SN-ZG-03-01", "Ziguinchor"), ("SN-ZG-03-02", "Niaguiss")]
        loads = await owner.fetch(
            "SELECT summary FROM audit_events WHERE action = 'reference.divisions_load' ORDER BY occurred_at"
        )
        assert [row["summary"] for row in loads][-2:] == [
            '{"added": "2", "changed": "0"}',
            '{"added": "0", "changed": "1"}',
        ]

        communes.write_text("code,country,parent_code,level,name\nSN-ZG-04,SN,SN-XX,department,Nulle part\n")
        wrong = await asyncio.to_thread(_socle, settings, "reference", "load", str(communes))
        assert (wrong.returncode, wrong.stdout, wrong.stderr) == (
            1,
            "",
            "socle: parent_code: Ligne 2, colonne parent_code : « SN-XX » ne convient pas (colonnes attendues : "
            "code,country,parent_code,level,name ; niveaux : department, arrondissement, commune).\n",
        )
    finally:
        async with owner.transaction():
            await owner.execute("SELECT set_config('app.audited', 'on', true)")
            await owner.execute("DELETE FROM administrative_divisions WHERE parent_code = 'SN-ZG-03'")
