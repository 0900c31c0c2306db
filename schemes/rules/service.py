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
from piccolo.columns import Column

from schemes.rules import errors
from schemes.rules.model import Branch, MemberCategory, RuleDocument, document_from_json, document_to_json
from schemes.rules.tables import Scheme, SchemeRuleVersion, SchemeStatus
from schemes.rules.validation import validate_document
from tenants.audit import service as audit
from tenants.context import PrincipalKind, TenantContext
from tenants.scoping import across, within
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


@dataclass(frozen=True)
class SchemeChange:
    """What updating a scheme may change; None keeps the current value."""

    scheme_id: UUID
    name: str | None = None
    branch: Branch | None = None
    categories: tuple[MemberCategory, ...] | None = None
    status: SchemeStatus | None = None


async def update_scheme(tx: Transaction, ctx: TenantContext, change: SchemeChange) -> Scheme:
    """Rename a scheme, change its branch, admitted categories or status.
    Its code stays: members' numbers and documents quote it."""
    scheme = await within(ctx, Scheme).objects().where(Scheme.id == change.scheme_id).first()
    if scheme is None:
        raise errors.SchemeNotFound(path=("input", "id"))
    values: dict[Column | str, Any] = {}
    if change.name is not None:
        name = change.name.strip()
        if not 2 <= len(name) <= 200:
            raise errors.InvalidSchemeName(path=("input", "name"))
        values["name"] = name
    if change.branch is not None:
        values["branch"] = change.branch.value
    if change.categories is not None:
        values["categories"] = _categories(change.categories, ("input", "categories"))
    if change.status is not None:
        values["status"] = change.status.value
    if values:
        await within(ctx, Scheme).update(values).where(Scheme.id == scheme.id)
        summary = {str(key): ",".join(value) if isinstance(value, list) else value for key, value in values.items()}
        await audit.record_change(tx, ctx, "scheme.update", "scheme", scheme.id, **summary)
        for key, value in values.items():
            setattr(scheme, str(key), value)
    return scheme


async def list_schemes(
    tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
) -> list[Scheme]:
    """Up to ``limit`` of the tenant's schemes by code, after the one at
    ``after`` (keyset pagination on code and id)."""
    return await _page(within(ctx, Scheme).objects(), after, limit)


async def count_schemes(tx: Transaction, ctx: TenantContext) -> int:
    """How many schemes the tenant has."""
    count: int = await within(ctx, Scheme).count()
    return count


async def list_supervised_schemes(
    tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
) -> list[Scheme]:
    """Up to ``limit`` of the schemes of every tenant the context supervises
    (a ministry's), by code, read-only. The read is recorded in the
    ministry's own log."""
    await audit.record_change(tx, ctx, "oversight.schemes_read", "country", ctx.country)
    query = across(ctx, Scheme).objects().where(Scheme.tenant_id != ctx.tenant_id)
    return await _page(query, after, limit)


async def count_supervised_schemes(tx: Transaction, ctx: TenantContext) -> int:
    """How many schemes the tenants the context supervises have."""
    count: int = await across(ctx, Scheme).count().where(Scheme.tenant_id != ctx.tenant_id)
    return count


async def _page(query: Any, after: tuple[str, UUID] | None, limit: int) -> list[Scheme]:
    query = query.order_by(Scheme.code, Scheme.id)
    if after is not None:
        code, scheme_id = after
        query = query.where((Scheme.code > code) | ((Scheme.code == code) & (Scheme.id > scheme_id)))
    rows: list[Scheme] = await query.limit(limit)
    return rows


async def schemes_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[Scheme]:
    """The schemes among ``ids`` the context may read: its own and, for a
    ministry, its supervised tenants' (each such tenant's read recorded)."""
    if not ids:
        return []
    rows: list[Scheme] = await across(ctx, Scheme).among(Scheme.id, ids)
    for tenant_id in sorted({row.tenant_id for row in rows} - {ctx.tenant_id}):
        await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.schemes_read")
    return rows


async def versions_by_scheme(
    tx: Transaction, ctx: TenantContext, scheme_ids: list[UUID]
) -> dict[UUID, list[RuleVersion]]:
    """Every version of each scheme the context may read, newest effective
    date first, in one statement."""
    if not scheme_ids:
        return {}
    rows = await tx.fetch(
        f"SELECT {VERSION_COLUMNS} FROM scheme_rule_versions v"
        " WHERE v.tenant_id = ANY ($1::uuid[]) AND v.scheme = ANY ($2::uuid[])"
        " ORDER BY v.scheme, v.effective_from DESC",
        _readable(ctx),
        scheme_ids,
    )
    found: dict[UUID, list[RuleVersion]] = {}
    for row in rows:
        found.setdefault(row["scheme"], []).append(rule_version(row))
    return found


async def versions_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> dict[UUID, RuleVersion]:
    """The context's own versions among ``ids``, by id."""
    if not ids:
        return {}
    rows = await tx.fetch(
        f"SELECT {VERSION_COLUMNS} FROM scheme_rule_versions v WHERE v.tenant_id = $1 AND v.id = ANY ($2::uuid[])",
        ctx.tenant_id,
        ids,
    )
    return {row["id"]: rule_version(row) for row in rows}


