"""Membership numbers: a tenant's format (prefix, zero-padded sequence, check
digits from python-stdnum) and a gapless counter.

The counter row is locked and advanced inside the enrolment's own
transaction, so enrolments of a tenant take numbers one after the other and
a rolled-back enrolment gives its number back: no gap, no repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from schemes.members import errors
from schemes.members.tables import CheckDigit
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.tx import Transaction

PREFIX = re.compile(r"^[A-Z0-9-]{0,12}$")
MAX_WIDTH = 12


@dataclass(frozen=True)
class NumberFormat:
    """How a tenant's membership numbers are written."""

    prefix: str = ""
    width: int = 6
    check_digit: CheckDigit = CheckDigit.LUHN

    def number(self, sequence: int) -> str:
        """The membership number of the ``sequence``-th member."""
        digits = str(sequence).zfill(self.width)
        return f"{self.prefix}{digits}{check_digits(self.check_digit, digits)}"

    def is_valid(self, number: str) -> bool:
        """Whether ``number`` is written in this format with the right check digits."""
        if not number.startswith(self.prefix):
            return False
        body = number[len(self.prefix) :]
        size = {CheckDigit.NONE: 0, CheckDigit.LUHN: 1, CheckDigit.ISO7064_MOD_97_10: 2}[self.check_digit]
        digits, check = (body[: len(body) - size], body[len(body) - size :]) if size else (body, "")
        return digits.isdigit() and len(digits) >= self.width and check_digits(self.check_digit, digits) == check


DEFAULT_FORMAT = NumberFormat()


def check_digits(kind: CheckDigit, digits: str) -> str:
    """The check digits of ``digits`` under ``kind`` (none: empty)."""
    if kind is CheckDigit.LUHN:
        return str(luhn.calc_check_digit(digits))
    if kind is CheckDigit.ISO7064_MOD_97_10:
        return str(mod_97_10.calc_check_digits(digits))
    return ""


@dataclass(frozen=True)
class Numbering:
    """A tenant's format and how many numbers it issued."""

    format: NumberFormat
    issued: int


def _numbering(row: object) -> Numbering:
    if row is None:
        return Numbering(format=DEFAULT_FORMAT, issued=0)
    values = dict(row)  # type: ignore[call-overload]
    number_format = NumberFormat(
        prefix=values["prefix"], width=values["width"], check_digit=CheckDigit(values["check_digit"])
    )
    return Numbering(format=number_format, issued=values["last_value"])


_COLUMNS = "prefix, width, check_digit, last_value"


async def read_numbering(tx: Transaction, ctx: TenantContext) -> Numbering:
    """The tenant's numbering (the default format until one is set)."""
    row = await tx.fetchrow(f"SELECT {_COLUMNS} FROM membership_numberings WHERE tenant_id = $1", ctx.tenant_id)
    return _numbering(row)


async def set_format(tx: Transaction, ctx: TenantContext, number_format: NumberFormat) -> Numbering:
    """Set the tenant's format; refused once a number was issued (numbers
    already printed on cards would no longer match)."""
    prefix = number_format.prefix.strip().upper()
    if not PREFIX.match(prefix):
        raise errors.InvalidNumbering(path=("input", "prefix"), maximum=12)
    if not 1 <= number_format.width <= MAX_WIDTH:
        raise errors.InvalidNumbering(path=("input", "width"), maximum=MAX_WIDTH)
    row = await lock(tx, ctx)
    if row.issued:
        raise errors.NumberingInUse(path=("input",), issued=row.issued)
    await tx.execute(
        "UPDATE membership_numberings SET prefix = $2, width = $3, check_digit = $4, updated_at = now()"
        " WHERE tenant_id = $1",
        ctx.tenant_id,
        prefix,
        number_format.width,
        number_format.check_digit.value,
    )
    await audit.record_change(
        tx,
        ctx,
        "membership_numbering.set",
        "tenant",
        ctx.tenant_id,
        prefix=prefix,
        width=str(number_format.width),
        check_digit=number_format.check_digit.value,
    )
    return Numbering(
        format=NumberFormat(prefix=prefix, width=number_format.width, check_digit=number_format.check_digit),
        issued=0,
    )


async def lock(tx: Transaction, ctx: TenantContext) -> Numbering:
    """Lock the tenant's counter row until the transaction ends, making it on
    first use: enrolments of the tenant queue here, one at a time."""
    statement = f"SELECT {_COLUMNS} FROM membership_numberings WHERE tenant_id = $1 FOR UPDATE"
    row = await tx.fetchrow(statement, ctx.tenant_id)
    if row is None:
        # Two first enrolments at once: the second insert waits for the
        # first's commit, then does nothing, and both lock the one row.
        status = await tx.execute(
            "INSERT INTO membership_numberings (id, tenant_id, prefix, width, check_digit, last_value, updated_at)"
            " VALUES (gen_random_uuid(), $1, $2, $3, $4, 0, now()) ON CONFLICT (tenant_id) DO NOTHING",
            ctx.tenant_id,
            DEFAULT_FORMAT.prefix,
            DEFAULT_FORMAT.width,
            DEFAULT_FORMAT.check_digit.value,
        )
        if status == "INSERT 0 1":
            await audit.record_change(
                tx, ctx, "membership_numbering.create", "tenant", ctx.tenant_id, check_digit=DEFAULT_FORMAT.check_digit
            )
        row = await tx.fetchrow(statement, ctx.tenant_id)
    return _numbering(row)


async def take(tx: Transaction, ctx: TenantContext, count: int) -> list[tuple[int, str]]:
    """The next ``count`` sequences and their numbers, for a batch at once
    (the counter must be locked by :func:`lock` in this transaction)."""
    row = await tx.fetchrow(
        f"UPDATE membership_numberings SET last_value = last_value + $2, updated_at = now()"
        f" WHERE tenant_id = $1 RETURNING {_COLUMNS}",
        ctx.tenant_id,
        count,
    )
    numbering = _numbering(row)
    first = numbering.issued - count + 1
    return [(sequence, numbering.format.number(sequence)) for sequence in range(first, numbering.issued + 1)]
