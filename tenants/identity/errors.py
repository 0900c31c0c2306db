"""Errors of identity: accounts, roles, signing in and out."""

from tenants.errors import DomainError


class IdentityError(DomainError):
    """Base of identity's errors."""


class InvalidCredentials(IdentityError):
    """Unknown account, wrong password or deactivated account: one answer for
    all three, so that the error reveals no account."""

    code = "auth.INVALID_CREDENTIALS"


class InvalidIdentifier(IdentityError):
    code = "auth.INVALID_IDENTIFIER"


class TenantRequired(IdentityError):
    code = "auth.TENANT_REQUIRED"


class NotAMember(IdentityError):
    code = "auth.NOT_A_MEMBER"


class InvalidRefreshToken(IdentityError):
    code = "auth.INVALID_REFRESH_TOKEN"


class TooManyAttempts(IdentityError):
    code = "auth.TOO_MANY_ATTEMPTS"


class TooManyRequests(IdentityError):
    """Too many codes or links asked for one number, account or address."""

    code = "auth.TOO_MANY_REQUESTS"


class InvalidCode(IdentityError):
    """Wrong, expired, used or exhausted code: one answer for all."""

    code = "auth.INVALID_CODE"


class InvalidResetToken(IdentityError):
    code = "auth.INVALID_RESET_TOKEN"


class WeakPassword(IdentityError):
    code = "tenants.WEAK_PASSWORD"


class RoleNotInTenant(IdentityError):
    code = "tenants.ROLE_NOT_IN_TENANT"


class UserNotFound(IdentityError):
    code = "tenants.USER_NOT_FOUND"


class LastAdministrator(IdentityError):
    code = "tenants.LAST_ADMINISTRATOR"


class WrongPassword(IdentityError):
    """An existing account's password did not match (accepting an invitation
    with an account one already has)."""

    code = "tenants.WRONG_PASSWORD"
