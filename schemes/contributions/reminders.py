"""Reminders of calls by SMS: in the week before a call is due, and in the
month after, while it is unpaid; once per call and stage.

A daily pass writes a reminder row and its message's job in one
transaction, the row unique per call and stage: a pass run twice, or two
at once, sends nothing twice. The job says what is still unpaid when it
runs, and sends nothing for a call paid in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from schemes.contributions.ledger import SETTLED
from schemes.contributions.tables import CallKind, ReminderStage
from schemes.members.tables import MemberStatus
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.tx import Transaction, tenant_tx

REMINDER_ACTOR = "contributions.send_reminder"
BEFORE_DUE = timedelta(days=7)
OVERDUE_FOR = timedelta(days=30)
"""After this, an unpaid call is the rights' business (suspension), not a reminder's."""
BATCH = 1000

_QUEUE = f"""
INSERT INTO call_reminders (id, tenant_id, call_id, stage, created_at)
SELECT gen_random_uuid(), c.tenant_id, c.id, s.stage, $5 FROM contribution_calls c
JOIN members m ON m.tenant_id = $1 AND m.id = c.member_id
CROSS JOIN LATERAL (
  SELECT CASE WHEN c.due_on > $2 AND c.due_on <= $3 THEN 'before_due'
              WHEN c.due_on < $2 AND c.due_on >= $4 THEN 'overdue' END AS stage
) s
WHERE c.tenant_id = $1 AND c.payer = 'member' AND c.amount > 0 AND s.stage IS NOT NULL
  AND m.phone IS NOT NULL AND m.status <> '{MemberStatus.TERMINATED.value}'
  AND c.amount > {SETTLED}
  AND NOT EXISTS (
    SELECT 1 FROM call_reminders r WHERE r.tenant_id = $1 AND r.call_id = c.id AND r.stage = s.stage
  )
ORDER BY c.due_on, c.id
LIMIT $6
ON CONFLICT (tenant_id, call_id, stage) DO NOTHING
RETURNING id
"""


async def queue_reminders(ctx: TenantContext, today: date, now: datetime) -> int:
    """Write the tenant's reminders due ``today`` and their messages' jobs, a
    batch per transaction; how many were written."""
    written = 0
    while True:
        async with tenant_tx(ctx) as tx:
            rows = await tx.fetch(_QUEUE, ctx.tenant_id, today, today + BEFORE_DUE, today - OVERDUE_FOR, now, BATCH)
            for row in rows:
                await tx.enqueue(REMINDER_ACTOR, tenant_id=str(ctx.tenant_id), reminder_id=str(row["id"]))
            if rows:
                await audit.record_change(tx, ctx, "reminders.queue", "tenant", ctx.tenant_id, count=str(len(rows)))
        written += len(rows)
        if len(rows) < BATCH:
            return written


@dataclass(frozen=True)
class Reminder:
    """What a reminder tells its member."""

    phone: str
    tenant_name: str
    stage: ReminderStage
    kind: CallKind
    period: str
    due_on: date
    remaining: int
    currency: str


async def reminder_of(tx: Transaction, ctx: TenantContext, reminder_id: UUID) -> Reminder | None:
    """The reminder to send; None when its call is paid since, or the member has no phone any more."""
    row = await tx.fetchrow(
        f"SELECT r.stage, c.kind, c.period, c.due_on, c.currency, c.amount - {SETTLED} AS remaining, m.phone,"
        " t.name AS tenant_name FROM call_reminders r"
        " JOIN contribution_calls c ON c.tenant_id = $1 AND c.id = r.call_id"
        " JOIN members m ON m.tenant_id = $1 AND m.id = c.member_id"
        " JOIN tenants t ON t.id = r.tenant_id"
        " WHERE r.tenant_id = $1 AND r.id = $2",
        ctx.tenant_id,
        reminder_id,
    )
    if row is None or row["remaining"] <= 0 or not row["phone"]:
        return None
    return Reminder(
        phone=row["phone"],
        tenant_name=row["tenant_name"],
        stage=ReminderStage(row["stage"]),
        kind=CallKind(row["kind"]),
        period=row["period"],
        due_on=row["due_on"],
        remaining=int(row["remaining"]),
        currency=row["currency"],
    )
