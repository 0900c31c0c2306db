"""Who is acting (Principal) and in which tenant (TenantContext).

Both are resolved once per request (or job, or command) and passed explicitly
to every service call; nothing reads them from a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from tenants.permissions import Permission
from tenants.roles import Role, TenantKind


class PrincipalKind(StrEnum):
    """What kind of caller a principal is."""

    ANONYMOUS = "anonymous"
    USER = "user"
    CLIENT = "client"
    """A partner application authenticated with OAuth2 client credentials."""
    SYSTEM = "system"
    """Socle itself: command-line operations and background jobs."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    kind: PrincipalKind
    id: UUID | None = None
    name: str = ""
    scopes: frozenset[str] = frozenset()
    session_id: UUID | None = None
    """The signed-in session of a user, which signing out revokes."""

    @property
    def is_authenticated(self) -> bool:
        """Whether the caller proved who it is."""
        return self.kind is not PrincipalKind.ANONYMOUS


ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS)
SYSTEM = Principal(kind=PrincipalKind.SYSTEM, name="socle")


@dataclass(frozen=True)
class TenantContext:
    """A principal acting inside one tenant.

    ``supervised_tenant_ids`` is non-empty only for a ministry: the tenants of
    its country, which it may read and never write.
    """

    principal: Principal
    tenant_id: UUID
    tenant_kind: TenantKind
    country: str
    currency: str
    role: Role | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    supervised_tenant_ids: frozenset[UUID] = field(default_factory=frozenset)
    request_id: str | None = None
    source_address: str | None = None
    """The caller's network address, for the audit log."""

    def allows(self, permission: Permission) -> bool:
        """Whether the caller holds ``permission`` in this tenant."""
        return permission in self.permissions

    def can_read(self, tenant_id: UUID) -> bool:
        """Whether rows of ``tenant_id`` are visible in this context."""
        return tenant_id == self.tenant_id or tenant_id in self.supervised_tenant_ids

    def can_write(self, tenant_id: UUID) -> bool:
        """Whether rows of ``tenant_id`` may be written in this context: only its own."""
        return tenant_id == self.tenant_id


@dataclass(frozen=True)
class PlatformContext:
    """Socle acting above tenants: creating tenants, relaying jobs.

    Never built from an HTTP request; it sees tenants and the job outbox, and
    no tenant's business rows.
    """

    principal: Principal = SYSTEM
    request_id: str | None = None


@dataclass(frozen=True)
class Viewer:
    """Everything a request knows about its caller, resolved once at its start."""

    principal: Principal
    tenant: TenantContext | None
    locale: str
    request_id: str
    source_address: str | None = None
