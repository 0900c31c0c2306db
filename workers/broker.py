"""The dramatiq broker: Redis when ``SOCLE_BROKER_URL`` is set, otherwise an
in-process broker whose worker runs inside the web process (the demo).

The broker is installed before any actor module is imported, as dramatiq
binds actors to the broker that is current when they are declared.
"""

from __future__ import annotations

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, CurrentMessage, Middleware

from app import db
from app.settings import Settings


class DatabasePool(Middleware):
    """Opens the Piccolo pool on the worker's event-loop thread, where async
    actors run, and closes it at shutdown."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        assert loop_thread is not None, "the AsyncIO middleware must come before DatabasePool"
        loop_thread.run_coroutine(db.open_pool())

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(db.close_pool())


def make_broker(settings: Settings) -> dramatiq.Broker:
    """Build the broker the settings ask for, with the middleware Socle's actors need."""
    broker: dramatiq.Broker = (
        RedisBroker(url=settings.broker_url)  # type: ignore[no-untyped-call]
        if settings.broker_url
        else StubBroker()
    )
    broker.add_middleware(AsyncIO())
    broker.add_middleware(DatabasePool())
    # Actors with outside effects recognise a message delivered twice by its id.
    broker.add_middleware(CurrentMessage())
    return broker


def install_broker(settings: Settings) -> dramatiq.Broker:
    """Make the settings' broker the current one and declare Socle's actors on it."""
    broker = make_broker(settings)
    dramatiq.set_broker(broker)
    from workers import actors  # declared on the first broker installed; declare_on rebinds them

    actors.declare_on(broker)
    return broker
