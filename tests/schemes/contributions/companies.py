"""Builders for the employers' declarations: an IPM, a building company
and its employees, with their staff numbers and salaries."""

from __future__ import annotations

from datetime import date

from schemes.employers import service as employer_service
from schemes.employers.tables import Employer
from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import ContractKind, Member
from schemes.rules import service as scheme_service
from schemes.rules.model import MemberCategory, Sex
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.schemes.contributions.ledger_check import gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone
from tests.schemes.rules.documents import IPM

SALARIES = (
    ("SDBTP-0001", Sex.FEMALE, "Awa", "Ndiaye", 180_006),
    ("SDBTP-0002", Sex.MALE, "Ibrahima", "Fall", 250_000),
    ("SDBTP-0003", Sex.FEMALE, "Khady", "Sarr", 600_000),
)
"""Awa Ndiaye's 15 % is 27,001 (13,501 by the employer, who takes the odd
franc, 13,500 withheld); Ibrahima Fall is at the ceiling; Khady Sarr's
600,000 counts as 250,000."""


class Company:
    """An IPM tenant, its scheme under the IPM rule, a building company and its three employees."""

    def __init__(self, tenant: Tenant, ctx: TenantContext, scheme: Scheme, employer: Employer, staff: list[Member]):
        self.tenant, self.ctx, self.scheme, self.employer, self.staff = tenant, ctx, scheme, employer, staff

    @property
    def employer_id(self) -> str:
        return gid("Employer", self.employer.id)


async def make_company(tenant: Tenant | None = None) -> Company:
    """An IPM tenant (or ``tenant``), its scheme under the IPM rule from 2020,
    the Société des BTP du Cap-Vert and its three employees of :data:`SALARIES`."""
    tenant = tenant or await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx, categories=(MemberCategory.SALARIED,), effective_from=None)
    async with tenant_tx(ctx) as tx:
        await scheme_service.create_version(
            tx, ctx, scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2020, 1, 1), document=IPM)
        )
        employer = await employer_service.create_employer(
            tx,
            ctx,
            employer_service.EmployerData(name="Société des BTP du Cap-Vert", registration_number="3067221"),
        )
    staff = []
    for staff_number, sex, first_names, last_name, salary in SALARIES:
        job = enrolment.Job(
            employer_id=employer.id, contract_kind=ContractKind.PERMANENT, staff_number=staff_number, salary=salary
        )
        person = ids.Person(
            first_names=first_names, last_name=last_name, sex=sex, birth_date=date(1988, 3, 9), nationality="SN"
        )
        data = artisan(
            scheme, category=MemberCategory.SALARIED, artisan=None, jobs=(job,), person=person, phone=unique_phone()
        )
        staff.append(await enrol(ctx, data, today=date(2020, 1, 1)))
    return Company(tenant, ctx, scheme, employer, staff)
