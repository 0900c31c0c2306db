"""Signing in with a one-time code sent by SMS, for members paying from a
phone: six digits, valid five minutes, single use, five attempts, three codes
per phone per quarter of an hour. Asking for a code never reveals whether
the number has an account."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Viewer
from tenants.identity import errors
from tenants.identity.keys import KeyRing
from tenants.identity.sessions import Tokens, normalize_identifier, open_session, session_event
from tenants.ids import new_id
from tenants.tx import Transaction

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
MAX_CODES = 3
CODES_WINDOW = timedelta(minutes=15)


SEND_ACTOR = "send_sign_in_code"
"""The job that sends a code by SMS (``workers.codes``)."""


@dataclass(frozen=True)
class CodeToSend:
    """An SMS to send."""

    phone: str
    code: str
    locale: str


def _digest(secret: str, code_id: str, code: str) -> str:
    # Keyed: six digits are too few to store as a plain hash.
    return hmac.new(secret.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _derived_code(secret: str, code_id: UUID) -> str:
    """The six digits of a code: derived from its id under the secret key, so
    that the sending job finds them again and they are stored nowhere."""
    mac = hmac.new(secret.encode(), f"sign_in_code:{code_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**6:06d}"


def _phone(raw: str) -> str:
    kind, phone = normalize_identifier(raw)
    if kind != "phone":
        raise errors.InvalidIdentifier(path=("input", "phone"))
    return phone


async def request_code(tx: Transaction, secret: str, raw_phone: str, origin: Viewer) -> str:
    """Queue a code for the account with this phone (platform transaction);
    nothing when there is no active account or too many codes were asked
    for. The phone number in E.164."""
    phone = _phone(raw_phone)
    user = await tx.fetchrow("SELECT id FROM users WHERE phone = $1 AND is_active", phone)
    if user is None:
        return phone
    # Serialises the requests of one account, so that the limit holds.
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('sign_in_code:' || $1, 0))", str(user["id"]))
    recent = await tx.fetchval(
        "SELECT count(*) FROM one_time_codes WHERE user_id = $1 AND created_at > now() - $2::interval",
        user["id"],
        CODES_WINDOW,
    )
    if recent >= MAX_CODES:
        return phone
    code_id = new_id()
    code = _derived_code(secret, code_id)
    await tx.execute(
        "INSERT INTO one_time_codes (id, user_id, code_hash, created_at, expires_at, attempts)"
        " VALUES ($1, $2, $3, now(), now() + $4::interval, 0)",
        code_id,
        user["id"],
        _digest(secret, str(code_id), code),
        CODE_LIFETIME,
    )
    await audit.record(tx, session_event("sign_in_code.create", origin.principal, None, None, origin, phone=phone))
    await tx.enqueue(SEND_ACTOR, code_id=str(code_id))
    return phone


async def code_to_send(tx: Transaction, secret: str, code_id: UUID) -> CodeToSend | None:
    """The SMS of a code still live (the job's platform transaction); None once used or expired."""
    row = await tx.fetchrow(
        "SELECT u.phone, u.locale FROM one_time_codes c JOIN users u ON u.id = c.user_id"
        " WHERE c.id = $1 AND c.used_at IS NULL AND c.expires_at > now() AND u.is_active",
        code_id,
    )
    if row is None:
        return None
    return CodeToSend(phone=row["phone"], code=_derived_code(secret, code_id), locale=row["locale"])


async def verify_code(
    tx: Transaction, secret: str, ring: KeyRing, raw_phone: str, code: str, tenant_slug: str | None, origin: Viewer
) -> Tokens | errors.InvalidCode:
    """Open a session if ``code`` is the phone's latest live code (platform
    transaction). A wrong code uses up an attempt; the error is returned, not
    raised, so that the attempt is counted."""
    phone = _phone(raw_phone)
    row = await tx.fetchrow(
        """
        SELECT c.id, c.code_hash, c.attempts, u.id AS user_id, u.full_name
        FROM one_time_codes c JOIN users u ON u.id = c.user_id
        WHERE u.phone = $1 AND u.is_active AND c.used_at IS NULL AND c.expires_at > now()
        ORDER BY c.created_at DESC LIMIT 1
        FOR UPDATE OF c
        """,
        phone,
    )
    invalid = errors.InvalidCode(path=("input", "code"))
    if row is None or row["attempts"] >= MAX_ATTEMPTS:
        return invalid
    if not hmac.compare_digest(row["code_hash"], _digest(secret, str(row["id"]), code.strip())):
        await tx.execute("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1", row["id"])
        await audit.record(
            tx,
            session_event(
                "session.create_refused", origin.principal, None, None, origin, phone=phone, reason=invalid.code
            ),
        )
        return invalid
    await tx.execute("UPDATE one_time_codes SET used_at = now() WHERE id = $1", row["id"])
    return await open_session(tx, ring, row["user_id"], row["full_name"], tenant_slug, origin)
