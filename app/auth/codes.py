"""Signing in with a one-time code sent by SMS, for members paying from a
phone: six digits, valid five minutes, single use, five attempts, three codes
per phone per quarter of an hour. Asking for a code never reveals whether
the number has an account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from app.auth import errors
from app.auth.keys import KeyRing
from app.auth.sessions import Tokens, normalize_identifier, open_session, session_event
from tenants import audit
from tenants.context import Viewer
from tenants.ids import new_id
from tenants.tx import Transaction

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
MAX_CODES = 3
CODES_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class CodeToSend:
    """An SMS to send once the code is committed."""

    phone: str
    code: str
    locale: str


def _digest(secret: str, code_id: str, code: str) -> str:
    # Keyed: six digits are too few to store as a plain hash.
    return hmac.new(secret.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone(raw: str) -> str:
    kind, phone = normalize_identifier(raw)
    if kind != "phone":
        raise errors.InvalidIdentifier(path=("input", "phone"))
    return phone


async def request_code(tx: Transaction, secret: str, raw_phone: str, origin: Viewer) -> CodeToSend | None:
    """Make a code for the account with this phone (platform transaction);
    None when there is no active account or too many codes were asked for."""
    phone = _phone(raw_phone)
    user = await tx.connection.fetchrow("SELECT id, locale FROM users WHERE phone = $1 AND is_active", phone)
    if user is None:
        return None
    recent = await tx.connection.fetchval(
        "SELECT count(*) FROM one_time_codes WHERE user_id = $1 AND created_at > now() - $2::interval",
        user["id"],
        CODES_WINDOW,
    )
    if recent >= MAX_CODES:
        return None
    code_id, code = new_id(), f"{secrets.randbelow(10**6):06d}"
    await tx.connection.execute(
        "INSERT INTO one_time_codes (id, user_id, code_hash, created_at, expires_at, attempts)"
        " VALUES ($1, $2, $3, now(), now() + $4::interval, 0)",
        code_id,
        user["id"],
        _digest(secret, str(code_id), code),
        CODE_LIFETIME,
    )
    await audit.record(tx, session_event("sign_in_code.create", origin.principal, None, None, origin, phone=phone))
    return CodeToSend(phone=phone, code=code, locale=user["locale"])


async def verify_code(
    tx: Transaction, secret: str, ring: KeyRing, raw_phone: str, code: str, tenant_slug: str | None, origin: Viewer
) -> Tokens | errors.InvalidCode:
    """Open a session if ``code`` is the phone's latest live code (platform
    transaction). A wrong code uses up an attempt; the error is returned, not
    raised, so that the attempt is counted."""
    phone = _phone(raw_phone)
    row = await tx.connection.fetchrow(
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
        await tx.connection.execute("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1", row["id"])
        await audit.record(
            tx,
            session_event(
                "session.create_refused", origin.principal, None, None, origin, phone=phone, reason=invalid.code
            ),
        )
        return invalid
    await tx.connection.execute("UPDATE one_time_codes SET used_at = now() WHERE id = $1", row["id"])
    return await open_session(tx, ring, row["user_id"], row["full_name"], tenant_slug, origin)
