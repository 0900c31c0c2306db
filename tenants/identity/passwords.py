"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tenants.identity import errors

_hasher = PasswordHasher()

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


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; runs a full verification even without a hash."""
    try:
        return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
