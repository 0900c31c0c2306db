"""Errors of signing in and out."""

from tenants.errors import DomainError


class AuthError(DomainError):
    """Base of the authentication errors."""


class InvalidCredentials(AuthError):
    """Unknown account, wrong password or deactivated account: one answer for
    all three, so that the error reveals no account."""

    code = "auth.INVALID_CREDENTIALS"


class InvalidIdentifier(AuthError):
    code = "auth.INVALID_IDENTIFIER"


class TenantRequired(AuthError):
    code = "auth.TENANT_REQUIRED"


class NotAMember(AuthError):
    code = "auth.NOT_A_MEMBER"


class InvalidRefreshToken(AuthError):
    code = "auth.INVALID_REFRESH_TOKEN"


class TooManyAttempts(AuthError):
    code = "auth.TOO_MANY_ATTEMPTS"


class InvalidCode(AuthError):
    """Wrong, expired, used or exhausted code: one answer for all."""

    code = "auth.INVALID_CODE"


class InvalidResetToken(AuthError):
    code = "auth.INVALID_RESET_TOKEN"
