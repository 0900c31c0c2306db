"""The employers' declarations' benchmark: the manager of the IPM employer
with the most employees files last month's declaration of all of them (at
most the lines a declaration holds) through Socle's API, then corrects it
with every salary raised, then sends the correction again (a client's retry);
each timed from request to answer.

The bench's database is kept between runs: when last month is declared
already, the first filing is a correction of the one in force, as large.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from strawberry.relay import to_base64

from infra.bench import client
from infra.bench.dataset import Dataset
from schemes.contributions.declarations import MAX_LINES

_EMPLOYEES = """
SELECT e.tenant_id, e.employer_id, m.scheme_id, e.staff_number, e.salary
FROM member_employments e JOIN members m ON m.tenant_id = e.tenant_id AND m.id = e.member_id
WHERE e.employer_id = (
  SELECT e2.employer_id FROM member_employments e2
  JOIN members m2 ON m2.tenant_id = e2.tenant_id AND m2.id = e2.member_id
  WHERE e2.staff_number IS NOT NULL AND e2.salary > 0 AND e2.ended_on IS NULL AND m2.status <> 'terminated'
  AND (e2.started_on IS NULL OR e2.started_on <= $2)
  GROUP BY e2.employer_id ORDER BY count(*) DESC, e2.employer_id LIMIT 1
) AND e.staff_number IS NOT NULL AND e.salary > 0 AND e.ended_on IS NULL AND m.status <> 'terminated'
AND (e.started_on IS NULL OR e.started_on <= $2)
ORDER BY e.staff_number LIMIT $1
"""
_IN_FORCE = """query BenchDeclarationInForce($employer: ID!, $period: String!) {
  employerDeclarations(first: 1, filter: {employer: $employer, period: $period, inForce: true}) {
    edges { node { id } }
  }
}"""
_FILE = """mutation BenchDeclarationFile($input: EmployerDeclarationFileInput!) {
  employerDeclarationFile(input: $input) {
    __typename
    ... on EmployerDeclarationFiling { alreadyFiled declaration { id version employees amount } }
    ... on EmployerDeclarationFileError { code path message }
  }
}"""


@dataclass(frozen=True)
class DeclarationRun:
    """One filing: its step, the declaration's version and lines, and how long it took."""

    step: str
    version: int
    lines: int
    amount: int
    seconds: float
    lines_per_second: float


async def _employees(owner_url: str, period_end: date) -> list[Any]:
    """The staff numbers and salaries of the employer with the most employees at ``period_end``."""
    connection = await asyncpg.connect(owner_url)
    try:
        return list(await connection.fetch(_EMPLOYEES, MAX_LINES, period_end))
    finally:
        await connection.close()


def _post(socle_url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        socle_url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=600,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()["data"]
    return data


def _file(socle_url: str, token: str, step: str, given: dict[str, Any]) -> tuple[DeclarationRun, str]:
    started = time.perf_counter()
    answer = _post(socle_url, token, _FILE, {"input": given})["employerDeclarationFile"]
    seconds = time.perf_counter() - started
    if answer["__typename"] != "EmployerDeclarationFiling":
        raise RuntimeError(f"the declaration's {step} was refused: {answer}")
    declaration = answer["declaration"]
    lines = len(given["lines"])
    run = DeclarationRun(step, declaration["version"], lines, declaration["amount"], seconds, lines / seconds)
    return run, declaration["id"]


def benchmark(owner_url: str, socle_url: str, data: Dataset, today: date) -> dict[str, Any] | None:
    """File, correct and replay last month's declaration of the largest
    employer; None when the data set has no employee with a staff number."""
    period_end = today.replace(day=1) - timedelta(days=1)
    employees = asyncio.run(_employees(owner_url, period_end))
    if not employees:
        return None
    tenant_id: UUID = employees[0]["tenant_id"]
    tenant = next(tenant for tenant in data.tenants if tenant.id == tenant_id)
    token = client.sign_in(socle_url, tenant.manager_email, data.password)
    employer = to_base64("Employer", str(employees[0]["employer_id"]))
    period = f"{period_end.year}-{period_end.month:02d}"
    in_force = _post(socle_url, token, _IN_FORCE, {"employer": employer, "period": period})
    edges = in_force["employerDeclarations"]["edges"]
    lines = [{"staffNumber": row["staff_number"], "salary": int(row["salary"])} for row in employees]
    base: dict[str, Any] = {
        "employer": employer,
        "scheme": to_base64("Scheme", str(employees[0]["scheme_id"])),
        "period": period,
        "lines": lines,
        "idempotencyKey": str(uuid4()),
        "replaces": edges[0]["node"]["id"] if edges else None,
        "note": "Déclaration de la paie du mois" if edges else "",
    }
    filed, declaration_id = _file(socle_url, token, "declaration", base)
    raised = [{**line, "salary": line["salary"] * 102 // 100} for line in lines]
    correction = {
        **base,
        "lines": raised,
        "idempotencyKey": str(uuid4()),
        "replaces": declaration_id,
        "note": "Augmentation de 2 %",
    }
    corrected, _ = _file(socle_url, token, "correction", correction)
    replayed, _ = _file(socle_url, token, "replay", correction)
    return {
        "tenant": tenant.slug,
        "period": period,
        "runs": [asdict(run) for run in (filed, corrected, replayed)],
    }
