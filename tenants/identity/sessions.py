"""Signing in with a password, refreshing a session, signing out.

A session lives in one tenant. Its refresh tokens are opaque, derived from
their row's id under the secret key, stored as SHA-256 and single-use: each
refresh returns a new one. The same token presented again within a few
seconds (two tabs, a network retry) gets the same new one again; later, or
once that new one was itself used, a used token is taken as a stolen copy
and revokes the whole session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, Viewer
from tenants.errors import DomainError
from tenants.identity import errors, opaque_tokens, tokens
from tenants.identity.contacts import e164
from tenants.identity.keys import KeyRing
from tenants.identity.passwords import hash_password, needs_rehash, verify_password
from tenants.ids import new_id
from tenants.tx import Transaction

REFRESH_TOKEN_LIFETIME = timedelta(days=30)
REFRESH_RETRY_GRACE = timedelta(seconds=10)
"""How long a used refresh token still gets the token its use issued."""


@dataclass(frozen=True)
class Credentials:
    """What signing in with a password needs."""

    identifier: str
    """An email address or a phone number in E.164 (+221...)."""
    password: str
    tenant_slug: str | None = None
    """The tenant to sign in to; needed when the user belongs to several."""


@dataclass(frozen=True)
class Tokens:
    """A session's tokens."""

    tenant_id: UUID
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


def normalize_identifier(identifier: str) -> tuple[str, str]:
    """``("email", address)`` or ``("phone", E.164 number)``."""
    value = identifier.strip()
    if "@" in value:
        return "email", value.lower()
    phone = e164(value)
    if phone is None:
        raise errors.InvalidIdentifier(path=("input", "identifier"))
    return "phone", phone


def account_key(identifier: str) -> str:
    """The identifier as failed attempts are counted: normalized when it can
    be (no account has one that cannot, and its count is given back)."""
    try:
        return normalize_identifier(identifier)[1]
    except errors.InvalidIdentifier:
        return identifier.strip().lower()[:254]


def _refresh_token(ring: KeyRing, token_id: UUID) -> str:
    return opaque_tokens.derive(ring.refresh_secret, "refresh", token_id)


async def _new_refresh_token(tx: Transaction, ring: KeyRing, session_id: UUID) -> tuple[UUID, str, datetime]:
    token_id = new_id()
    expires_at = datetime.now(UTC) + REFRESH_TOKEN_LIFETIME
    token = _refresh_token(ring, token_id)
    await tx.execute(
        "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, now(), $4)",
        token_id,
        session_id,
        opaque_tokens.digest(token),
        expires_at,
    )
    return token_id, token, expires_at


def _signed(
    ring: KeyRing, session_id: UUID, user_id: UUID, tenant_id: UUID, refresh_token: str, refresh_expires: datetime
) -> Tokens:
    access_token, access_expires = tokens.issue(
        ring,
        tokens.AccessClaims(kind=PrincipalKind.USER, subject=user_id, tenant_id=tenant_id, session_id=session_id),
    )
    return Tokens(
        tenant_id=tenant_id,
        access_token=access_token,
        access_token_expires_at=access_expires,
        refresh_token=refresh_token,
        refresh_token_expires_at=refresh_expires,
    )


async def _issue(tx: Transaction, ring: KeyRing, session_id: UUID, user_id: UUID, tenant_id: UUID) -> Tokens:
    _, refresh_token, refresh_expires = await _new_refresh_token(tx, ring, session_id)
    return _signed(ring, session_id, user_id, tenant_id, refresh_token, refresh_expires)


@dataclass(frozen=True)
class Account:
    """An active account whose password was checked."""

    user_id: UUID
    full_name: str
    new_hash: str | None = None
    """The password hashed again, when the stored hash was made with weaker
    parameters than today's."""


async def account_to_check(tx: Transaction, identifier: str) -> Any:
    """The account (id, full_name, password_hash, is_active) with this email
    or phone, or None (platform transaction)."""
    kind, value = normalize_identifier(identifier)
    return await tx.fetchrow(
        f"SELECT id, full_name, password_hash, is_active FROM users WHERE {kind} = $1",  # kind: "email" or "phone"
        value,
    )


async def check_password(account: Any, password: str) -> Account:
    """``account`` (a row of :func:`account_to_check`) if ``password`` is its
    own and it is active; ``InvalidCredentials`` otherwise, at the same cost
    for an unknown account. Runs outside any transaction: hashing takes long."""
    matches = await verify_password(account["password_hash"] if account else None, password)
    if not matches or not account["is_active"]:
        raise errors.InvalidCredentials(path=("input", "password"))
    new_hash = await hash_password(password) if needs_rehash(account["password_hash"]) else None
    return Account(user_id=account["id"], full_name=account["full_name"], new_hash=new_hash)


async def sign_in(tx: Transaction, ring: KeyRing, account: Account, tenant_slug: str | None, origin: Viewer) -> Tokens:
    """Open a session for an account whose password was checked, in the
    chosen tenant (platform transaction); written to the tenant's audit log."""
    if account.new_hash is not None:
        await tx.execute("UPDATE users SET password_hash = $2 WHERE id = $1", account.user_id, account.new_hash)
    return await open_session(tx, ring, account.user_id, account.full_name, tenant_slug, origin)


