"""Forgotten and changed passwords.

A forgotten password is replaced through a link sent to the account's email
address or phone: valid one hour, single use, three per hour. A job sends the
link, so asking answers the same, as fast, whether the account exists or not
and whatever the sender does. A new password, reset or changed, ends the
account's other sessions and uses up the open links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, Viewer
from tenants.identity import errors, opaque_tokens, throttle
from tenants.identity.passwords import check_strength, hash_password, verify_password
from tenants.identity.sessions import account_event, normalize_identifier
from tenants.ids import new_id
from tenants.tx import Transaction

RESET_LIFETIME = timedelta(hours=1)
MAX_RESETS = 3
RESETS_WINDOW = timedelta(hours=1)
SEND_ACTOR = "send_password_reset"
"""The job that sends a reset link (``workers.passwords``)."""


def _token(secret: str, reset_id: UUID) -> str:
    return opaque_tokens.derive(secret, "password_reset", reset_id)


@dataclass(frozen=True)
class ResetToSend:
    """A reset link to send."""

    address: str
    token: str
    locale: str


async def request_reset(tx: Transaction, raw_identifier: str, origin: Viewer, secret: str) -> None:
    """Queue a reset link for the active account with this email or phone
    (platform transaction); nothing when there is none or too many were asked for."""
    channel, identifier = normalize_identifier(raw_identifier)
    user = await tx.fetchrow(
        f"SELECT id FROM users WHERE {channel} = $1 AND is_active",  # channel: email or phone
        identifier,
    )
    if user is None:
        return
    # Serialises the requests of one account, so that the limit holds.
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('password_reset:' || $1, 0))", str(user["id"]))
    recent = await tx.fetchval(
        "SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > now() - $2::interval",
        user["id"],
        RESETS_WINDOW,
    )
    if recent >= MAX_RESETS:
        return
    reset_id = new_id()
    await tx.execute(
        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, now(), now() + $4::interval)",
        reset_id,
        user["id"],
        opaque_tokens.digest(_token(secret, reset_id)),
        RESET_LIFETIME,
    )
    await audit.record(tx, account_event("password_reset.request", origin.principal, None, "user", user["id"], origin))
    await tx.enqueue(SEND_ACTOR, reset_id=str(reset_id), channel=channel)


async def reset_to_send(tx: Transaction, reset_id: UUID, channel: str, secret: str) -> ResetToSend | None:
    """The link of a reset still open, to send by ``channel`` (the job's
    platform transaction); None once used or expired."""
    row = await tx.fetchrow(
        "SELECT u.email, u.phone, u.locale FROM password_resets r JOIN users u ON u.id = r.user_id"
        " WHERE r.id = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active",
        reset_id,
    )
    if row is None or row[channel] is None:
        return None
    return ResetToSend(address=row[channel], token=_token(secret, reset_id), locale=row["locale"])


async def _set_password(tx: Transaction, user_id: UUID, password: str, *, keep_session: UUID | None) -> int:
    """Store a new password, end the account's other sessions and forget its
    failed sign-ins; the number of sessions ended."""
    account = await tx.fetchrow(
        "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email, phone", user_id, hash_password(password)
    )
    ended = await tx.fetch(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = 'password_changed'"
        " WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2 RETURNING id",
        user_id,
        keep_session,
    )
    # Any new password uses up the reset links still open: one that leaked cannot undo it.
    await tx.execute("UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", user_id)
    identifiers = [account["email"], account["phone"], f"user:{user_id}"]
    await throttle.clear_accounts(tx, [identifier for identifier in identifiers if identifier])
    return len(ended)


async def reset_password(tx: Transaction, token: str, password: str, origin: Viewer) -> int:
    """Set the password of the account a live reset link belongs to
    (platform transaction); every link of the account is used up. The number
    of sessions ended."""
    row = await tx.fetchrow(
        """
        SELECT r.user_id, u.full_name FROM password_resets r JOIN users u ON u.id = r.user_id
        WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active
        FOR UPDATE OF r
        """,
        opaque_tokens.digest(token),
    )
    if row is None:
        raise errors.InvalidResetToken(path=("input", "token"))
    check_strength(password)
    ended = await _set_password(tx, row["user_id"], password, keep_session=None)
    actor = Principal(kind=PrincipalKind.USER, id=row["user_id"], name=row["full_name"])
    await audit.record(tx, account_event("user.password_reset", actor, None, "user", row["user_id"], origin))
    return ended


async def change_password(tx: Transaction, origin: Viewer, user_id: UUID, current: str, new: str) -> int:
    """Change the password of ``user_id``, the signed-in user of ``origin``
    (platform transaction); their other sessions end. The number of sessions ended."""
    password_hash = await tx.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)
    if not verify_password(password_hash, current):
        raise errors.InvalidCredentials(path=("input", "currentPassword"))
    check_strength(new, ("input", "newPassword"))
    ended = await _set_password(tx, user_id, new, keep_session=origin.principal.session_id)
    tenant_id = origin.tenant.tenant_id if origin.tenant else None
    await audit.record(tx, account_event("user.password_change", origin.principal, tenant_id, "user", user_id, origin))
    return ended
