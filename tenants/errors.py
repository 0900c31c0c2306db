"""Errors of the tenancy kernel. They carry a code, the path of the input
field at fault and parameters; the text is rendered at the edge (``app.i18n``)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every expected, user-facing error of a service.

    ``code`` is stable and namespaced (``tenants.SLUG_TAKEN``); ``path`` names
    the input field, as GraphQL clients see it.
    """

    code: ClassVar[str]

    def __init__(self, *, path: tuple[str, ...] = (), **params: Any) -> None:
        super().__init__(self.code)
        self.path = path
        self.params = params


class TenantError(DomainError):
    """Base of the tenancy kernel's errors."""


class InvalidName(TenantError):
    code = "tenants.INVALID_NAME"


class InvalidSlug(TenantError):
    code = "tenants.INVALID_SLUG"


class SlugTaken(TenantError):
    code = "tenants.SLUG_TAKEN"


class UnknownCountry(TenantError):
    code = "tenants.UNKNOWN_COUNTRY"


class UnsupportedCurrency(TenantError):
    code = "tenants.UNSUPPORTED_CURRENCY"


class MinistryExists(TenantError):
    code = "tenants.MINISTRY_EXISTS"


class TenantNotFound(TenantError):
    code = "tenants.TENANT_NOT_FOUND"


class RoleNotInTenant(TenantError):
    code = "tenants.ROLE_NOT_IN_TENANT"


class Unauthenticated(DomainError):
    """A field needs a signed-in caller."""

    code = "api.UNAUTHENTICATED"


class Forbidden(DomainError):
    """The caller's role or scopes do not grant the field's permission."""

    code = "api.FORBIDDEN"


class InvalidClientName(TenantError):
    code = "tenants.INVALID_CLIENT_NAME"


class InvalidScopes(TenantError):
    code = "tenants.INVALID_SCOPES"


class ClientNotFound(TenantError):
    code = "tenants.CLIENT_NOT_FOUND"


class ClientRevoked(TenantError):
    code = "tenants.CLIENT_REVOKED"


class UserNotFound(TenantError):
    code = "tenants.USER_NOT_FOUND"


class LastAdministrator(TenantError):
    code = "tenants.LAST_ADMINISTRATOR"


class WeakPassword(TenantError):
    code = "tenants.WEAK_PASSWORD"


class InvalidEmail(TenantError):
    code = "tenants.INVALID_EMAIL"


class InvalidPhone(TenantError):
    code = "tenants.INVALID_PHONE"


class ContactRequired(TenantError):
    code = "tenants.CONTACT_REQUIRED"


class AlreadyMember(TenantError):
    code = "tenants.ALREADY_MEMBER"


class InvitationNotFound(TenantError):
    code = "tenants.INVITATION_NOT_FOUND"


class InvitationExpired(TenantError):
    code = "tenants.INVITATION_EXPIRED"


class InvitationAccepted(TenantError):
    code = "tenants.INVITATION_ACCEPTED"


class WrongPassword(TenantError):
    code = "tenants.WRONG_PASSWORD"
