"""What a Socle process runs besides requests: the database pool, the job
broker (and, without Redis, an in-process worker), the outbox relay and the
file storage. Started and stopped by the web app's lifespan and by ``socle worker``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dramatiq
import structlog
from dramatiq.brokers.redis import RedisBroker

from app import db
from app.settings import Settings
from app.storage import Storage, make_storage
from schemes.contributions.payments import Provider
from schemes.gateways import accounts
from schemes.gateways.registry import Gateways
from schemes.gateways.stripe_cards import StripeCards
from schemes.gateways.wave import Wave
from tenants.identity.keys import KeyStore
from tenants.identity.tokens import ACCESS_TOKEN_LIFETIME
from tenants.relay import run_relay
from tenants.sealing import Sealer
from workers import gateways, imports, messaging, receipts
from workers.broker import install_broker
from workers.messaging import Outbound

log = structlog.get_logger(__name__)


def make_gateways(settings: Settings) -> Gateways:
    """The payment providers at the addresses the settings give, their accounts' keys sealed under the secret key."""
    return Gateways(
        sealer=Sealer(settings.secret(), accounts.SEAL_PURPOSE),
        by_provider={Provider.WAVE: Wave(settings.wave_api_url), Provider.STRIPE: StripeCards(settings.stripe_api_url)},
        public_url=settings.public_address,
    )


@dataclass
class Runtime:
    """The process-wide services of one Socle process."""

    settings: Settings
    storage: Storage
    keys: KeyStore
    outbound: Outbound
    gateways: Gateways
    broker: dramatiq.Broker | None = None
    worker: dramatiq.Worker | None = None
    _relay: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _owns_pool: bool = field(default=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """A runtime not yet started."""
        storage = make_storage(settings, settings.secret())
        imports.configure(storage)
        receipts.configure(storage)
        providers = make_gateways(settings)
        gateways.configure(providers)
        return cls(
            settings=settings,
            storage=storage,
            keys=KeyStore(settings.secret(), token_lifetime=ACCESS_TOKEN_LIFETIME),
            outbound=messaging.configure(settings),
            gateways=providers,
        )

    async def start(self, *, run_worker: bool) -> None:
        """Connect to the database as the application role, install the broker,
        start the outbox relay and, if asked, a worker in this process."""
        urls = await asyncio.to_thread(db.database_urls, self.settings)
        await db.check_server(urls.app, application_role=True)
        if db.DB.pool is None:
            # A pool already open on this loop (a test session's) is not ours to close.
            db.connect(urls.app, self.settings)
            await db.open_pool()
            self._owns_pool = True
        await self.keys.reload()
        self.broker = install_broker(self.settings)
        if run_worker:
            # Consumers wake every 100 ms to notice a shutdown (dramatiq's default, 1 s,
            # makes each stop of the web process wait that long).
            self.worker = dramatiq.Worker(self.broker, worker_threads=self.settings.worker_threads, worker_timeout=100)
            await asyncio.to_thread(self.worker.start)
        self._relay = asyncio.create_task(
            run_relay(
                self._stopping,
                interval=self.settings.outbox_relay_interval,
                older_than=self.settings.outbox_relay_grace,
            )
        )
        log.info("runtime.started", broker=type(self.broker).__name__, worker=run_worker)

    async def stop(self) -> None:
        """Stop the relay and the worker, then close the database pool."""
        self._stopping.set()
        if self._relay is not None:
            await self._relay
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        if self.broker is not None:
            await asyncio.to_thread(self.broker.close)
        if self._owns_pool:
            await db.close_pool()

    async def check_broker(self) -> None:
        """Raise if the broker does not answer."""
        if isinstance(self.broker, RedisBroker):
            await asyncio.to_thread(self.broker.client.ping)
        elif self.broker is None:
            raise ConnectionError("the broker is not installed")
