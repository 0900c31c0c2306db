"""Access tokens: short-lived JWTs (RFC 9068 profile) signed with the key ring.

A token names its subject (a user or a partner application), the tenant of
the session and, for a user, the session whose revocation ends it; for an
application, its scopes. The role is not in the token: the server reads the
membership again on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from tenants.context import PrincipalKind
from tenants.identity.keys import ALGORITHM, KeyRing
from tenants.ids import new_id

ISSUER = "socle"
AUDIENCE = "socle-api"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
CLOCK_LEEWAY = timedelta(seconds=30)
"""How far the clocks of the nodes that sign and verify tokens may disagree:
``iat``, ``nbf`` and ``exp`` are checked with this much slack."""

_CLAIMS = JWTClaimsRegistry(
    leeway=int(CLOCK_LEEWAY.total_seconds()),
    iss={"essential": True, "value": ISSUER},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    exp={"essential": True},
    tid={"essential": True},
    typ={"essential": True, "values": [PrincipalKind.USER.value, PrincipalKind.CLIENT.value]},
)


@dataclass(frozen=True)
class AccessClaims:
    """What an access token says."""

    kind: PrincipalKind
    subject: UUID
    tenant_id: UUID
    session_id: UUID | None = None
    scopes: frozenset[str] = frozenset()


def issue(ring: KeyRing, claims: AccessClaims, *, now: datetime | None = None) -> tuple[str, datetime]:
    """Sign an access token; return it and when it expires."""
    issued = now or datetime.now(UTC)
    expires = issued + ACCESS_TOKEN_LIFETIME
    payload: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(claims.subject),
        "typ": claims.kind.value,
        "tid": str(claims.tenant_id),
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": new_id().hex,
    }
    if claims.session_id:
        payload["sid"] = str(claims.session_id)
    if claims.scopes:
        payload["scope"] = " ".join(sorted(claims.scopes))
    token = jwt.encode({"alg": ALGORITHM, "kid": ring.kid, "typ": "at+jwt"}, payload, ring.signing)
    return token, expires


def kid_of(token: str) -> str | None:
    """The key id in a token's header, without verifying it."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def verify(ring: KeyRing, token: str) -> AccessClaims | None:
    """The claims of a valid token; None for a forged, expired or foreign one."""
    try:
        decoded = jwt.decode(token, ring.published, algorithms=[ALGORITHM])
        _CLAIMS.validate(decoded.claims)
        claims = decoded.claims
        return AccessClaims(
            kind=PrincipalKind(claims["typ"]),
            subject=UUID(claims["sub"]),
            tenant_id=UUID(claims["tid"]),
            session_id=UUID(claims["sid"]) if "sid" in claims else None,
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )
    except (JoseError, ValueError, KeyError):
        return None
