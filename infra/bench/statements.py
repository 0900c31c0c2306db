"""SQL statements per request, counted exactly by ``pg_stat_statements``.

The bench's server preloads the extension (:mod:`infra.bench.stack`). The
count is the growth of ``calls`` of every statement the application role
ran while Socle alone answered ``n`` requests one after the other (the
baseline and PostGraphile idle, Socle's periodic outbox sweep off), divided
by ``n``. Utility statements count (``BEGIN``, ``COMMIT``). Some statements
share a round trip: asyncpg's default reset of a connection given back to
its pool is four statements in one (the baseline keeps it; Socle has none),
and Socle opens a request's transaction with ``BEGIN`` and its settings in
one simple-protocol query (``tenants.tx._Scope.begin``, recorded as its own
``SELECT set_config(...)`` text, without the leading line break of the
parameterised one). Round trips are the statements less three per reset
and one per such opening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

_CALLS = """
SELECT coalesce(sum(s.calls), 0)::bigint AS statements,
       coalesce(sum(s.calls) FILTER (WHERE s.query = 'CLOSE ALL'), 0)::bigint AS resets,
       coalesce(sum(s.calls) FILTER (WHERE s.query LIKE 'SELECT set_config(%'), 0)::bigint AS openings
FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
WHERE r.rolname = $1
"""


@dataclass(frozen=True)
class StatementCount:
    """Statements and round trips per request."""

    statements: float
    round_trips: float


async def _calls(owner_url: str, role: str) -> tuple[int, int, int]:
    connection = await asyncpg.connect(owner_url)
    try:
        row = await connection.fetchrow(_CALLS, role)
    finally:
        await connection.close()
    return int(row["statements"]), int(row["resets"]), int(row["openings"])


async def count(owner_url: str, role: str, send: Callable[[], object], n: int) -> StatementCount:
    """The statements ``send`` (one request, run ``n`` times) costs ``role``."""
    send()  # once first, so that type introspection and prepared statements are not counted
    before = await _calls(owner_url, role)
    for _ in range(n):
        send()
    after = await _calls(owner_url, role)
    statements, resets, openings = (a - b for a, b in zip(after, before, strict=True))
    return StatementCount(statements=statements / n, round_trips=(statements - 3 * resets - openings) / n)
