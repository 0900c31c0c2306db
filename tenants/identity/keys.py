"""Keys that sign access tokens (ES256), stored in the database so every
process signs and verifies with the same ones.

Private keys are encrypted at rest with AES-GCM under a key derived from
``SOCLE_SECRET_KEY``. Rotation adds a key that signs from then on; the retired
one stays in the JWKS until the last token it signed has expired, so nobody is
signed out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc.jwk import ECKey, KeySet

from tenants.audit import service as audit
from tenants.ids import new_id
from tenants.sealing import Sealer, derive_key
from tenants.tx import Transaction, platform_tx

ALGORITHM = "ES256"


def _sealer(secret: str) -> Sealer:
    return Sealer(secret, b"socle signing keys")


@dataclass(frozen=True)
class KeyRing:
    """The signing key, every published verification key, and the key refresh
    tokens derive from."""

    signing: ECKey
    published: KeySet
    refresh_secret: str
    """Derived from ``SOCLE_SECRET_KEY``, apart from the key that encrypts the signing keys."""

    @property
    def kid(self) -> str:
        """Id of the signing key."""
        return str(self.signing.kid)

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JWK Set (RFC 7517), for ``/.well-known/jwks.json``."""
        return dict(self.published.as_dict(private=False))


async def _insert_key(tx: Transaction, secret: str, action: str) -> None:
    kid = new_id().hex
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    await tx.execute(
        "INSERT INTO signing_keys (id, public_jwk, private_jwk, created_at) VALUES ($1, $2::jsonb, $3, now())",
        kid,
        json.dumps(key.as_dict(private=False)),
        _sealer(secret).seal(json.dumps(key.as_dict(private=True))),
    )
    await audit.record_change(tx, tx.context, action, "signing_key", kid)


async def load(tx: Transaction, secret: str, *, token_lifetime: timedelta) -> KeyRing:
    """The key ring, creating the first key if there is none (platform transaction).

    Keys retired longer ago than ``token_lifetime`` are no longer published.
    """
    rows = await _published_rows(tx, token_lifetime)
    if not any(row["retired_at"] is None for row in rows):
        # Serialise first-key creation between processes starting together.
        await tx.execute("SELECT pg_advisory_xact_lock(hashtext('socle.signing_keys'))")
        rows = await _published_rows(tx, token_lifetime)
        if not any(row["retired_at"] is None for row in rows):
            await _insert_key(tx, secret, "signing_key.create")
            rows = await _published_rows(tx, token_lifetime)
    active = next(row for row in rows if row["retired_at"] is None)
    signing = ECKey.import_key(json.loads(_sealer(secret).open(active["private_jwk"])))
    published = KeySet([ECKey.import_key(json.loads(row["public_jwk"])) for row in rows])
    refresh_secret = derive_key(secret, b"socle refresh tokens").hex()
    return KeyRing(signing=signing, published=published, refresh_secret=refresh_secret)


async def _published_rows(tx: Transaction, token_lifetime: timedelta) -> list[Any]:
    since = datetime.now(UTC) - token_lifetime
    rows: list[Any] = await tx.fetch(
        "SELECT id, public_jwk, private_jwk, retired_at FROM signing_keys"
        " WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC",
        since,
    )
    return rows


async def rotate(tx: Transaction, secret: str) -> None:
    """Retire the signing key and make a new one (platform transaction)."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtext('socle.signing_keys'))")
    await tx.execute("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL")
    await _insert_key(tx, secret, "signing_key.rotate")


class KeyStore:
    """The process's copy of the key ring, reloaded every few minutes (to sign
    with a key another process rotated in) and when a token names an unknown key."""

    RELOAD_EVERY = timedelta(minutes=5)
    UNKNOWN_KID_RELOAD_MIN_INTERVAL = timedelta(seconds=10)

    def __init__(self, secret: str, *, token_lifetime: timedelta) -> None:
        self._secret = secret
        self._token_lifetime = token_lifetime
        self._ring: KeyRing | None = None
        self._loaded_at = datetime.min.replace(tzinfo=UTC)

    async def ring(self) -> KeyRing:
        """The current key ring."""
        if self._ring is None or datetime.now(UTC) - self._loaded_at > self.RELOAD_EVERY:
            await self.reload()
        assert self._ring is not None
        return self._ring

    async def ring_knowing(self, kid: str | None) -> KeyRing:
        """The key ring, reloaded first if it does not know ``kid`` (rate-limited)."""
        ring = await self.ring()
        known = kid is not None and any(key.kid == kid for key in ring.published)
        if not known and datetime.now(UTC) - self._loaded_at > self.UNKNOWN_KID_RELOAD_MIN_INTERVAL:
            await self.reload()
            ring = await self.ring()
        return ring

    async def reload(self) -> None:
        """Read the keys from the database."""
        async with platform_tx() as tx:
            self._ring = await load(tx, self._secret, token_lifetime=self._token_lifetime)
        self._loaded_at = datetime.now(UTC)
