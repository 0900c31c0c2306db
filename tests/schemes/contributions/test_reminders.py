"""SMS reminders of calls: in the week before they are due and the month
after, once per call and stage however often the pass runs (and when it
runs three times at once); none for a call paid, a member without a phone
or terminated; each tenant's own."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest

from schemes.contributions import payments, reminders
from schemes.contributions.tables import Channel
from schemes.members import lifecycle
from schemes.members.tables import Member, MemberStatus, TerminationReason
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.tx import tenant_tx
from tests.commands import socle
from tests.factories import context, make_tenant
from tests.jobs import jobs_done
from tests.messages import sent
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

NOW = datetime(2026, 1, 10, 8, tzinfo=UTC)
BEFORE = date(2025, 12, 28)
"""Four days before the calls of 2026 are due, on 1 January."""
AFTER = date(2026, 1, 10)


async def _mutual(*phones: str | None) -> tuple[Tenant, TenantContext, list[Member]]:
    """A mutual whose artisans, one per phone, joined on 1 January 2026 and were called for the year."""
    tenant = await make_tenant(name="Mutuelle des artisans de Rufisque")
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    members = [await enrol(ctx, artisan(scheme, phone=phone), today=YEAR_2026.start) for phone in phones]
    await call_year(ctx, scheme.id)
    return tenant, ctx, members


def _texts(caplog: pytest.LogCaptureFixture, phone: str) -> list[str]:
    return [message["text"] for message in sent(caplog, "sms.sent") if message["phone"] == phone]


async def test_each_call_is_reminded_once_per_stage(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    phone = unique_phone()
    _, ctx, _ = await _mutual(phone)
    assert await reminders.queue_reminders(ctx, BEFORE, NOW) == 2
    assert await reminders.queue_reminders(ctx, BEFORE, NOW) == 0
    assert await asyncio.gather(*(reminders.queue_reminders(ctx, date(2025, 12, 30), NOW) for _ in range(3))) == [
        0,
        0,
        0,
    ]
    await jobs_done()
    assert sorted(_texts(caplog, phone)) == [
        "Mutuelle des artisans de Rufisque : votre cotisation 2026 de 3 500 F CFA est due le 01/01/2026."
        " Payez au guichet ou en ligne. Merci.",
        "Mutuelle des artisans de Rufisque : votre droit d'adhésion de 2 000 F CFA est dû le 01/01/2026."
        " Payez au guichet ou en ligne. Merci.",
    ]

    concurrent = await asyncio.gather(*(reminders.queue_reminders(ctx, AFTER, NOW) for _ in range(3)))
    assert sorted(concurrent) == [0, 0, 2]
    await jobs_done()
    assert sorted(_texts(caplog, phone)[2:]) == [
        "Mutuelle des artisans de Rufisque : votre cotisation 2026 de 3 500 F CFA, due le 01/01/2026, n'est pas"
        " payée. Réglez-la pour garder vos droits aux soins.",
        "Mutuelle des artisans de Rufisque : votre droit d'adhésion de 2 000 F CFA, dû le 01/01/2026, n'est pas"
        " payé. Réglez-le pour garder vos droits aux soins.",
    ]
    assert len(_texts(caplog, phone)) == 4
    # A month after, an unpaid call is the rights' business: no more reminders.
    assert await reminders.queue_reminders(ctx, date(2026, 2, 15), NOW) == 0


async def test_no_reminder_for_a_call_paid_a_member_without_phone_or_terminated(owner: asyncpg.Connection) -> None:
    phones = [unique_phone(), None, unique_phone(), unique_phone()]
    tenant, ctx, members = await _mutual(*phones)
    paid, _, terminated, owing = members
    async with tenant_tx(ctx) as tx:
        await payments.record_payment(
            tx,
            ctx,
            payments.NewPayment(
                member_id=paid.id, amount=5_500, currency="XOF", channel=Channel.CASH, idempotency_key="paid-1"
            ),
            NOW,
        )
        change = lifecycle.StatusChange(
            terminated.id, MemberStatus.TERMINATED, date.today(), reason=TerminationReason.RESIGNATION
        )
        await lifecycle.change_status(tx, ctx, change, date.today())
    assert await reminders.queue_reminders(ctx, BEFORE, NOW) == 2
    reminded = await owner.fetch(
        "SELECT DISTINCT c.member_id FROM call_reminders r JOIN contribution_calls c ON c.id = r.call_id"
        " WHERE r.tenant_id = $1",
        tenant.id,
    )
    assert [row["member_id"] for row in reminded] == [owing.id]

    # A call paid after its reminder was written: the job finds nothing to say.
    reminder_ids = await owner.fetch("SELECT id FROM call_reminders WHERE tenant_id = $1", tenant.id)
    async with tenant_tx(ctx) as tx:
        await payments.record_payment(
            tx,
            ctx,
            payments.NewPayment(
                member_id=owing.id, amount=5_500, currency="XOF", channel=Channel.CASH, idempotency_key="paid-2"
            ),
            NOW,
        )
        found = [await reminders.reminder_of(tx, ctx, row["id"]) for row in reminder_ids]
    assert found == [None, None]


async def test_each_tenant_reminds_its_own(owner: asyncpg.Connection) -> None:
    a_tenant, a, _ = await _mutual(unique_phone())
    _, b, _ = await _mutual(unique_phone())
    assert await reminders.queue_reminders(b, BEFORE, NOW) == 2
    assert await owner.fetchval("SELECT count(*) FROM call_reminders WHERE tenant_id = $1", a_tenant.id) == 0
    async with tenant_tx(a) as tx:
        assert await tx.connection.fetchval("SELECT count(*) FROM call_reminders") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(a) as tx:
            await tx.connection.execute("DELETE FROM call_reminders")
    reminder_id = await owner.fetchval("SELECT id FROM call_reminders WHERE tenant_id = $1 LIMIT 1", b.tenant_id)
    async with tenant_tx(a) as tx:
        assert await reminders.reminder_of(tx, a, reminder_id) is None


async def test_the_daily_command(settings: object) -> None:
    result = await asyncio.to_thread(socle, settings, "contributions", "remind")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("socle: ") and result.stdout.endswith(" reminders to send\n")
