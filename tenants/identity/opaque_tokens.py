"""Opaque tokens: the tokens of links sent to people (invitations, password
resets), refresh tokens and partner applications' secrets, and how they are
stored.

A link's token is an HMAC, under Socle's secret key, of what its link is for.
The request that makes a link stores the token's SHA-256; the job that sends
the message derives the same token. The token itself is kept nowhere: no
table, outbox row or queue holds it, and a retried job sends the same link.
Random secrets (refresh tokens, client secrets) are kept as SHA-256 too: they
carry 256 random bits, so a fast hash is enough.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def derive(secret: str, *purpose: object) -> str:
    """The token of the link for ``purpose`` (e.g. ``"invitation", id, 2``)."""
    message = ":".join(str(part) for part in purpose).encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def random_secret() -> str:
    """A new random secret of 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """How a token or secret is stored and looked up: its SHA-256."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def matches(stored_digest: str, presented: str) -> bool:
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(stored_digest, digest(presented))
