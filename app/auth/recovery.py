"""Forgotten and changed passwords.

A forgotten password is replaced through a link sent to the account's email
address or phone: valid one hour, single use, three per hour; asking never
reveals whether the account exists. A new password, reset or changed, ends
the account's other sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from app.auth import errors, throttle
from app.auth.sessions import normalize_identifier
from tenants import audit
from tenants.context import Principal, PrincipalKind, Viewer
from tenants.ids import new_id
from tenants.passwords import check_strength, hash_password, verify_password
from tenants.tx import Transaction

RESET_LIFETIME = timedelta(hours=1)
MAX_RESETS = 3
RESETS_WINDOW = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetToSend:
    """A reset link to send once the request is committed."""

    channel: str
    """``email`` or ``phone``."""
    address: str
    token: str
    locale: str


def _event(action: str, actor: Principal, user_id: UUID, origin: Viewer, tenant_id: UUID | None = None) -> audit.Event:
    return audit.Event(
        action=action,
        actor=actor,
        tenant_id=tenant_id,
        target_type="user",
        target_id=str(user_id),
        request_id=origin.request_id,
        source_address=origin.source_address,
    )


async def request_reset(tx: Transaction, raw_identifier: str, origin: Viewer) -> ResetToSend | None:
    """Make a reset link for the active account with this email or phone
    (platform transaction); None when there is none or too many were asked for."""
    channel, identifier = normalize_identifier(raw_identifier)
    user = await tx.connection.fetchrow(
        f"SELECT id, locale FROM users WHERE {channel} = $1 AND is_active",  # channel: email or phone
        identifier,
    )
    if user is None:
        return None
    recent = await tx.connection.fetchval(
        "SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > now() - $2::interval",
        user["id"],
        RESETS_WINDOW,
    )
    if recent >= MAX_RESETS:
        return None
    token = secrets.token_urlsafe(32)
    await tx.connection.execute(
        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, now(), now() + $4::interval)",
        new_id(),
        user["id"],
        _digest(token),
        RESET_LIFETIME,
    )
    await audit.record(tx, _event("password_reset.request", origin.principal, user["id"], origin))
    return ResetToSend(channel=channel, address=identifier, token=token, locale=user["locale"])


async def _set_password(tx: Transaction, user_id: UUID, password: str, *, keep_session: UUID | None) -> int:
    """Store a new password, end the account's other sessions and forget its
    failed sign-ins; the number of sessions ended."""
    account = await tx.connection.fetchrow(
        "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email, phone", user_id, hash_password(password)
    )
    ended = await tx.connection.fetch(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = 'password_changed'"
        " WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2 RETURNING id",
        user_id,
        keep_session,
    )
    for identifier in (account["email"], account["phone"]):
        if identifier:
            await throttle.clear_account(tx, identifier)
    return len(ended)


async def reset_password(tx: Transaction, token: str, password: str, origin: Viewer) -> int:
    """Set the password of the account a live reset link belongs to
    (platform transaction); every link of the account is used up. The number
    of sessions ended."""
    row = await tx.connection.fetchrow(
        """
        SELECT r.user_id, u.full_name FROM password_resets r JOIN users u ON u.id = r.user_id
        WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active
        FOR UPDATE OF r
        """,
        _digest(token.strip()),
    )
    if row is None:
        raise errors.InvalidResetToken(path=("input", "token"))
    check_strength(password)
    ended = await _set_password(tx, row["user_id"], password, keep_session=None)
    await tx.connection.execute(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", row["user_id"]
    )
    actor = Principal(kind=PrincipalKind.USER, id=row["user_id"], name=row["full_name"])
    await audit.record(tx, _event("user.password_reset", actor, row["user_id"], origin))
    return ended


async def change_password(tx: Transaction, origin: Viewer, user_id: UUID, current: str, new: str) -> int:
    """Change the password of ``user_id``, the signed-in user of ``origin``
    (platform transaction); their other sessions end. The number of sessions ended."""
    password_hash = await tx.connection.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)
    if not verify_password(password_hash, current):
        raise errors.InvalidCredentials(path=("input", "currentPassword"))
    check_strength(new, ("input", "newPassword"))
    ended = await _set_password(tx, user_id, new, keep_session=origin.principal.session_id)
    tenant_id = origin.tenant.tenant_id if origin.tenant else None
    await audit.record(tx, _event("user.password_change", origin.principal, user_id, origin, tenant_id))
    return ended
