"""Sending outbox jobs to the dramatiq broker, and the names of the actors
jobs may be sent to.

A job's message id is its outbox row id, so a job relayed twice (at-least-once
delivery) is recognisable by the actor.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import dramatiq
import redis.exceptions
from dramatiq import Message
from dramatiq.errors import BrokerConnectionError

_declared: set[str] = set()
_held = False


class UnknownActor(LookupError):
    """A job named an actor no worker declares: a programming error, raised
    by ``tx.enqueue`` before the transaction commits."""

    def __init__(self, actor_name: str) -> None:
        super().__init__(f"no actor named {actor_name!r} is declared (workers/actors.py declares them)")
        self.actor_name = actor_name


def declare(actor_name: str) -> None:
    """Record that jobs may be sent to ``actor_name`` (done for every actor
    when a broker is installed)."""
    _declared.add(actor_name)


def hold(actor_names: Iterable[str]) -> None:
    """For a process with no broker of its own (a command line tool): accept
    jobs for ``actor_names`` and leave them in the outbox, where the relay of
    a serving process finds and sends them."""
    global _held
    _held = True
    _declared.update(actor_names)


def held() -> bool:
    """Whether this process leaves its jobs to the relay (see :func:`hold`)."""
    return _held


def check_declared(actor_name: str) -> None:
    """Raise :class:`UnknownActor` unless ``actor_name`` was declared."""
    if actor_name not in _declared:
        raise UnknownActor(actor_name)


@dataclass(frozen=True)
class Job:
    """A job to send: which actor, with which keyword arguments."""

    id: UUID
    actor_name: str
    kwargs: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> Job:
        """Build from an outbox row read with asyncpg (``kwargs`` as JSON text)."""
        kwargs = row["kwargs"]
        return cls(
            id=row["id"], actor_name=row["actor_name"], kwargs=json.loads(kwargs) if isinstance(kwargs, str) else kwargs
        )


def broker_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the broker could not be reached, rather than
    that this job cannot be sent: the next jobs would fail alike."""
    return isinstance(
        error, BrokerConnectionError | redis.exceptions.ConnectionError | redis.exceptions.TimeoutError | OSError
    )


def _send_now(job: Job) -> None:
    broker = dramatiq.get_broker()
    actor = broker.get_actor(job.actor_name)
    broker.enqueue(
        Message(
            queue_name=actor.queue_name,
            actor_name=job.actor_name,
            args=(),
            kwargs=job.kwargs,
            options={},
            message_id=str(job.id),
        )
    )


async def send(job: Job) -> None:
    """Hand ``job`` to the broker, off the event loop (a Redis broker blocks)."""
    await asyncio.to_thread(_send_now, job)
