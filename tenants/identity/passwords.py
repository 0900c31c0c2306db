"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 profile).

A hash takes tens of milliseconds of CPU and 64 MiB: it runs on a pool of
one thread per core, so that the event loop goes on serving other requests
meanwhile and no more hashes run at once than there are cores (the memory
they take stays bounded; the others wait their turn).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tenants.identity import errors

T = TypeVar("T")

_hasher = PasswordHasher()
_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="argon2")

# Verified when an account is unknown, so that a wrong identifier costs the
# same time as a wrong password and response times reveal no accounts.
_DECOY = _hasher.hash("socle-decoy-password")

MIN_LENGTH = 10
MAX_LENGTH = 128
"""Longer inputs only cost hashing time; passphrases fit well below."""


def check_strength(password: str, path: tuple[str, ...] = ("input", "password")) -> None:
    """Refuse a password too short or too long to be chosen (the input at ``path``)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH or not password.strip():
        raise errors.WeakPassword(path=path, min_length=MIN_LENGTH, max_length=MAX_LENGTH)


async def _off_loop(work: Callable[[], T]) -> T:
    # argon2-cffi releases the GIL while it hashes: the pool's threads run in parallel.
    return await asyncio.get_running_loop().run_in_executor(_pool, work)


async def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``, made on the hashing pool."""
    return await _off_loop(lambda: _hasher.hash(password))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches, checked on the hashing pool; runs a full
    verification even without a hash."""
    return await _off_loop(lambda: _verify(password_hash, password))


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
