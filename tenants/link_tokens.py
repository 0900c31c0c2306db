"""Tokens of the links sent to people (invitations, password resets).

A token is an HMAC, under Socle's secret key, of what its link is for. The
request that makes a link stores the token's SHA-256; the job that sends the
message derives the same token. The token itself is kept nowhere: no table,
outbox row or queue holds it, and a retried job sends the same link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def derive(secret: str, *purpose: object) -> str:
    """The token of the link for ``purpose`` (e.g. ``"invitation", id, 2``)."""
    message = ":".join(str(part) for part in purpose).encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def digest(token: str) -> str:
    """How a link's token is stored and looked up: SHA-256 (tokens carry 256 bits)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()
