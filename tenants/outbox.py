"""Sending outbox jobs to the dramatiq broker.

A job's message id is its outbox row id, so a job relayed twice (at-least-once
delivery) is recognisable by the actor.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import dramatiq
from dramatiq import Message


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


def _send_now(jobs: Sequence[Job]) -> None:
    broker = dramatiq.get_broker()
    for job in jobs:
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


async def send(jobs: Sequence[Job]) -> None:
    """Hand ``jobs`` to the broker, off the event loop (a Redis broker blocks)."""
    if jobs:
        await asyncio.to_thread(_send_now, jobs)
