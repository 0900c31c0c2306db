"""Kinds of tenant and the roles a user can hold in one."""

from enum import StrEnum


class TenantKind(StrEnum):
    """What a tenant is."""

    MINISTRY = "ministry"
    """A ministry directorate exercising technical oversight over its country's tenants."""
    MUTUAL = "mutual"
    """A mutual (mutuelle de santé, mutuelle sociale des artisans...)."""
    IPM = "ipm"
    """An Institution de Prévoyance Maladie, company or inter-company."""


class TenantStatus(StrEnum):
    """Where a tenant stands in its licensing (agrément)."""

    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    """A user's role inside one tenant."""

    MINISTRY_ADMIN = "ministry_admin"
    OVERSIGHT_OFFICER = "oversight_officer"
    TENANT_ADMIN = "tenant_admin"
    MANAGER = "manager"
    AGENT = "agent"
    CLAIMS_OFFICER = "claims_officer"
    AUDITOR = "auditor"
    MEMBER = "member"


MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER})
"""Roles that exist only in a ministry tenant; the other roles exist only in mutuals and IPMs."""


def role_fits_tenant(role: Role, kind: TenantKind) -> bool:
    """Whether ``role`` can be held in a tenant of ``kind``."""
    return (role in MINISTRY_ROLES) == (kind is TenantKind.MINISTRY)
