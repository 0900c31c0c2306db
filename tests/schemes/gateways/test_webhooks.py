"""``POST /webhooks/wave/<tenant>``: forged, altered, stale and misdirected
events change nothing and never answer 5xx; each tenant's keys are its own,
sealed, and never shown."""

from __future__ import annotations

import json
import time
import uuid

import asyncpg
import httpx
import pytest

from tenants.roles import Role, TenantKind
from tests.factories import fresh_country, make_tenant
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.schemes.gateways.test_wave import (
    CONFIGURE,
    NODE,
    _configured,
    _deliver,
    _member,
    _opened,
    _session_of,
    _start,
    _started,
)
from tests.wave_server import API_KEY, WEBHOOK_SECRET, WaveServer, sign

pytestmark = pytest.mark.usefixtures("migrated")

GATEWAYS = "{ paymentGateways { provider enabled keyHint webhookUrl } }"


class TestRefusedEvents:
    async def test_forged_stale_and_altered_events_change_nothing(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, _member, _manager, online = await _opened(wave_client)
        paid = wave.complete(_session_of(wave, online))
        body, headers = wave.event("checkout.session.completed", paid)
        cases = {
            "missing": {},
            "malformed": {"Wave-Signature": "v1=abc"},
            "mismatch": {"Wave-Signature": sign(body, "wave_sn_WHS_someone-else")},
            "stale": {"Wave-Signature": sign(body, at=time.time() - 301)},
        }
        for reason, given in cases.items():
            answer = await _deliver(wave_client, tenant, body, given)
            assert (answer.status_code, answer.json()) == (400, {"error": "invalid_signature", "reason": reason})
        altered = body.replace(b'"5500"', b'"55000"')
        answer = await _deliver(wave_client, tenant, altered, headers)
        assert (answer.status_code, answer.json()["reason"]) == (400, "mismatch")
        for junk in (b"", b"not json", b"[1, 2]", json.dumps({"type": "checkout.session.completed"}).encode()):
            answer = await _deliver(wave_client, tenant, junk, {"Wave-Signature": sign(junk)})
            assert answer.status_code == 400
        await jobs_done()
        assert await owner.fetchval("SELECT count(*) FROM gateway_events WHERE tenant_id = $1", tenant.id) == 0
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 0

    async def test_unknown_addresses_answer_404(self, wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
        configured = await _configured(wave_client)
        unconfigured = await make_tenant()
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
        body, headers = wave.event("checkout.session.completed", {"id": "cos-x"})
        for path in (
            f"/webhooks/wave/{unconfigured.id}",
            f"/webhooks/wave/{ministry.id}",
            f"/webhooks/wave/{uuid.uuid4()}",
            "/webhooks/wave/not-a-tenant",
            f"/webhooks/orange_money/{configured.id}",
            f"/webhooks/paypal/{configured.id}",
            f"/webhooks/stripe/{configured.id}",
            "/webhooks/wave",
        ):
            answer = await wave_client.post(path, content=body, headers=headers)
            assert answer.status_code == 404, path
        assert (await wave_client.get(f"/webhooks/wave/{configured.id}")).status_code == 405

    async def test_a_disabled_account_takes_no_event(self, wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
        tenant = await _configured(wave_client)
        admin = await token_for(wave_client, tenant, Role.TENANT_ADMIN)
        given = {"provider": "WAVE", "apiKey": API_KEY, "webhookSecret": WEBHOOK_SECRET, "enabled": False}
        await graphql(wave_client, CONFIGURE, token=admin, input=given)
        body, headers = wave.event("checkout.session.completed", {"id": "cos-x"})
        assert (await _deliver(wave_client, tenant, body, headers)).status_code == 404
        member = await _member(tenant)
        manager = await token_for(wave_client, tenant, Role.MANAGER)
        refused = await _started(wave_client, manager, _start(member))
        assert refused["code"] == "GATEWAY_NOT_CONFIGURED"
        assert refused["message"] == "Le paiement en ligne par Wave n'est pas ouvert pour cette mutuelle."

    async def test_an_event_for_another_tenants_checkout_changes_nothing(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        a = await _configured(wave_client)
        b = await _configured(wave_client)
        member = await _member(a)
        manager = await token_for(wave_client, a, Role.MANAGER)
        online = (await _started(wave_client, manager, _start(member)))["onlinePayment"]
        body, headers = wave.event("checkout.session.completed", wave.complete(_session_of(wave, online)))
        # Signed with the same secret (both tenants set it), sent to B's address.
        assert (await _deliver(wave_client, b, body, headers)).status_code == 200
        await jobs_done()
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = ANY($1)", [a.id, b.id]) == 0
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert seen["status"] == "OPEN"


class TestAccounts:
    async def test_keys_are_sealed_and_never_shown(
        self, wave_client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant = await _configured(wave_client)
        admin = await token_for(wave_client, tenant, Role.TENANT_ADMIN)
        seen = (await graphql(wave_client, GATEWAYS, token=admin))["data"]["paymentGateways"]
        assert seen == [
            {
                "provider": "WAVE",
                "enabled": True,
                "keyHint": API_KEY[-4:],
                "webhookUrl": f"http://localhost:8000/webhooks/wave/{tenant.id}",
            }
        ]
        row = await owner.fetchrow("SELECT * FROM gateway_accounts WHERE tenant_id = $1", tenant.id)
        stored = json.dumps({key: str(value) for key, value in dict(row).items()})
        assert API_KEY not in stored and WEBHOOK_SECRET not in stored
        audit = await owner.fetchval(
            "SELECT summary::text FROM audit_events WHERE tenant_id = $1 AND action = 'gateway_account.configure'",
            tenant.id,
        )
        assert API_KEY not in audit and WEBHOOK_SECRET not in audit

    async def test_a_sealed_key_copied_to_another_tenant_does_not_open(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        a = await _configured(wave_client)
        b = await make_tenant()
        admin_b = await token_for(wave_client, b, Role.TENANT_ADMIN)
        given = {"provider": "WAVE", "apiKey": "wave_sn_prod_other-0000", "webhookSecret": "wave_sn_WHS_other-0000"}
        await graphql(wave_client, CONFIGURE, token=admin_b, input=given)
        sealed = await owner.fetchval("SELECT webhook_secret_sealed FROM gateway_accounts WHERE tenant_id = $1", a.id)
        await owner.execute("ALTER TABLE gateway_accounts DISABLE TRIGGER gateway_accounts_audited")
        try:
            await owner.execute(
                "UPDATE gateway_accounts SET webhook_secret_sealed = $1 WHERE tenant_id = $2", sealed, b.id
            )
        finally:
            await owner.execute("ALTER TABLE gateway_accounts ENABLE TRIGGER gateway_accounts_audited")
        body, headers = wave.event("checkout.session.completed", {"id": "cos-x"})
        # Sealed for A's account, it does not open as B's: B takes no event until its keys are set again.
        assert (await _deliver(wave_client, b, body, headers)).status_code == 404

    async def test_bad_keys_are_told_field_by_field(self, wave_client: httpx.AsyncClient) -> None:
        tenant = await make_tenant()
        admin = await token_for(wave_client, tenant, Role.TENANT_ADMIN)
        given = {"provider": "WAVE", "apiKey": "short", "webhookSecret": "with spaces inside"}
        refused = (await graphql(wave_client, CONFIGURE, token=admin, input=given, language="en"))["data"]
        assert refused["paymentGatewayConfigure"] == {
            "__typename": "PaymentGatewayConfigureError",
            "code": "INVALID_KEY",
            "path": ["input", "apiKey"],
            "message": "This key must be 8 to 500 characters, without spaces.",
            "others": [{"code": "INVALID_KEY", "path": ["input", "webhookSecret"]}],
        }
        given = {"provider": "ORANGE_MONEY", "apiKey": API_KEY, "webhookSecret": WEBHOOK_SECRET}
        refused = (await graphql(wave_client, CONFIGURE, token=admin, input=given))["data"]
        assert (refused["paymentGatewayConfigure"]["code"], refused["paymentGatewayConfigure"]["path"]) == (
            "PROVIDER_NOT_ONLINE",
            ["input", "provider"],
        )