def in_force(versions: Iterable[RuleVersion], on: date) -> RuleVersion | None:
    """Of one scheme's versions, the one in force on ``on``: the latest
    effective on or before it."""
    candidates = [version for version in versions if version.effective_from <= on]
    return max(candidates, key=lambda version: version.effective_from, default=None)


@dataclass(frozen=True)
class NewRuleVersion:
    """A new version of a scheme's rules."""

    scheme_id: UUID
    effective_from: date
    document: RuleDocument


@dataclass(frozen=True)
class RuleVersionChange:
    """New contents of a version not used yet."""

    version_id: UUID
    effective_from: date
    document: RuleDocument


async def _lock_scheme(tx: Transaction, ctx: TenantContext, scheme_id: UUID) -> bool:
    """Lock the scheme's row, which serialises its versions' numbering and
    dating with :func:`mark_used`; False when the context has no such scheme."""
    found = await tx.fetchval(
        "SELECT id FROM schemes WHERE tenant_id = $1 AND id = $2 FOR UPDATE", ctx.tenant_id, scheme_id
    )
    return found is not None


async def _check_date(
    tx: Transaction, ctx: TenantContext, scheme_id: UUID, effective_from: date, *, other_than: UUID | None = None
) -> int:
    """Refuse a date on or before the end of a period already called under
    the scheme's rules, or one another version takes effect on; return the
    highest version number so far."""
    row = await tx.fetchrow(
        "SELECT coalesce(max(number), 0) AS number, max(used_through) AS used_through,"
        " coalesce(bool_or(effective_from = $3 AND id IS DISTINCT FROM $4), false) AS taken"
        " FROM scheme_rule_versions WHERE tenant_id = $1 AND scheme = $2",
        ctx.tenant_id,
        scheme_id,
        effective_from,
        other_than,
    )
    if row["used_through"] is not None and effective_from <= row["used_through"]:
        raise errors.EffectiveDateTooEarly(
            path=("input", "effectiveFrom"),
            effective_from=effective_from.isoformat(),
            used_through=row["used_through"].isoformat(),
        )
    if row["taken"]:
        raise errors.EffectiveDateTaken(path=("input", "effectiveFrom"), effective_from=effective_from.isoformat())
    number: int = row["number"]
    return number


async def create_version(tx: Transaction, ctx: TenantContext, data: NewRuleVersion) -> RuleVersion:
    """Add a version of a scheme's rules, in force from its date until the
    next version's. It may not take effect on or before the end of a period
    already called (past periods keep the rules they had)."""
    if not await _lock_scheme(tx, ctx, data.scheme_id):
        raise errors.SchemeNotFound(path=("input", "schemeId"))
    validate_document(data.document)
    number = await _check_date(tx, ctx, data.scheme_id, data.effective_from) + 1
    versions = within(ctx, SchemeRuleVersion)
    author = ctx.principal.id if ctx.principal.kind in (PrincipalKind.USER, PrincipalKind.CLIENT) else None
    row = versions.new(
        scheme=data.scheme_id,
        number=number,
        effective_from=data.effective_from,
        document=json.dumps(document_to_json(data.document)),
        created_by=author,
    )
    await versions.insert(row)
    await audit.record_change(
        tx,
        ctx,
        "scheme_rule_version.create",
        "scheme_rule_version",
        row.id,
        scheme=str(data.scheme_id),
        number=str(number),
        effective_from=data.effective_from.isoformat(),
    )
    return RuleVersion(
        id=row.id,
        scheme_id=data.scheme_id,
        number=number,
        effective_from=data.effective_from,
        used_through=None,
        document=data.document,
    )


async def update_version(tx: Transaction, ctx: TenantContext, change: RuleVersionChange) -> RuleVersion:
    """Replace the rules and date of a version no period was called under
    yet; a used version is refused (make a new version instead)."""
    row = await tx.fetchrow(
        f"SELECT {VERSION_COLUMNS} FROM schemes s JOIN scheme_rule_versions v"
        " ON v.tenant_id = s.tenant_id AND v.scheme = s.id"
        " WHERE s.tenant_id = $1 AND v.tenant_id = $1 AND v.id = $2 FOR UPDATE OF s, v",
        ctx.tenant_id,
        change.version_id,
    )
    if row is None:
        raise errors.RuleVersionNotFound(path=("input", "id"))
    if row["used_through"] is not None:
        raise errors.RuleVersionUsed(
            path=("input", "id"), number=row["number"], used_through=row["used_through"].isoformat()
        )
    validate_document(change.document)
    await _check_date(tx, ctx, row["scheme"], change.effective_from, other_than=change.version_id)
    await (
        within(ctx, SchemeRuleVersion)
        .update(
            {
                SchemeRuleVersion.effective_from: change.effective_from,
                SchemeRuleVersion.document: json.dumps(document_to_json(change.document)),
            }
        )
        .where(SchemeRuleVersion.id == change.version_id)
    )
    await audit.record_change(
        tx,
        ctx,
        "scheme_rule_version.update",
        "scheme_rule_version",
        change.version_id,
        number=str(row["number"]),
        effective_from=change.effective_from.isoformat(),
    )
    return RuleVersion(
        id=change.version_id,
        scheme_id=row["scheme"],
        number=row["number"],
        effective_from=change.effective_from,
        used_through=None,
        document=change.document,
    )
