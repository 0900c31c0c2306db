"""Errors of invitations."""

from tenants.errors import DomainError


class InvitationError(DomainError):
    """Base of the invitations' errors."""


class InvalidEmail(InvitationError):
    code = "tenants.INVALID_EMAIL"


class InvalidPhone(InvitationError):
    code = "tenants.INVALID_PHONE"


class ContactRequired(InvitationError):
    code = "tenants.CONTACT_REQUIRED"


class AlreadyMember(InvitationError):
    code = "tenants.ALREADY_MEMBER"


class InvitationNotFound(InvitationError):
    code = "tenants.INVITATION_NOT_FOUND"


class InvitationExpired(InvitationError):
    code = "tenants.INVITATION_EXPIRED"


class InvitationAccepted(InvitationError):
    code = "tenants.INVITATION_ACCEPTED"
