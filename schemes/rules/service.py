"""Rules of schemes (régimes): which schemes a tenant runs, and the versions
of their rules in force on a date."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from schemes.rules import errors
from schemes.rules.model import Branch, MemberCategory, RuleDocument, document_from_json
from schemes.rules.tables import Scheme, SchemeStatus
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
    branch: Branch
    categories: tuple[MemberCategory, ...]
    status: SchemeStatus = SchemeStatus.DRAFT


@dataclass(frozen=True)
class RuleVersion:
    """One version of a scheme's rules, its document parsed."""

    id: UUID
    scheme_id: UUID
    number: int
    effective_from: date
    used_through: date | None
    document: RuleDocument


def _categories(categories: Iterable[MemberCategory], path: tuple[str, ...]) -> list[str]:
    unique = list(dict.fromkeys(categories))
    if not unique:
        raise errors.CategoriesRequired(path=path)
    return [category.value for category in unique]


async def create_scheme(tx: Transaction, ctx: TenantContext, data: NewScheme) -> Scheme:
    """Create a scheme in the context's tenant. Codes are upper-case and
    unique within a tenant (two tenants may use the same code); a scheme
    admits at least one member category."""
    code = data.code.strip().upper()
    name = data.name.strip()
    if not CODE.match(code):
        raise errors.InvalidSchemeCode(path=("input", "code"), code=data.code)
    if not 2 <= len(name) <= 200:
        raise errors.InvalidSchemeName(path=("input", "name"))
    categories = _categories(data.categories, ("input", "categories"))
    if await within(ctx, Scheme).exists().where(Scheme.code == code):
        raise errors.SchemeCodeTaken(path=("input", "code"), code=code)
    schemes = within(ctx, Scheme)
    scheme = schemes.new(code=code, name=name, branch=data.branch, categories=categories, status=data.status)
    try:
        await schemes.insert(scheme)
    except asyncpg.UniqueViolationError:
        # Another creation of the same code committed between the check and the insert.
        raise errors.SchemeCodeTaken(path=("input", "code"), code=code) from None
    await audit.record_change(
        tx,
        ctx,
        "scheme.create",
        "scheme",
        scheme.id,
        code=code,
        name=name,
        branch=data.branch.value,
        categories=",".join(categories),
        status=data.status.value,
    )
    return scheme


async def find_scheme_by_code(tx: Transaction, ctx: TenantContext, code: str) -> Scheme | None:
    """The context's scheme with ``code``."""
    return await within(ctx, Scheme).objects().where(Scheme.code == code.strip().upper()).first()


def _readable(ctx: TenantContext) -> list[UUID]:
    return [ctx.tenant_id, *sorted(ctx.supervised_tenant_ids)]


def rule_version(row: Any) -> RuleVersion:
    """A stored version row (id, scheme, number, effective_from,
    used_through, document) as a :class:`RuleVersion`."""
    document = row["document"]
    return RuleVersion(
        id=row["id"],
        scheme_id=row["scheme"],
        number=row["number"],
        effective_from=row["effective_from"],
        used_through=row["used_through"],
        document=document_from_json(json.loads(document) if isinstance(document, str) else document),
    )


VERSION_COLUMNS = "v.id, v.scheme, v.number, v.effective_from, v.used_through, v.document"


async def versions_in_force(
    tx: Transaction, ctx: TenantContext, scheme_ids: Iterable[UUID], on: date
) -> dict[UUID, RuleVersion]:
    """The version in force on ``on`` of each scheme that has one, by scheme
    id, in one statement: the latest whose effective date is on or before
    ``on``. Schemes the context may not read are left out."""
    ids = list(dict.fromkeys(scheme_ids))
    if not ids:
        return {}
    rows = await tx.fetch(
        f"SELECT DISTINCT ON (v.scheme) {VERSION_COLUMNS} FROM scheme_rule_versions v"
        " WHERE v.tenant_id = ANY ($1::uuid[]) AND v.scheme = ANY ($2::uuid[]) AND v.effective_from <= $3"
        " ORDER BY v.scheme, v.effective_from DESC",
        _readable(ctx),
        ids,
        on,
    )
    return {row["scheme"]: rule_version(row) for row in rows}


async def version_in_force(tx: Transaction, ctx: TenantContext, scheme_id: UUID, on: date) -> RuleVersion | None:
    """The version of the scheme in force on ``on``, or None before its first
    version takes effect. A contribution period keeps the version in force on
    its first day."""
    return (await versions_in_force(tx, ctx, [scheme_id], on)).get(scheme_id)


async def mark_used(tx: Transaction, ctx: TenantContext, version_id: UUID, through: date) -> None:
    """Record that the version was used for a period ending on ``through``
    (contributions called under it). From then on the version cannot be
    edited, and no new version of its scheme may take effect on or before
    ``through``. Marking an earlier end than already recorded changes nothing.

    The scheme's row is locked first, as creating a version locks it, so a
    version being created concurrently sees the new end or waits for it.
    """
    row = await tx.fetchrow(
        "SELECT v.id, v.effective_from FROM schemes s JOIN scheme_rule_versions v"
        " ON v.tenant_id = s.tenant_id AND v.scheme = s.id"
        " WHERE s.tenant_id = $1 AND v.tenant_id = $1 AND v.id = $2 FOR UPDATE OF s, v",
        ctx.tenant_id,
        version_id,
    )
    if row is None:
        raise errors.RuleVersionNotFound(path=("versionId",))
    if through < row["effective_from"]:
        raise errors.UsedBeforeEffectiveDate(
            path=("through",), through=through.isoformat(), effective_from=row["effective_from"].isoformat()
        )
    await tx.execute(
        "UPDATE scheme_rule_versions SET used_through = GREATEST(used_through, $3) WHERE tenant_id = $1 AND id = $2",
        ctx.tenant_id,
        version_id,
        through,
    )
    await audit.record_change(
        tx, ctx, "scheme_rule_version.use", "scheme_rule_version", version_id, through=through.isoformat()
    )
