"""An employer's employees: the members with an employment at it not ended
on the day of the list, through the register's `employer` filter; another
employer's, an ended employment and another tenant's employer left out."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory, Sex
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import artisan, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

EMPLOYEES = """
query ($employer: ID!) {
  members(first: 20, filter: {employer: $employer}) { totalCount edges { node { firstNames lastName } } }
}
"""


async def test_an_employers_employees_are_the_members_working_for_it_today(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant(kind=TenantKind.IPM)
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        sococim = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sococim Industries", registration_number="3067221")
        )
        sonatel = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sonatel", registration_number="0045874 2V2")
        )

    async def employee(first: str, last: str, employer_id: UUID) -> None:
        person = ids.Person(first_names=first, last_name=last, sex=Sex.FEMALE, birth_date=date(1988, 4, 2))
        job = enrolment.Job(
            employer_id=employer_id, contract_kind=ContractKind.PERMANENT, staff_number=last[:3], salary=185_000
        )
        await enrol(
            ctx, artisan(scheme, person=person, phone=None, category=MemberCategory.SALARIED, artisan=None, jobs=(job,))
        )

    await employee("Khadija", "Diallo", sococim.id)
    await employee("Ndèye", "Faye", sococim.id)
    await employee("Rokhaya", "Gaye", sococim.id)
    await employee("Seynabou", "Kane", sonatel.id)
    # Rokhaya Gaye left Sococim yesterday.
    await change_out_of_band(
        owner,
        "UPDATE member_employments SET ended_on = current_date - 1 WHERE tenant_id = $1 AND staff_number = 'Gay'",
        tenant.id,
    )
    token = await token_for(client, tenant, Role.MANAGER)
    other = await make_tenant()
    intruder = await token_for(client, other, Role.MANAGER)

    found = await graphql(client, EMPLOYEES, token=token, employer=to_base64("Employer", sococim.id))
    not_an_employer = await graphql(client, EMPLOYEES, token=token, employer=to_base64("Scheme", scheme.id))
    elsewhere = await graphql(client, EMPLOYEES, token=intruder, employer=to_base64("Employer", sococim.id))

    assert found["data"]["members"] == {
        "totalCount": 2,
        "edges": [
            {"node": {"firstNames": "Khadija", "lastName": "Diallo"}},
            {"node": {"firstNames": "Ndèye", "lastName": "Faye"}},
        ],
    }
    assert not_an_employer["data"]["members"] == {"totalCount": 0, "edges": []}
    assert elsewhere["data"]["members"] == {"totalCount": 0, "edges": []}
