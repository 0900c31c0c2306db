"""Signing in with a one-time code sent by SMS, for members paying from a
phone: six digits, valid five minutes, single use, five attempts, three codes
per account per quarter of an hour.

Asking for a code does the same whatever the number: the request is counted
against the number and the address, recorded and handed to a job, which
finds the account, applies its limit, makes the code and sends it; so the
answer says the same, as fast, whether the number has an account. Wrong
codes are counted against the number and the address like wrong passwords
(:mod:`tenants.identity.throttle`): slowed down, then locked.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Viewer
from tenants.identity import errors, throttle
from tenants.identity.keys import KeyRing
from tenants.identity.sessions import Tokens, normalize_identifier, open_session, session_event
from tenants.ids import new_id
from tenants.tx import Transaction

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
MAX_CODES = 3
CODES_WINDOW = timedelta(minutes=15)
REQUESTS_PER_PHONE = throttle.Limit(slow_after=10, lock_after=10, window=timedelta(hours=1), lock=timedelta(hours=1))
"""Codes asked for one number, whether an account has it or not."""
REQUESTS_PER_ADDRESS = throttle.Limit(slow_after=50, lock_after=50, window=timedelta(hours=1), lock=timedelta(hours=1))
"""Codes asked from one source address, for any number."""
WRONG_CODES_PER_PHONE = throttle.Limit(slow_after=3, lock_after=10, window=timedelta(hours=1), lock=timedelta(hours=1))
"""Wrong codes for one number, whatever the code: at most ten guesses an hour."""
WRONG_CODES_PER_ADDRESS = throttle.Limit(slow_after=20, lock_after=50)
"""Wrong codes from one source address, for any number."""


SEND_ACTOR = "send_sign_in_code"
"""The job that makes a code and sends it by SMS (``workers.codes``)."""


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


def phone_of(raw: str) -> str:
    """``raw`` as an E.164 number; ``InvalidIdentifier`` when it is not one."""
    kind, phone = normalize_identifier(raw)
    if kind != "phone":
        raise errors.InvalidIdentifier(path=("input", "phone"))
    return phone


def attempt_keys(phone: str, address: str | None) -> list[throttle.Key]:
    """The keys wrong codes for ``phone`` from ``address`` are counted against."""
    return throttle.keys(
        throttle.Key(f"code:phone:{phone}", WRONG_CODES_PER_PHONE), address, "code:", WRONG_CODES_PER_ADDRESS
    )


async def request_code(tx: Transaction, raw_phone: str, origin: Viewer) -> str:
    """Ask for a code for the account with this phone (platform transaction):
    counted, recorded and queued alike for any number. The number in E.164."""
    phone = phone_of(raw_phone)
    keys = throttle.keys(
        throttle.Key(f"code_request:phone:{phone}", REQUESTS_PER_PHONE),
        origin.source_address,
        "code_request:",
        REQUESTS_PER_ADDRESS,
    )
    await throttle.count_request(tx, keys, ("input", "phone"))
    await audit.record(tx, session_event("sign_in_code.request", origin.principal, None, None, origin, phone=phone))
    await tx.enqueue(
        SEND_ACTOR,
        code_id=str(new_id()),
        phone=phone,
        request_id=origin.request_id,
        source_address=origin.source_address,
    )
    return phone


async def prepare_code(tx: Transaction, secret: str, code_id: UUID, phone: str, origin: Viewer) -> CodeToSend | None:
    """The SMS to send for a request (the job's platform transaction): a code
    made for the active account with ``phone`` unless it had three this
    quarter hour; a retried job finds the code it made. None when nothing is
    to be sent."""
    if await tx.fetchval("SELECT EXISTS (SELECT 1 FROM one_time_codes WHERE id = $1)", code_id):
        return await code_to_send(tx, secret, code_id)
    user = await tx.fetchrow("SELECT id, locale FROM users WHERE phone = $1 AND is_active", phone)
    if user is None:
        return None
    if not await throttle.account_may_have_another(
        tx, "one_time_codes", user["id"], window=CODES_WINDOW, maximum=MAX_CODES
    ):
        return None
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
    return CodeToSend(phone=phone, code=code, locale=user["locale"])


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


async def _refuse(tx: Transaction, phone: str, origin: Viewer) -> errors.InvalidCode:
    invalid = errors.InvalidCode(path=("input", "code"))
    await audit.record(
        tx,
        session_event("session.create_refused", origin.principal, None, None, origin, phone=phone, reason=invalid.code),
    )
    return invalid


async def verify_code(
    tx: Transaction, secret: str, ring: KeyRing, phone: str, code: str, tenant_slug: str | None, origin: Viewer
) -> Tokens | errors.InvalidCode:
    """Open a session if ``code`` is the latest live code of ``phone`` (E.164;
    platform transaction). A wrong code uses up an attempt; the error is
    returned, not raised, so that the attempt is counted; every wrong code,
    whether the number has a live code or not, is recorded alike."""
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
    if row is None or row["attempts"] >= MAX_ATTEMPTS:
        return await _refuse(tx, phone, origin)
    if not hmac.compare_digest(row["code_hash"], _digest(secret, str(row["id"]), code.strip())):
        await tx.execute("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1", row["id"])
        return await _refuse(tx, phone, origin)
    await tx.execute("UPDATE one_time_codes SET used_at = now() WHERE id = $1", row["id"])
    return await open_session(tx, ring, row["user_id"], row["full_name"], tenant_slug, origin)