async def open_session(
    tx: Transaction, ring: KeyRing, user_id: UUID, full_name: str, tenant_slug: str | None, origin: Viewer
) -> Tokens:
    """Open a session for a user whose identity is proven, in the tenant
    they chose (or their only one); written to the tenant's audit log."""
    memberships = await tx.fetch(
        "SELECT t.id, t.slug FROM memberships m JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id"
        " WHERE m.user_id = $1 AND m.is_active AND u.is_active AND t.status <> 'withdrawn' ORDER BY t.slug",
        user_id,
        across_tenants=True,  # the tenants a person may sign in to
    )
    if tenant_slug is not None:
        chosen = [row for row in memberships if row["slug"] == tenant_slug]
        if not chosen:
            raise errors.NotAMember(path=("input", "tenant"), tenant=tenant_slug)
    elif len(memberships) == 1:
        chosen = memberships
    elif memberships:
        raise errors.TenantRequired(path=("input", "tenant"), tenants=", ".join(row["slug"] for row in memberships))
    else:
        raise errors.InvalidCredentials(path=("input", "password"))
    tenant_id = chosen[0]["id"]
    session_id = new_id()
    await tx.execute(
        "INSERT INTO sessions (id, user_id, tenant_id, created_at) VALUES ($1, $2, $3, now())",
        session_id,
        user_id,
        tenant_id,
    )
    actor = Principal(kind=PrincipalKind.USER, id=user_id, name=full_name)
    await audit.record(tx, session_event("session.create", actor, tenant_id, session_id, origin))
    return await _issue(tx, ring, session_id, user_id, tenant_id)


def session_event(
    action: str, actor: Principal, tenant_id: UUID | None, session_id: UUID | None, origin: Viewer, **summary: Any
) -> audit.Event:
    """An event of signing in or out, from the request ``origin``."""
    return account_event(action, actor, tenant_id, "session" if session_id else None, session_id, origin, **summary)


def account_event(
    action: str,
    actor: Principal,
    tenant_id: UUID | None,
    target_type: str | None,
    target_id: UUID | None,
    origin: Viewer,
    **summary: Any,
) -> audit.Event:
    """An event about an account (its sessions, its password) from the request
    ``origin``, which may come before anyone is signed in."""
    return audit.Event(
        action=action,
        actor=actor,
        tenant_id=tenant_id,
        target_type=target_type,
        target_id=str(target_id) if target_id else None,
        request_id=origin.request_id,
        source_address=origin.source_address,
        summary=summary,
    )


WRONG_PASSWORD = (errors.InvalidCredentials, errors.WrongPassword)
"""The refusals that keep their reservation against the account and the address."""


async def record_refusal(
    tx: Transaction, error: DomainError, origin: Viewer, action: str = "session.create_refused", **summary: Any
) -> None:
    """Write a refused attempt (``action``: a sign-in by default) to Socle's
    own audit chain, with its reason and ``summary`` (platform transaction)."""
    await audit.record(tx, session_event(action, origin.principal, None, None, origin, **summary, reason=error.code))


async def refresh(
    tx: Transaction, ring: KeyRing, refresh_token: str, origin: Viewer
) -> Tokens | errors.InvalidRefreshToken:
    """Exchange a refresh token for new tokens (platform transaction).

    A token used within the last :data:`REFRESH_RETRY_GRACE` whose
    replacement is still unused gets that replacement again, so concurrent
    refreshes of one session all succeed alike. Any other token used a second
    time revokes its session; the error is returned rather than raised so that
    the revocation commits.
    """
    # Concurrent refreshes of one token queue on its row: the first one
    # replaces it, the others then read the replacement it committed.
    row = await tx.fetchrow(
        """
        SELECT r.id, r.used_at, r.expires_at, s.id AS session_id, s.user_id, s.tenant_id, s.revoked_at,
               t.status = 'withdrawn' AS withdrawn
        FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN tenants t ON t.id = s.tenant_id
        WHERE r.token_hash = $1
        FOR UPDATE OF r, s
        """,
        opaque_tokens.digest(refresh_token),
    )
    invalid = errors.InvalidRefreshToken(path=("input", "refreshToken"))
    if row is None or row["revoked_at"] is not None or row["withdrawn"] or row["expires_at"] <= datetime.now(UTC):
        return invalid
    session_id, user_id, tenant_id = row["session_id"], row["user_id"], row["tenant_id"]
    actor = Principal(kind=PrincipalKind.USER, id=user_id)
    if row["used_at"] is None:
        replacement_id, replacement, expires_at = await _new_refresh_token(tx, ring, session_id)
        await tx.execute(
            "UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE id = $1", row["id"], replacement_id
        )
        await audit.record(tx, session_event("session.refresh", actor, tenant_id, session_id, origin))
        return _signed(ring, session_id, user_id, tenant_id, replacement, expires_at)
    retried = await tx.fetchrow(
        "SELECT n.id, n.expires_at FROM refresh_tokens r JOIN refresh_tokens n ON n.id = r.replaced_by"
        " WHERE r.id = $1 AND n.used_at IS NULL AND r.used_at > clock_timestamp() - $2::interval",
        row["id"],
        REFRESH_RETRY_GRACE,
    )
    if retried is not None:
        await audit.record(tx, session_event("session.refresh", actor, tenant_id, session_id, origin, retry=True))
        return _signed(ring, session_id, user_id, tenant_id, _refresh_token(ring, retried["id"]), retried["expires_at"])
    await revoke_session(tx, session_id, reason="reuse")
    await audit.record(tx, session_event("session.revoke", actor, tenant_id, session_id, origin, reason="reuse"))
    return invalid


async def revoke_session(tx: Transaction, session_id: UUID, *, reason: str) -> None:
    """End a session: its access tokens stop working at once, its refresh tokens too."""
    await tx.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
        session_id,
        reason,
    )


async def sign_out(tx: Transaction, origin: Viewer) -> bool:
    """End the caller's session (platform transaction); False without one."""
    session_id = origin.principal.session_id
    if session_id is None or origin.tenant is None:
        return False
    await revoke_session(tx, session_id, reason="logout")
    await audit.record(
        tx,
        session_event("session.revoke", origin.principal, origin.tenant.tenant_id, session_id, origin, reason="logout"),
    )
    return True
