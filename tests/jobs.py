"""Waiting for the jobs of the application under test."""

from __future__ import annotations

import asyncio

import dramatiq


async def jobs_done() -> None:
    """Wait until the in-process worker has run every job sent so far."""
    await asyncio.to_thread(dramatiq.get_broker().join, "default")
