"""The daily jobs of contributions: call, in every tenant, the periods under
way or about to start and draw up the State's statements of them; then move
members' status as their rights stand. And the job that records the State's
payment of a statement in the tenant's ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import dramatiq
import structlog

from app.i18n import DEFAULT_LOCALE, translate
from schemes.contributions import enforcement, reminders, schedule, subsidies
from tenants.context import SYSTEM, TenantContext
from tenants.formats import money
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.roles import TenantKind, TenantStatus
from tenants.tx import platform_tx, tenant_tx
from workers.messaging import once, outbound

CALL_ACTOR = "contributions.call_due_periods"
RIGHTS_ACTOR = "contributions.apply_rights"
TIME_LIMIT_MS = 2 * 3600 * 1000
"""A tenant of a million members is called in minutes; the limit leaves room."""

_log = structlog.get_logger("socle.contributions")


async def as_socle(tenant_id: UUID) -> TenantContext:
    """The context of Socle itself acting inside a tenant, as jobs do."""
    async with platform_tx() as tx:
        return await tenant_service.context_for(tx, SYSTEM, tenant_id)


async def call_tenant(tenant_id: UUID) -> list[schedule.PeriodRun]:
    """Call the periods due today of one tenant's schemes, then draw up the
    State's statements due, as Socle itself."""
    ctx = await as_socle(tenant_id)
    now = datetime.now(UTC)
    runs = await schedule.run_due(ctx, now.date())
    for run in runs:
        _log.info(
            "contributions.called",
            tenant_id=str(tenant_id),
            scheme_id=str(run.scheme_id),
            period=run.period.label,
            members=run.members,
            created=run.created,
        )
    for statement in await subsidies.draw_due(ctx, now.date(), now):
        _log.info(
            "contributions.subsidy_statement_drawn",
            tenant_id=str(tenant_id),
            scheme_id=str(statement.scheme_id),
            period=statement.period,
            number=statement.number,
            amount=statement.amount,
        )
    return runs


async def apply_rights_tenant(tenant_id: UUID) -> enforcement.Pass:
    """Suspend the tenant's members whose dues are unpaid past their rule's
    limit, and reinstate those Socle suspended who have paid, as Socle itself."""
    done = await enforcement.apply_tenant(await as_socle(tenant_id), datetime.now(UTC).date())
    _log.info(
        "contributions.rights_applied",
        tenant_id=str(tenant_id),
        members=done.members,
        suspended=done.suspended,
        reinstated=done.reinstated,
    )
    return done


@dramatiq.actor(actor_name=enforcement.EMPLOYEES_ACTOR, max_retries=5, time_limit=TIME_LIMIT_MS)
async def apply_employees_rights(tenant_id: str, employer_id: str) -> None:
    """Apply the rights of the employees an employer's declarations name,
    once its account changed; a retry looks at each again and moves only who should."""
    ctx = await as_socle(UUID(tenant_id))
    await enforcement.apply_tenant(ctx, datetime.now(UTC).date(), employer_id=UUID(employer_id))


async def calling_tenants() -> list[UUID]:
    """The approved tenants that call contributions (every kind but a ministry)."""
    async with platform_tx():
        rows = (
            await Tenant.select(Tenant.id)
            .where((Tenant.status == TenantStatus.APPROVED) & (Tenant.kind != TenantKind.MINISTRY))
            .order_by(Tenant.id)
        )
    return [row["id"] for row in rows]


@dramatiq.actor(actor_name=CALL_ACTOR, max_retries=5, time_limit=TIME_LIMIT_MS)
async def call_due_periods(tenant_id: str) -> None:
    """Call one tenant's due periods; a retry after a crash creates only the calls still missing."""
    await call_tenant(UUID(tenant_id))


@dramatiq.actor(actor_name=RIGHTS_ACTOR, max_retries=5, time_limit=TIME_LIMIT_MS)
async def apply_rights(tenant_id: str) -> None:
    """Apply one tenant's members' rights; a retry looks again at every member and changes only who should move."""
    await apply_rights_tenant(UUID(tenant_id))


@dramatiq.actor(actor_name=subsidies.SUBSIDY_ACTOR, max_retries=10)
async def record_subsidy(tenant_id: str, subsidy_payment_id: str) -> None:
    """Record the State's payment a ministry recorded in the ledger of the
    tenant paid; a retry, or a second delivery, records nothing twice."""
    ctx = await as_socle(UUID(tenant_id))
    async with tenant_tx(ctx) as tx:
        await subsidies.record_in_ledger(tx, ctx, UUID(subsidy_payment_id), datetime.now(UTC))


async def remind_tenant(tenant_id: UUID) -> int:
    """Write one tenant's reminders due today and their messages' jobs, as Socle itself."""
    now = datetime.now(UTC)
    written = await reminders.queue_reminders(await as_socle(tenant_id), now.date(), now)
    if written:
        _log.info("contributions.reminders_queued", tenant_id=str(tenant_id), reminders=written)
    return written


def reminder_text(reminder: reminders.Reminder, locale: str = DEFAULT_LOCALE) -> str:
    """The SMS of a reminder, in the catalogue's words."""
    return translate(
        f"contributions.REMINDER_{reminder.stage.value.upper()}_{reminder.kind.value.upper()}",
        locale,
        tenant=reminder.tenant_name,
        period=reminder.period,
        # Plain spaces: a narrow or non-breaking one takes an SMS out of the GSM alphabet (70 characters, not 160).
        amount=" ".join(money(reminder.remaining, reminder.currency, locale).split()),
        due=f"{reminder.due_on:%d/%m/%Y}",
    )


@dramatiq.actor(actor_name=reminders.REMINDER_ACTOR, max_retries=5)
async def send_reminder(tenant_id: str, reminder_id: str) -> None:
    """Send one reminder, unless its call was paid since; a second delivery sends nothing."""
    ctx = await as_socle(UUID(tenant_id))
    async with tenant_tx(ctx) as tx:
        found = await reminders.reminder_of(tx, ctx, UUID(reminder_id))
    if found is None:
        return
    text = reminder_text(found)
    await once(lambda: outbound().sms.send(found.phone, text))
