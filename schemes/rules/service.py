"""Rules of schemes (régimes): which schemes a tenant runs."""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from schemes.rules import errors
from schemes.rules.tables import Scheme, SchemeKind, SchemeStatus
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


@dataclass(frozen=True)
class NewScheme:
    """What creating a scheme needs."""

    code: str
    name: str
    kind: SchemeKind
    status: SchemeStatus = SchemeStatus.DRAFT


async def create_scheme(tx: Transaction, ctx: TenantContext, data: NewScheme) -> Scheme:
    """Create a scheme in the context's tenant. Codes are upper-case and
    unique within a tenant (two tenants may use the same code)."""
    code = data.code.strip().upper()
    name = data.name.strip()
    if not CODE.match(code):
        raise errors.InvalidSchemeCode(path=("input", "code"), code=data.code)
    if not 2 <= len(name) <= 200:
        raise errors.InvalidSchemeName(path=("input", "name"))
    if await within(ctx, Scheme).exists().where(Scheme.code == code):
        raise errors.SchemeCodeTaken(path=("input", "code"), code=code)
    schemes = within(ctx, Scheme)
    scheme = schemes.new(code=code, name=name, kind=data.kind, status=data.status)
    try:
        await schemes.insert(scheme)
    except asyncpg.UniqueViolationError:
        # Another creation of the same code committed between the check and the insert.
        raise errors.SchemeCodeTaken(path=("input", "code"), code=code) from None
    await audit.record_change(tx, ctx, "scheme.create", "scheme", scheme.id, code=code, name=name)
    return scheme


async def find_scheme_by_code(tx: Transaction, ctx: TenantContext, code: str) -> Scheme | None:
    """The context's scheme with ``code``."""
    return await within(ctx, Scheme).objects().where(Scheme.code == code.strip().upper()).first()
