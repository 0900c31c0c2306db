"""Row-level security's cost: each scenario's statements under EXPLAIN
ANALYZE, as the application role inside a tenant transaction (RLS on) and as
the owner (the embedded server's superuser, which RLS does not apply to),
in the same run. The figure is the sum of the statements' execution times,
the median of a few repetitions."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from infra.bench.scenarios import JSON, Caller, Scenario
from tenants.tx import SET_CONTEXT


class _Explaining:
    """A :class:`infra.bench.scenarios.Queries` that explains each statement
    before running it (the scenario needs its rows for the next one)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.milliseconds = 0.0

    async def fetch(self, statement: str, *args: Any) -> Sequence[Any]:
        plan = await self.connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", *args)
        self.milliseconds += float(_plan(plan)["Execution Time"])
        rows: list[Any] = await self.connection.fetch(statement, *args)
        return rows


def _plan(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = (json.loads(value) if isinstance(value, str) else value)[0]
    return found


@dataclass(frozen=True)
class RlsCost:
    """A scenario's statements with and without row-level security."""

    with_rls_ms: float
    without_rls_ms: float

    @property
    def ratio(self) -> float:
        """With over without."""
        return self.with_rls_ms / self.without_rls_ms if self.without_rls_ms else 0.0


async def _once(url: str, scenario: Scenario, caller: Caller, variables: JSON, *, rls: bool) -> float:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            if rls:
                supervised = "{" + ",".join(sorted(str(i) for i in caller.supervised)) + "}"
                await connection.execute(
                    SET_CONTEXT, str(caller.tenant_id), supervised if caller.supervised else "", str(caller.user_id), ""
                )
            explaining = _Explaining(connection)
            await scenario.answer(explaining, caller, variables)
            return explaining.milliseconds
    finally:
        await connection.close()


async def rls_cost(
    app_url: str, owner_url: str, scenario: Scenario, caller: Caller, variables: JSON, *, repeat: int = 5
) -> RlsCost:
    """The median execution time of the scenario's statements, both ways, interleaved."""
    with_rls, without = [], []
    for _ in range(repeat):
        with_rls.append(await _once(app_url, scenario, caller, variables, rls=True))
        without.append(await _once(owner_url, scenario, caller, variables, rls=False))
    return RlsCost(with_rls_ms=statistics.median(with_rls), without_rls_ms=statistics.median(without))
