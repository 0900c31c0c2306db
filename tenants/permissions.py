"""Who may do what: the one permission matrix of Socle.

A permission is also an OAuth2 scope: partner applications are granted
scopes, users get the permissions of their role. A ``:write`` permission
implies the matching ``:read``.
"""

from __future__ import annotations

from enum import StrEnum

from tenants.roles import Role


class Permission(StrEnum):
    """An operation class, checked on every GraphQL field that touches tenant data."""

    TENANT_READ = "tenant:read"
    """See the tenant's profile."""
    TENANT_MANAGE = "tenant:manage"
    """Change the tenant's settings."""
    USERS_READ = "users:read"
    """List the tenant's users and their roles."""
    USERS_MANAGE = "users:manage"
    """Invite users, change roles, deactivate users."""
    API_CLIENTS_MANAGE = "api_clients:manage"
    """Register, rotate and revoke partner applications."""
    SCHEMES_READ = "schemes:read"
    SCHEMES_WRITE = "schemes:write"
    MEMBERS_READ = "members:read"
    """Read member registers and employers; a ministry reads its supervised
    tenants' (read-only, each read recorded as an oversight read)."""
    MEMBERS_WRITE = "members:write"
    """Change members and employers."""
    ENROLMENT_WRITE = "enrolment:write"
    """Enrol people in the field (agents)."""
    CONTRIBUTIONS_READ = "contributions:read"
    CONTRIBUTIONS_WRITE = "contributions:write"
    SUBSIDIES_READ = "subsidies:read"
    """The State's subsidy statements: a tenant's own; a ministry's, those of the tenants it supervises."""
    SUBSIDIES_SETTLE = "subsidies:settle"
    """Ministry: record the State's payments of the statements of the tenants it supervises."""
    CLAIMS_READ = "claims:read"
    CLAIMS_WRITE = "claims:write"
    ELIGIBILITY_READ = "eligibility:read"
    AUDIT_READ = "audit:read"
    """Read the tenant's audit log and check its chain."""
    OVERSIGHT_READ = "oversight:read"
    """Ministry: read the supervised tenants' records."""
    LICENSING_MANAGE = "licensing:manage"
    """Ministry: grant, suspend and withdraw licences (agrément)."""
    SELF_SERVICE = "self:service"
    """A member: see their own coverage and dues, pay."""


_READ_OF = {
    Permission.TENANT_MANAGE: Permission.TENANT_READ,
    Permission.USERS_MANAGE: Permission.USERS_READ,
    Permission.SCHEMES_WRITE: Permission.SCHEMES_READ,
    Permission.MEMBERS_WRITE: Permission.MEMBERS_READ,
    Permission.CONTRIBUTIONS_WRITE: Permission.CONTRIBUTIONS_READ,
    Permission.CLAIMS_WRITE: Permission.CLAIMS_READ,
    Permission.SUBSIDIES_SETTLE: Permission.SUBSIDIES_READ,
}


def with_implied(permissions: frozenset[Permission] | set[Permission]) -> frozenset[Permission]:
    """``permissions`` plus the reads their writes imply."""
    return frozenset(permissions) | {_READ_OF[p] for p in permissions if p in _READ_OF}


_TENANT_STAFF = {Permission.TENANT_READ, Permission.ELIGIBILITY_READ, Permission.SCHEMES_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MINISTRY_ADMIN: with_implied(
        {
            Permission.TENANT_MANAGE,
            Permission.USERS_MANAGE,
            Permission.LICENSING_MANAGE,
            Permission.SUBSIDIES_SETTLE,
            Permission.OVERSIGHT_READ,
            Permission.AUDIT_READ,
            Permission.MEMBERS_READ,
        }
    ),
    Role.OVERSIGHT_OFFICER: with_implied(
        {
            Permission.TENANT_READ,
            Permission.OVERSIGHT_READ,
            Permission.AUDIT_READ,
            Permission.MEMBERS_READ,
            Permission.SUBSIDIES_READ,
        }
    ),
    Role.TENANT_ADMIN: with_implied(
        {
            *_TENANT_STAFF,
            Permission.TENANT_MANAGE,
            Permission.USERS_MANAGE,
            Permission.API_CLIENTS_MANAGE,
            Permission.SCHEMES_WRITE,
            Permission.MEMBERS_READ,
            Permission.CONTRIBUTIONS_READ,
            Permission.SUBSIDIES_READ,
            Permission.CLAIMS_READ,
            Permission.AUDIT_READ,
        }
    ),
    Role.MANAGER: with_implied(
        {
            *_TENANT_STAFF,
            Permission.MEMBERS_WRITE,
            Permission.ENROLMENT_WRITE,
            Permission.CONTRIBUTIONS_WRITE,
            Permission.SUBSIDIES_READ,
        }
    ),
    Role.AGENT: with_implied({*_TENANT_STAFF, Permission.ENROLMENT_WRITE}),
    Role.CLAIMS_OFFICER: with_implied({*_TENANT_STAFF, Permission.MEMBERS_READ, Permission.CLAIMS_WRITE}),
    Role.AUDITOR: with_implied(
        {
            *_TENANT_STAFF,
            Permission.USERS_READ,
            Permission.MEMBERS_READ,
            Permission.CONTRIBUTIONS_READ,
            Permission.SUBSIDIES_READ,
            Permission.CLAIMS_READ,
            Permission.AUDIT_READ,
        }
    ),
    Role.MEMBER: frozenset({Permission.TENANT_READ, Permission.SELF_SERVICE}),
}

CLIENT_SCOPES = frozenset(
    {
        Permission.MEMBERS_READ,
        Permission.MEMBERS_WRITE,
        Permission.ENROLMENT_WRITE,
        Permission.CONTRIBUTIONS_READ,
        Permission.CONTRIBUTIONS_WRITE,
        Permission.SUBSIDIES_READ,
        Permission.CLAIMS_READ,
        Permission.ELIGIBILITY_READ,
        Permission.SCHEMES_READ,
    }
)
"""Scopes a tenant administrator may grant a partner application.

Applications act for the tenant in the field (enrolment apps, providers'
systems, payment apps), so they may be granted the operational scopes; never
adjudication (``claims:write`` is a claims officer's decision, a person's),
nor user, licence or application administration.
"""


def client_scopes_listed() -> str:
    """The grantable scopes, in the matrix's order, as messages list them."""
    return ", ".join(permission.value for permission in Permission if permission in CLIENT_SCOPES)


def permissions_of(role: Role) -> frozenset[Permission]:
    """The permissions a role grants."""
    return ROLE_PERMISSIONS[role]


def matrix_table() -> str:
    """The permission matrix as a Markdown table, as README.md shows it."""
    roles = list(Role)
    rows = ["| Permission | " + " | ".join(f"`{role.value}`" for role in roles) + " |"]
    rows.append("| --- |" + " :-: |" * len(roles))
    for permission in Permission:
        marks = " | ".join("✓" if permission in ROLE_PERMISSIONS[role] else "" for role in roles)
        rows.append(f"| `{permission.value}` | {marks} |")
    return "\n".join(rows) + "\n"
