"""Every actor, and their declaration on the installed broker.

Actors are thin: they build a context, open a transaction and call a
service. dramatiq binds an actor to the broker current when its module is
first imported; :func:`declare_on` binds them to a later one too (each test
app, or a process that installs its broker again).
"""

from __future__ import annotations

import dramatiq

from tenants import outbox
from workers import codes, contributions, gateways, imports, invitations, passwords, receipts

ACTORS: tuple[dramatiq.Actor, ...] = (  # type: ignore[type-arg]
    codes.send_sign_in_code,
    contributions.apply_employees_rights,
    contributions.apply_rights,
    contributions.call_due_periods,
    contributions.record_subsidy,
    contributions.send_reminder,
    gateways.process_event,
    imports.run_import,
    invitations.send_invitation,
    passwords.send_password_reset,
    receipts.file_receipt,
)


def declare_on(broker: dramatiq.Broker) -> None:
    """Declare every actor on ``broker`` and make it the one they send to;
    the outbox then accepts jobs for them."""
    for actor in ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
        outbox.declare(actor.actor_name)
