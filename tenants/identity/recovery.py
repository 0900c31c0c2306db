"""Forgotten and changed passwords.

A forgotten password is replaced through a link sent to the account's email
address or phone: valid one hour, single use, three per hour. Asking does
the same whatever the identifier: the request is counted against the
identifier and the address, recorded and handed to a job, which finds the
account, applies its limit and sends the link. So the answer comes as fast,
and says the same, whether the account exists or not. A new password, reset
or changed, ends the account's other sessions and uses up the open links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
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
REQUESTS_PER_IDENTIFIER = throttle.Limit(
    slow_after=10, lock_after=10, window=timedelta(hours=1), lock=timedelta(hours=1)
)
"""Requests for one email or phone, whether an account has it or not."""
REQUESTS_PER_ADDRESS = throttle.Limit(slow_after=50, lock_after=50, window=timedelta(hours=1), lock=timedelta(hours=1))
"""Requests from one source address, for any identifier."""
SEND_ACTOR = "send_password_reset"
"""The job that makes and sends a reset link (``workers.passwords``)."""


def _token(secret: str, reset_id: UUID) -> str:
    return opaque_tokens.derive(secret, "password_reset", reset_id)


@dataclass(frozen=True)
class ResetToSend:
    """A reset link to send."""

    address: str
    token: str
    locale: str


async def request_reset(tx: Transaction, raw_identifier: str, origin: Viewer) -> None:
    """Ask for a reset link for the account with this email or phone
    (platform transaction): counted, recorded and queued alike for any
    identifier; the job makes the link if an active account has it."""
    channel, identifier = normalize_identifier(raw_identifier)
    keys = throttle.keys(
        throttle.Key(f"reset_request:account:{identifier}", REQUESTS_PER_IDENTIFIER),
        origin.source_address,
        "reset_request:",
        REQUESTS_PER_ADDRESS,
    )
    await throttle.count_request(tx, keys, ("input", "identifier"))
    await audit.record(
        tx, account_event("password_reset.request", origin.principal, None, None, None, origin, identifier=identifier)
    )
    await tx.enqueue(
        SEND_ACTOR,
        reset_id=str(new_id()),
        channel=channel,
        identifier=identifier,
        request_id=origin.request_id,
        source_address=origin.source_address,
    )


async def prepare_reset(
    tx: Transaction, reset_id: UUID, channel: str, identifier: str, origin: Viewer, secret: str
) -> ResetToSend | None:
    """The link to send for a request (the job's platform transaction): made
    for the active account with ``identifier`` unless it had three this hour;
    a retried job finds the link it made. None when nothing is to be sent."""
    if await tx.fetchval("SELECT EXISTS (SELECT 1 FROM password_resets WHERE id = $1)", reset_id):
        return await reset_to_send(tx, reset_id, channel, secret)
    user = await tx.fetchrow(
        f"SELECT id, email, phone, locale FROM users WHERE {channel} = $1 AND is_active",  # channel: email or phone
        identifier,
    )
    if user is None:
        return None
    if not await throttle.account_may_have_another(
        tx, "password_resets", user["id"], window=RESETS_WINDOW, maximum=MAX_RESETS
    ):
        return None
    await tx.execute(
        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, now(), now() + $4::interval)",
        reset_id,
        user["id"],
        opaque_tokens.digest(_token(secret, reset_id)),
        RESET_LIFETIME,
    )
    await audit.record(tx, account_event("password_reset.create", origin.principal, None, "user", user["id"], origin))
    return ResetToSend(address=user[channel], token=_token(secret, reset_id), locale=user["locale"])


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


async def _set_password(tx: Transaction, user_id: UUID, password_hash: str, *, keep_session: UUID | None) -> int:
    """Store a new password's hash, end the account's other sessions and
    forget its failed sign-ins; the number of sessions ended."""
    account = await tx.fetchrow(
        "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email, phone", user_id, password_hash
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
    await throttle.clear(tx, [f"account:{identifier}" for identifier in identifiers if identifier])
    return len(ended)


_OPEN_RESET = """
SELECT r.user_id, u.full_name FROM password_resets r JOIN users u ON u.id = r.user_id
WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active
"""


async def check_reset_token(tx: Transaction, token: str) -> None:
    """Refuse a reset token that is not a live link's (platform transaction),
    before any hashing is spent on its password."""
    if await tx.fetchrow(_OPEN_RESET, opaque_tokens.digest(token)) is None:
        raise errors.InvalidResetToken(path=("input", "token"))


async def new_password_hash(password: str, path: tuple[str, ...] = ("input", "password")) -> str:
    """The hash of a new password strong enough (the input at ``path``); made
    before the transaction that stores it, which does not wait on it."""
    check_strength(password, path)
    return await hash_password(password)


async def reset_password(tx: Transaction, token: str, password_hash: str, origin: Viewer) -> int:
    """Set the password (already hashed) of the account a live reset link
    belongs to (platform transaction); every link of the account is used up.
    The number of sessions ended."""
    row = await tx.fetchrow(_OPEN_RESET + " FOR UPDATE OF r", opaque_tokens.digest(token))
    if row is None:
        raise errors.InvalidResetToken(path=("input", "token"))
    ended = await _set_password(tx, row["user_id"], password_hash, keep_session=None)
    actor = Principal(kind=PrincipalKind.USER, id=row["user_id"], name=row["full_name"])
    await audit.record(tx, account_event("user.password_reset", actor, None, "user", row["user_id"], origin))
    return ended


async def password_hash_of(tx: Transaction, user_id: UUID) -> Any:
    """The stored password hash of ``user_id`` (platform transaction)."""
    return await tx.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)


async def check_password_change(current_hash: str | None, current: str, new: str) -> str:
    """The hash of ``new`` if ``current`` is the password of ``current_hash``
    and ``new`` is strong enough; run outside any transaction."""
    if not await verify_password(current_hash, current):
        raise errors.InvalidCredentials(path=("input", "currentPassword"))
    return await new_password_hash(new, ("input", "newPassword"))


async def change_password(
    tx: Transaction, origin: Viewer, user_id: UUID, current_hash: str | None, new_hash: str
) -> int:
    """Store the new password of ``user_id``, the signed-in user of ``origin``
    (platform transaction), unless it changed since ``current_hash`` was
    checked; their other sessions end. The number of sessions ended."""
    unchanged = await tx.fetchval(
        "SELECT password_hash IS NOT DISTINCT FROM $2 FROM users WHERE id = $1 FOR UPDATE", user_id, current_hash
    )
    if not unchanged:
        raise errors.InvalidCredentials(path=("input", "currentPassword"))
    ended = await _set_password(tx, user_id, new_hash, keep_session=origin.principal.session_id)
    tenant_id = origin.tenant.tenant_id if origin.tenant else None
    await audit.record(tx, account_event("user.password_change", origin.principal, tenant_id, "user", user_id, origin))
    return ended
